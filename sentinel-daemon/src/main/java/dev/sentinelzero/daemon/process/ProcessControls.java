package dev.sentinelzero.daemon.process;

import com.sun.jna.Native;
import java.util.Locale;
import java.util.function.LongSupplier;

/** Creates the {@link ProcessControl} for the operating system the daemon runs on. */
public final class ProcessControls {
  private ProcessControls() {}

  /**
   * The process control for this machine: Linux (glibc 2.34+, kernel 5.3+, x86_64 or aarch64) or
   * macOS (11+), 64-bit. It starts two daemon threads, {@code sentinel-exit-watcher} and {@code
   * sentinel-group-reaper}; close it to stop them.
   *
   * @throws UnsupportedOperationException on any other system, saying what is needed
   */
  public static ProcessControl create() {
    return create(System::nanoTime);
  }

  /**
   * As {@link #create()}, with the monotonic clock used for deadlines and CPU percentages.
   *
   * @param nanoTicker nanoseconds from an arbitrary origin, like {@link System#nanoTime}
   */
  static ProcessControl create(LongSupplier nanoTicker) {
    return new NativeProcessControl(nativeOs(), nanoTicker);
  }

  /** The native layer for this machine, chosen by {@code os.name}. */
  static NativeOs nativeOs() {
    String osName = System.getProperty("os.name", "unknown");
    if (Native.POINTER_SIZE != 8) {
      throw new UnsupportedOperationException(
          "SentinelZero supervises processes only on a 64-bit JVM; this one is "
              + (8 * Native.POINTER_SIZE)
              + "-bit");
    }
    String lower = osName.toLowerCase(Locale.ROOT);
    if (lower.startsWith("linux")) {
      return new LinuxOs();
    }
    if (lower.startsWith("mac") || lower.startsWith("darwin")) {
      return new MacOs();
    }
    throw new UnsupportedOperationException(
        "SentinelZero supervises processes on Linux and macOS only; this system is '"
            + osName
            + "'");
  }
}
