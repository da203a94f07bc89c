package dev.sentinelzero.daemon.process;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Detaching the daemon from the terminal that started it, for {@code sentinel daemon start}: a new
 * session (so no terminal's hang-up or Ctrl-C reaches it), and once it is ready, its standard
 * streams pointed at /dev/null (so that the pipe the CLI watched for start-up errors can close).
 * The same calls on Linux and macOS.
 */
public final class Detach {
  private interface LibC extends Library {
    int setsid();

    int open(String path, int flags);

    int dup2(int from, int to);

    int close(int fd);
  }

  private static final int O_RDWR = 2; // the same on Linux and macOS

  private Detach() {}

  /** Starts a new session; false if the process already leads one. */
  public static boolean newSession() {
    return lib().setsid() >= 0;
  }

  /** Points stdin, stdout and stderr at /dev/null. */
  public static void closeStandardStreams() {
    LibC c = lib();
    int fd = c.open("/dev/null", O_RDWR);
    if (fd < 0) {
      return;
    }
    c.dup2(fd, 0);
    c.dup2(fd, 1);
    c.dup2(fd, 2);
    if (fd > 2) {
      c.close(fd);
    }
  }

  private static LibC lib() {
    return Native.load(libraryName(Platform.isMac()), LibC.class);
  }

  /**
   * The C library's name for JNA: {@code System} on macOS, as the rest of the macOS code loads
   * (since macOS 11 the system libraries live only in the dyld shared cache, where libSystem is
   * the name that resolves; a {@code libc.dylib} file need not exist), {@code c} elsewhere.
   */
  static String libraryName(boolean mac) {
    return mac ? "System" : "c";
  }
}
