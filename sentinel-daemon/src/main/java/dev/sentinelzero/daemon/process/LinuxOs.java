package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Linux with glibc 2.34 or later and kernel 5.3 or later: posix_spawn closes inherited descriptors
 * with {@code posix_spawn_file_actions_addclosefrom_np}, exits come from pidfds, and the process
 * table is {@code /proc}. glibc's {@code siginfo_t} on 64-bit: si_signo @0, si_errno @4,
 * si_code @8, 4 bytes of padding, si_pid @16, si_uid @20, si_status @24. A socket client's pid
 * is the first field of the {@code struct ucred} that {@code SO_PEERCRED} returns.
 */
final class LinuxOs extends PosixOs {
  private static final int SIGKILL = 9;
  private static final int SIGSTOP = 19;

  private static final Constants CONSTANTS =
      new Constants(
          (short)
              (LinuxLibc.POSIX_SPAWN_SETPGROUP
                  | LinuxLibc.POSIX_SPAWN_SETSIGMASK
                  | LinuxLibc.POSIX_SPAWN_SETSIGDEF),
          LinuxLibc.O_RDONLY,
          LinuxLibc.O_WRONLY | LinuxLibc.O_CREAT | LinuxLibc.O_APPEND | LinuxLibc.O_NOFOLLOW,
          LinuxLibc.P_PID,
          LinuxLibc.WEXITED,
          LinuxLibc.WNOHANG,
          LinuxLibc.WNOWAIT,
          8,
          16,
          24,
          11,
          40,
          4095);

  private final LinuxLibc libc;
  private final LinuxProcTable procTable;

  LinuxOs() {
    this(LinuxLibc.INSTANCE);
  }

  private LinuxOs(LinuxLibc libc) {
    super(libc, CONSTANTS, SignalTable.linux());
    this.libc = libc;
    if (LinuxLibc.O_NOFOLLOW < 0) {
      throw new UnsupportedOperationException(
          "SentinelZero supervises processes on x86_64 and aarch64 Linux; this machine is "
              + System.getProperty("os.arch"));
    }
    requireFunction("posix_spawn_file_actions_addclosefrom_np", "glibc 2.34");
    requireFunction("posix_spawn_file_actions_addchdir_np", "glibc 2.29");
    requirePidfd(libc);
    this.procTable = new LinuxProcTable(libc.sysconf(LinuxLibc.SC_CLK_TCK));
  }

  /**
   * Writes the sets as bit masks (signal n is bit n-1 of the first 64-bit word) instead of using
   * sigfillset: glibc's sigfillset and sigaddset leave out its internal signals 32 and 33, and
   * glibc's spawn then sets every blocked signal outside the default set that is internal to
   * SIG_IGN, so the child would start with 32 and 33 ignored. In the set they are reset to SIG_DFL
   * like the rest.
   */
  @Override
  void fillSignalSets(Pointer mask, Pointer defaults) {
    mask.setLong(0, 0L);
    defaults.setLong(0, ~0L & ~(1L << (SIGKILL - 1)) & ~(1L << (SIGSTOP - 1)));
  }

  @Override
  int addCloseInherited(Pointer fileActions) {
    return libc.posix_spawn_file_actions_addclosefrom_np(fileActions, 3);
  }

  @Override
  public Instant startTime(long pid) {
    return procTable.startTime(pid);
  }

  @Override
  public boolean isLive(long pid) {
    return procTable.isLive(pid);
  }

  @Override
  public ExitPoller openExitPoller() {
    return new LinuxExitPoller(libc, this);
  }

  @Override
  public Table scan(Set<Long> pgids, Instant markedSince) {
    return procTable.scan(pgids, markedSince);
  }

  @Override
  public Instant liveStartTime(long pid) {
    return procTable.liveStartTime(pid);
  }

  @Override
  public List<String> environment(long pid) {
    return procTable.environment(pid);
  }

  /**
   * Through a pidfd: {@code pidfd_open} pins the process, the start time is checked while it is
   * pinned, and {@code pidfd_send_signal} (Linux 5.1) signals exactly that process, so a pid
   * reused since the scan is never hit.
   */
  @Override
  public int signalIfSame(long pid, Instant startTime, int signal) {
    if (pid < 2) {
      throw new IllegalArgumentException("refusing to signal process " + pid);
    }
    int fd;
    try {
      fd = (int) libc.syscall(LinuxLibc.SYS_PIDFD_OPEN, (int) pid, 0);
    } catch (LastErrorException e) {
      return e.getErrorCode();
    }
    try {
      Instant now = procTable.startTime(pid);
      if (now == null || !now.equals(startTime)) {
        return Errno.ESRCH; // ended, and its pid names another process now
      }
      libc.syscall(LinuxLibc.SYS_PIDFD_SEND_SIGNAL, fd, signal, Pointer.NULL, 0);
      return 0;
    } catch (LastErrorException e) {
      return e.getErrorCode();
    } finally {
      closeQuietly(fd);
    }
  }

  /** {@code SO_PEERCRED}: the peer's {@code struct ucred}, whose first field is its pid. */
  @Override
  public long peerPid(int fd) {
    try (Memory credentials = PosixOs.zeroed(LinuxLibc.UCRED_SIZE)) {
      IntByReference length = new IntByReference(LinuxLibc.UCRED_SIZE);
      libc.getsockopt(fd, LinuxLibc.SOL_SOCKET, LinuxLibc.SO_PEERCRED, credentials, length);
      return length.getValue() >= 4 ? credentials.getInt(0) : 0;
    } catch (LastErrorException e) {
      return -e.getErrorCode();
    }
  }

  private static void requireFunction(String name, String since) {
    try {
      NativeLibrary.getInstance("c").getFunction(name);
    } catch (UnsatisfiedLinkError e) {
      throw new UnsupportedOperationException(
          "the C library lacks " + name + ": SentinelZero needs " + since + " or later", e);
    }
  }

  private void requirePidfd(LinuxLibc libc) {
    try {
      int fd = (int) libc.syscall(LinuxLibc.SYS_PIDFD_OPEN, (int) ProcessHandle.current().pid(), 0);
      closeQuietly(fd);
    } catch (LastErrorException e) {
      throw new UnsupportedOperationException(
          "pidfd_open failed ("
              + strerror(e.getErrorCode())
              + "): SentinelZero needs Linux 5.3 or later",
          e);
    }
  }
}
