package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * macOS 11 or later ({@link MacRelease} says why), written from Apple's headers and the xnu
 * sources, not yet run on a Mac.
 *
 * <ul>
 *   <li>posix_spawn: {@code POSIX_SPAWN_CLOEXEC_DEFAULT} (0x4000) makes only descriptors opened by
 *       file actions survive; the file actions and attributes are pointers to heap objects that
 *       {@code *_init} allocates, so {@code *_destroy} matters. {@code sigset_t} is a 32-bit mask
 *       (bit n-1 for signal n) and is written directly.
 *   <li>siginfo_t: si_signo @0, si_errno @4, si_code @8, si_pid @12, si_uid @16, si_status @20
 *       ({@code sys/signal.h}); only used when an exit was not seen through kqueue.
 *   <li>Liveness and group members: {@code proc_listpids(PROC_PGRP_ONLY, pgid)} per group, then
 *       {@code proc_pidinfo(PROC_PIDT_SHORTBSDINFO)} with arg 0 ({@link MacShortInfo}), which
 *       fails for zombies (xnu's {@code proc_find} skips them) and, unlike {@code
 *       PROC_PIDTBSDINFO}, answers for a process of another user too; pbsi_status and pbsi_pgid
 *       are checked as well.
 *   <li>Start time: pbi_start_tvsec/pbi_start_tvusec of {@code struct proc_bsdinfo} (136 bytes,
 *       {@code PROC_PIDTBSDINFO}, this user's processes only), read with arg 1 so that it is found
 *       for a zombie too.
 *   <li>A socket client's pid: {@code getsockopt(SOL_LOCAL, LOCAL_PEERPID)} ({@code sys/un.h}), a
 *       {@code pid_t}: the last process that used the peer's socket ({@code so->last_pid}, in
 *       {@code bsd/kern/uipc_usrreq.c}), which is the client that connected unless it handed the
 *       descriptor on.
 *   <li>Marked processes ({@link #scan}): the user's processes ({@code proc_listpids(PROC_UID_ONLY,
 *       euid)}), their start time from {@code PROC_PIDTBSDINFO}, and for those started late
 *       enough their environment from {@code sysctl KERN_PROCARGS2}, parsed by {@link
 *       MacProcArgs}.
 * </ul>
 */
final class MacOs extends PosixOs {
  private static final int SIGKILL = 9;
  private static final int SIGSTOP = 17;

  private static final Constants CONSTANTS =
      new Constants(
          (short)
              (MacLibc.POSIX_SPAWN_SETPGROUP
                  | MacLibc.POSIX_SPAWN_SETSIGMASK
                  | MacLibc.POSIX_SPAWN_SETSIGDEF
                  | MacLibc.POSIX_SPAWN_CLOEXEC_DEFAULT),
          MacLibc.O_RDONLY,
          MacLibc.O_WRONLY | MacLibc.O_CREAT | MacLibc.O_APPEND | MacLibc.O_NOFOLLOW,
          MacLibc.P_PID,
          MacLibc.WEXITED,
          MacLibc.WNOHANG,
          MacLibc.WNOWAIT,
          8,
          12,
          20,
          35,
          62,
          MacLibc.PATH_MAX - 1);

  /** One {@code kern.argmax}-sized buffer for KERN_PROCARGS2 reads is allocated per scan. */
  private static final int ARGS_FALLBACK_BYTES = 1 << 20;

  private final MacLibc libc;

  MacOs() {
    this(MacLibc.INSTANCE);
  }

  private MacOs(MacLibc libc) {
    super(libc, CONSTANTS, SignalTable.macos());
    this.libc = libc;
    String refusal = MacRelease.refusal(osRelease(libc));
    if (refusal != null) {
      throw new UnsupportedOperationException(refusal);
    }
    try {
      NativeLibrary.getInstance("System").getFunction("posix_spawn_file_actions_addchdir_np");
    } catch (UnsatisfiedLinkError e) {
      throw new UnsupportedOperationException(
          "posix_spawn_file_actions_addchdir_np is missing: SentinelZero needs macOS 10.15 or"
              + " later",
          e);
    }
  }

  @Override
  void fillSignalSets(Pointer mask, Pointer defaults) {
    mask.setInt(0, 0);
    int all = 0x7fffffff; // signals 1..31
    defaults.setInt(0, all & ~(1 << (SIGKILL - 1)) & ~(1 << (SIGSTOP - 1)));
  }

  @Override
  int addCloseInherited(Pointer fileActions) {
    return 0; // POSIX_SPAWN_CLOEXEC_DEFAULT, set in the attribute flags, does it
  }

  @Override
  public Instant startTime(long pid) {
    try (Memory info = PosixOs.zeroed(MacLibc.PROC_BSDINFO_SIZE)) {
      if (bsdInfo(pid, info, true) == null) {
        return null;
      }
      return Instant.ofEpochSecond(
          info.getLong(MacLibc.PBI_START_TVSEC_OFFSET),
          info.getLong(MacLibc.PBI_START_TVUSEC_OFFSET) * 1000);
    }
  }

  @Override
  public boolean isLive(long pid) {
    try (Memory info = PosixOs.zeroed(MacShortInfo.SIZE)) {
      MacShortInfo shortInfo = shortInfo(libc, pid, info);
      return shortInfo != null && shortInfo.live();
    }
  }

  @Override
  public Instant liveStartTime(long pid) {
    return isLive(pid) ? startTime(pid) : null;
  }

  @Override
  public List<String> environment(long pid) {
    int argMax = argMax(libc);
    try (Memory args = new Memory(argMax)) {
      return environment(libc, pid, args, argMax);
    }
  }

  /** The start time is compared first; the window to the kill(2) is a few microseconds. */
  @Override
  public int signalIfSame(long pid, Instant startTime, int signal) {
    Instant now = liveStartTime(pid);
    if (now == null || !now.equals(startTime)) {
      return Errno.ESRCH;
    }
    return signalProcess(pid, signal);
  }

  @Override
  public ExitPoller openExitPoller() {
    return new MacExitPoller(libc, this);
  }

  @Override
  public Table scan(Set<Long> pgids, Instant markedSince) {
    Map<Long, List<Long>> members = new HashMap<>();
    try (Memory info = PosixOs.zeroed(MacShortInfo.SIZE)) {
      for (long pgid : pgids) {
        List<Long> live = new ArrayList<>();
        for (int pid : groupPids(pgid)) {
          MacShortInfo member = shortInfo(libc, pid, info);
          if (member != null && member.liveMemberOf(pgid)) {
            live.add((long) pid);
          }
        }
        if (!live.isEmpty()) {
          members.put(pgid, live);
        }
      }
    }
    List<Marked> marked = markedSince == null ? List.of() : marked(markedSince);
    return new Table(members, marked);
  }

  /**
   * The live processes of this user started at or after {@code since} whose environment carries a
   * marker: one pass over {@code proc_listpids(PROC_UID_ONLY, euid)}; for each, {@code
   * PROC_PIDTBSDINFO} (status, group, start time), then for those started late enough {@code
   * sysctl KERN_PROCARGS2}, read into one buffer of {@code kern.argmax} bytes. A process that ends
   * meanwhile, or whose environment the kernel will not show, is skipped.
   */
  private List<Marked> marked(Instant since) {
    List<Marked> out = new ArrayList<>();
    int argMax = argMax(libc);
    long self = ProcessHandle.current().pid();
    try (Memory info = PosixOs.zeroed(MacLibc.PROC_BSDINFO_SIZE);
        Memory args = new Memory(argMax)) {
      for (int pid : listPids(libc, MacLibc.PROC_UID_ONLY, libc.geteuid())) {
        if (pid == self || bsdInfo(libc, pid, info, false) == null
            || info.getInt(MacLibc.PBI_STATUS_OFFSET) == MacLibc.SZOMB) {
          continue;
        }
        Instant start =
            Instant.ofEpochSecond(
                info.getLong(MacLibc.PBI_START_TVSEC_OFFSET),
                info.getLong(MacLibc.PBI_START_TVUSEC_OFFSET) * 1000);
        if (start.isBefore(since)) {
          continue;
        }
        long pgid = Integer.toUnsignedLong(info.getInt(MacLibc.PBI_PGID_OFFSET));
        List<String> environment = environment(libc, pid, args, argMax);
        RunMark mark = environment == null ? null : RunMark.parse(environment);
        if (mark != null) {
          out.add(new Marked(pid, pgid, sid(libc, pid), start, mark));
        }
      }
    }
    return out;
  }

  /** {@code getsid(pid)} (no permission check: {@code bsd/kern/kern_prot.c}); -1 if gone. */
  private static long sid(MacLibc libc, int pid) {
    try {
      return libc.getsid(pid);
    } catch (LastErrorException e) {
      return -1;
    }
  }

  /** A process's environment from KERN_PROCARGS2; null if the kernel will not show it. */
  private static List<String> environment(MacLibc libc, long pid, Memory args, int argMax) {
    LongByReference length = new LongByReference(argMax);
    try {
      libc.sysctl(
          new int[] {MacLibc.CTL_KERN, MacLibc.KERN_PROCARGS2, (int) pid}, 3, args, length, null, 0);
    } catch (LastErrorException e) {
      return null; // EINVAL: gone meanwhile, or not ours to read
    }
    int bytes = (int) Math.min(length.getValue(), argMax);
    return MacProcArgs.environment(args.getByteArray(0, bytes), bytes, ByteOrder.nativeOrder());
  }

  /**
   * {@code LOCAL_PEERPID}: the pid of the last process to use the peer's socket ({@code
   * last_pid}; xnu {@code bsd/kern/uipc_usrreq.c}), normally the client that connected.
   */
  @Override
  public long peerPid(int fd) {
    try (Memory pid = PosixOs.zeroed(4)) {
      IntByReference length = new IntByReference(4);
      libc.getsockopt(fd, MacLibc.SOL_LOCAL, MacLibc.LOCAL_PEERPID, pid, length);
      return length.getValue() == 4 ? pid.getInt(0) : 0;
    } catch (LastErrorException e) {
      return -e.getErrorCode();
    }
  }

  /** {@code kern.argmax}: the size a KERN_PROCARGS2 buffer needs (1 MiB if it cannot be read). */
  private static int argMax(MacLibc libc) {
    try (Memory value = PosixOs.zeroed(Integer.BYTES)) {
      LongByReference length = new LongByReference(Integer.BYTES);
      libc.sysctl(new int[] {MacLibc.CTL_KERN, MacLibc.KERN_ARGMAX}, 2, value, length, null, 0);
      int bytes = value.getInt(0);
      return bytes > Integer.BYTES ? bytes : ARGS_FALLBACK_BYTES;
    } catch (LastErrorException e) {
      return ARGS_FALLBACK_BYTES;
    }
  }

  /** {@code kern.osrelease} ({@code 20.6.0}); null if it cannot be read. */
  private static String osRelease(MacLibc libc) {
    try (Memory value = PosixOs.zeroed(256)) {
      LongByReference length = new LongByReference(256);
      libc.sysctl(new int[] {MacLibc.CTL_KERN, MacLibc.KERN_OSRELEASE}, 2, value, length, null, 0);
      return value.getString(0, "US-ASCII");
    } catch (LastErrorException e) {
      return null;
    }
  }

  /** {@code PROC_PIDT_SHORTBSDINFO} with arg 0: null if the process is gone or a zombie. */
  private static MacShortInfo shortInfo(MacLibc libc, long pid, Memory info) {
    int bytes =
        libc.proc_pidinfo((int) pid, MacLibc.PROC_PIDT_SHORTBSDINFO, 0, info, MacShortInfo.SIZE);
    return MacShortInfo.decode(info.getByteBuffer(0, MacShortInfo.SIZE), bytes);
  }

  /** The pids proc_listpids reports for the group, zombies included. */
  private int[] groupPids(long pgid) {
    return listPids(libc, MacLibc.PROC_PGRP_ONLY, (int) pgid);
  }

  /** {@code proc_listpids(type, typeInfo)}, asking again with more room while the list fills it. */
  private static int[] listPids(MacLibc libc, int type, int typeInfo) {
    int needed = libc.proc_listpids(type, typeInfo, null, 0);
    int capacity = Math.max(needed / 4, 0) + 16;
    while (true) {
      try (Memory buffer = PosixOs.zeroed(capacity * 4)) {
        int bytes = libc.proc_listpids(type, typeInfo, buffer, capacity * 4);
        if (bytes <= 0) {
          return new int[0];
        }
        int count = bytes / 4;
        if (count < capacity) {
          int[] pids = buffer.getIntArray(0, count);
          return java.util.Arrays.stream(pids).filter(p -> p > 0).toArray();
        }
        capacity *= 2; // it may have filled the buffer: ask again with more room
      }
    }
  }

  /**
   * Fills info with the process's proc_bsdinfo; null if there is no such process, or it is another
   * user's (xnu answers PROC_PIDTBSDINFO only for the caller's uid: {@code proc_security_policy}
   * in {@code bsd/kern/proc_info.c}). With {@code includeZombies} false (arg 0), xnu does not
   * look at zombies either.
   */
  private Pointer bsdInfo(long pid, Memory info, boolean includeZombies) {
    return bsdInfo(libc, pid, info, includeZombies);
  }

  private static Pointer bsdInfo(MacLibc libc, long pid, Memory info, boolean includeZombies) {
    int bytes =
        libc.proc_pidinfo(
            (int) pid,
            MacLibc.PROC_PIDTBSDINFO,
            includeZombies ? 1 : 0,
            info,
            MacLibc.PROC_BSDINFO_SIZE);
    return bytes == MacLibc.PROC_BSDINFO_SIZE ? info : null;
  }
}
