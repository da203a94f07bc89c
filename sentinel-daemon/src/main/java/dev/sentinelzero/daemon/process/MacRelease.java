package dev.sentinelzero.daemon.process;

/**
 * Which macOS releases the process layer runs on, decided from the kernel's release string
 * ({@code sysctl kern.osrelease}, e.g. {@code 20.6.0}: Darwin 20 is macOS 11). The kernel's own
 * number is used rather than {@code os.version}, which an application built against an old SDK
 * sees as {@code 10.16} on macOS 11.
 *
 * <p>Why macOS 11: on macOS 10.15 (xnu-6153) {@code waitid} put {@code WEXITSTATUS} of the status
 * into {@code si_status} even for a child killed by a signal, so a killed child would read as an
 * exit code; xnu-7195 (macOS 11) gives the signal number for {@code CLD_KILLED}/{@code
 * CLD_DUMPED} ({@code bsd/kern/kern_exit.c}, {@code waitid}). macOS 11 also lets a process that
 * could signal another ask for its exit status with {@code NOTE_EXITSTATUS}, which adoption uses.
 * A pure function; any thread.
 */
final class MacRelease {
  /** Darwin 20 = macOS 11 (Big Sur). */
  static final int MIN_DARWIN = 20;

  private MacRelease() {}

  /**
   * Null when the release is supported, else the message to refuse with.
   *
   * @param osRelease {@code kern.osrelease}, or null if it could not be read
   */
  static String refusal(String osRelease) {
    int major = darwinMajor(osRelease);
    if (major < 0) {
      return null; // unreadable: do not refuse on a guess; the later calls report what fails
    }
    if (major >= MIN_DARWIN) {
      return null;
    }
    return "SentinelZero needs macOS 11 (Big Sur) or later; this is Darwin "
        + osRelease.strip()
        + (major >= 4 ? " (macOS 10." + (major - 4) + ")" : "")
        + ": upgrade macOS to run the daemon here";
  }

  /** The major number of a Darwin release ({@code 19.6.0} -> 19); -1 if it is not one. */
  static int darwinMajor(String osRelease) {
    if (osRelease == null) {
      return -1;
    }
    String s = osRelease.strip();
    int end = 0;
    while (end < s.length() && Character.isDigit(s.charAt(end))) {
      end++;
    }
    if (end == 0 || end > 4) {
      return -1;
    }
    return Integer.parseInt(s.substring(0, end));
  }
}
