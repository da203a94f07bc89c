package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.nio.file.Path;
import java.util.List;

/**
 * What Linux and macOS do alike: posix_spawn with the same attributes and file actions, kill,
 * waitid and waitpid. The platform subclasses supply the numbers that differ ({@link Constants}),
 * how the two signal sets are filled, and how inherited descriptors are closed.
 *
 * <p>Native structures are opaque here: {@code posix_spawnattr_t} is 336 bytes on glibc and a
 * pointer on macOS, so each is given a generous, zeroed block, always initialised with its {@code
 * *_init} and released with its {@code *_destroy}. Each call allocates its own blocks, so spawns
 * from several threads at once do not share anything.
 */
abstract class PosixOs implements NativeOs {
  private static final int ATTR_BYTES = 1024;
  private static final int FILE_ACTIONS_BYTES = 1024;
  private static final int SIGSET_BYTES = 256;
  private static final int SIGINFO_BYTES = 256;
  private static final int CLD_EXITED = 1;
  private static final int CLD_KILLED = 2;
  private static final int CLD_DUMPED = 3;
  private static final int OUTPUT_MODE = 0600;

  /**
   * The numbers in which the platforms differ.
   *
   * @param spawnFlags posix_spawnattr flags: SETPGROUP, SETSIGMASK, SETSIGDEF (+ CLOEXEC_DEFAULT)
   * @param openReadOnly O_RDONLY
   * @param openAppend O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW: an output file is never opened
   *     through a symbolic link planted at its path (the open fails with ELOOP instead)
   * @param siCodeOffset byte offset of si_code in siginfo_t (si_pid, si_status likewise)
   * @param eloop ELOOP, what open(2) fails with for a symbolic link under O_NOFOLLOW
   * @param maxOpenPathBytes the longest path (in bytes, without its NUL) that {@code
   *     posix_spawn_file_actions_addopen} passes on whole
   */
  record Constants(
      short spawnFlags,
      int openReadOnly,
      int openAppend,
      int pPid,
      int wExited,
      int wNoHang,
      int wNoWait,
      int siCodeOffset,
      int siPidOffset,
      int siStatusOffset,
      int eagain,
      int eloop,
      int maxOpenPathBytes) {}

  private final PosixLibc libc;
  private final Constants constants;
  private final SignalTable signals;

  PosixOs(PosixLibc libc, Constants constants, SignalTable signals) {
    this.libc = libc;
    this.constants = constants;
    this.signals = signals;
  }

  // poll(2) flags and struct pollfd {int fd; short events; short revents;}: the same on Linux and
  // macOS (<poll.h>, xnu bsd/sys/poll.h).
  private static final short POLLOUT = 0x0004;
  private static final short POLLERR = 0x0008;
  private static final short POLLHUP = 0x0010;
  private static final short POLLNVAL = 0x0020;
  private static final int POLLFD_BYTES = 8;

  @Override
  public int peerHungUp(int fd) {
    try (Memory pollfd = zeroed(POLLFD_BYTES)) {
      pollfd.setInt(0, fd);
      pollfd.setShort(4, POLLOUT);
      libc.poll(pollfd, 1, 0);
      short revents = pollfd.getShort(6);
      return (revents & (POLLHUP | POLLERR | POLLNVAL)) != 0 ? 1 : 0;
    } catch (LastErrorException e) {
      return -e.getErrorCode();
    }
  }

  /**
   * Fills {@code mask} with the empty set and {@code defaults} with every signal but KILL, STOP.
   */
  abstract void fillSignalSets(Pointer mask, Pointer defaults);

  /**
   * Adds the file action that closes descriptors 3 and up, if the platform needs one.
   *
   * @return 0 or an error number
   */
  abstract int addCloseInherited(Pointer fileActions);

  @Override
  public final SignalTable signals() {
    return signals;
  }

  @Override
  public final int spawn(LaunchSpec spec) throws LaunchException {
    Path program = spec.executable();
    List<String> argvList = spec.argv().isEmpty() ? List.of(program.toString()) : spec.argv();
    for (Path output : List.of(spec.stdout(), spec.stderr())) {
      String refused = LaunchFailures.refuseOutput(output, constants.maxOpenPathBytes());
      if (refused != null) {
        throw new LaunchException(0, refused);
      }
    }
    try (Memory attributes = zeroed(ATTR_BYTES);
        Memory fileActions = zeroed(FILE_ACTIONS_BYTES);
        Memory mask = zeroed(SIGSET_BYTES);
        Memory defaults = zeroed(SIGSET_BYTES);
        StringArray argv = NativeStrings.argv(argvList);
        StringArray envp = NativeStrings.envp(spec.environment())) {
      check(libc.posix_spawnattr_init(attributes), "posix_spawnattr_init", program);
      try {
        check(libc.posix_spawn_file_actions_init(fileActions), "file_actions_init", program);
        try {
          fillSignalSets(mask, defaults);
          check(
              libc.posix_spawnattr_setflags(attributes, constants.spawnFlags()),
              "posix_spawnattr_setflags",
              program);
          check(libc.posix_spawnattr_setpgroup(attributes, 0), "setpgroup", program);
          check(libc.posix_spawnattr_setsigmask(attributes, mask), "setsigmask", program);
          check(libc.posix_spawnattr_setsigdefault(attributes, defaults), "setsigdefault", program);
          addOpen(fileActions, 0, Path.of("/dev/null"), constants.openReadOnly(), program);
          addOpen(fileActions, 1, spec.stdout(), constants.openAppend(), program);
          addOpen(fileActions, 2, spec.stderr(), constants.openAppend(), program);
          check(
              libc.posix_spawn_file_actions_addchdir_np(
                  fileActions, NativeStrings.cString(spec.cwd())),
              "addchdir_np",
              program);
          check(addCloseInherited(fileActions), "close inherited descriptors", program);

          IntByReference pid = new IntByReference();
          int error =
              libc.posix_spawn(
                  pid, NativeStrings.cString(program), fileActions, attributes, argv, envp);
          if (error != 0) {
            throw new LaunchException(
                error,
                LaunchFailures.describe(
                    error, spec, constants.eagain(), constants.eloop(), this::strerror));
          }
          return pid.getValue();
        } finally {
          libc.posix_spawn_file_actions_destroy(fileActions);
        }
      } finally {
        libc.posix_spawnattr_destroy(attributes);
      }
    }
  }

  @Override
  public final ExitStatus peekExit(long pid) {
    try (Memory info = zeroed(SIGINFO_BYTES)) {
      int options = constants.wExited() | constants.wNoHang() | constants.wNoWait();
      while (true) {
        try {
          libc.waitid(constants.pPid(), (int) pid, info, options);
          break;
        } catch (LastErrorException e) {
          if (e.getErrorCode() == Errno.EINTR) {
            continue;
          }
          if (e.getErrorCode() == Errno.ECHILD) {
            return new ExitStatus.Unknown();
          }
          throw e;
        }
      }
      if (info.getInt(constants.siPidOffset()) == 0) {
        return null; // WNOHANG and nothing to report yet
      }
      int status = info.getInt(constants.siStatusOffset());
      switch (info.getInt(constants.siCodeOffset())) {
        case CLD_EXITED:
          return new ExitStatus.Exited(status);
        case CLD_KILLED:
          return new ExitStatus.Killed(signals.byNumber(status), false);
        case CLD_DUMPED:
          return new ExitStatus.Killed(signals.byNumber(status), true);
        default:
          return null; // stopped or continued: macOS may report these despite WEXITED alone
      }
    }
  }

  @Override
  public final ExitStatus decodeWaitStatus(int status) {
    int signal = status & 0x7f;
    if (signal == 0) {
      return new ExitStatus.Exited((status >> 8) & 0xff);
    }
    if (signal == 0x7f) {
      return null; // stopped
    }
    return new ExitStatus.Killed(signals.byNumber(signal), (status & 0x80) != 0);
  }

  @Override
  public final Reap reap(long pid) {
    while (true) {
      try {
        return libc.waitpid((int) pid, Pointer.NULL, constants.wNoHang()) == pid
            ? Reap.REAPED
            : Reap.NOT_YET;
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Errno.EINTR) {
          return Reap.NOT_OURS; // ECHILD: not ours, or reaped already
        }
      }
    }
  }

  @Override
  public final void reapBlocking(long pid) {
    while (true) {
      try {
        libc.waitpid((int) pid, Pointer.NULL, 0);
        return;
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Errno.EINTR) {
          return;
        }
      }
    }
  }

  @Override
  public final int signalGroup(long pgid, int signal) {
    if (pgid < 2) {
      throw new IllegalArgumentException("refusing to signal process group " + pgid);
    }
    return kill(-pgid, signal);
  }

  @Override
  public final int signalProcess(long pid, int signal) {
    if (pid < 2) {
      throw new IllegalArgumentException("refusing to signal process " + pid);
    }
    return kill(pid, signal);
  }

  @Override
  public final String strerror(int errno) {
    return libc.strerror(errno);
  }

  final void closeQuietly(int fd) {
    try {
      libc.close(fd);
    } catch (LastErrorException ignored) {
      // EBADF/EINTR: the descriptor is released either way on Linux and macOS
    }
  }

  private int kill(long target, int signal) {
    try {
      libc.kill(Math.toIntExact(target), signal);
      return 0;
    } catch (LastErrorException e) {
      return e.getErrorCode();
    }
  }

  private void addOpen(Pointer fileActions, int fd, Path path, int flags, Path program)
      throws LaunchException {
    byte[] file = NativeStrings.cString(path.toAbsolutePath());
    check(
        libc.posix_spawn_file_actions_addopen(fileActions, fd, file, flags, OUTPUT_MODE),
        "addopen " + path,
        program);
  }

  private void check(int error, String call, Path program) throws LaunchException {
    if (error != 0) {
      throw new LaunchException(
          error,
          "cannot prepare to start " + program + ": " + call + " failed: " + strerror(error));
    }
  }

  static Memory zeroed(int bytes) {
    Memory memory = new Memory(bytes);
    memory.clear();
    return memory;
  }
}
