package dev.sentinelzero.daemon.process;

/**
 * Error numbers that are the same on Linux and macOS (the classic Unix ones below 35). EAGAIN is
 * not among them (11 on Linux, 35 on macOS): {@link PosixOs.Constants} carries it.
 */
final class Errno {
  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int ESRCH = 3;
  static final int EINTR = 4;
  static final int E2BIG = 7;
  static final int ENOEXEC = 8;
  static final int ECHILD = 10;
  static final int ENOMEM = 12;
  static final int EACCES = 13;
  static final int ENOTDIR = 20;
  static final int EISDIR = 21;
  static final int ETXTBSY = 26;

  private Errno() {}
}
