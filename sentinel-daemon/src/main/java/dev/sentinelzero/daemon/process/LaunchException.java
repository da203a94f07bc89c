package dev.sentinelzero.daemon.process;

/**
 * The program could not be started: {@code posix_spawn} failed synchronously. The message says
 * what was wrong in words a user can act on, e.g. {@code /opt/x/run.sh is not in an executable
 * format: add a #! line or use --shell}.
 */
public final class LaunchException extends Exception {
  private final int errno;

  public LaunchException(int errno, String message) {
    super(message);
    this.errno = errno;
  }

  /** The error number posix_spawn returned, 0 if the failure came from elsewhere. */
  public int errno() {
    return errno;
  }
}
