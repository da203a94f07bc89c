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
 * macOS 10.15 or later, written from Apple's headers and the xnu sources, not yet run on a Mac.
 *
 * <ul>
 *   <li>posix_spawn: {@code POSIX_SPAWN_CLOEXEC_DEFAULT} (0x4000) makes only descriptors opened by
 *       file actions survive; the file actions and attributes are pointers to heap objects that
 *       {@code *_init} allocates, so {@code *_destroy} matters. {@code sigset_t} is a 32-bit mask
 *       (bit n-1 for signal n) and is written directly.
 *   <li>siginfo_t: si_signo @0, si_errno @4, si_code @8, si_pid @12, si_uid @16, si_status @20
 *       ({@code sys/signal.h}); only used when an exit was not seen through kqueue.
 *   <li>Group members: {@code proc_listpids(PROC_PGRP_ONLY, pgid)} per group, then {@code
 *       proc_pidinfo(PROC_PIDTBSDINFO)} with arg 0, which fails for zombies (xnu's {@code
 *       proc_find} skips them); pbi_status and pbi_pgid are checked as well.
 *   <li>Start time: pbi_start_tvsec/pbi_start_tvusec of {@code struct proc_bsdinfo} (136 bytes),
 *       read with arg 1 so that it is found for a zombie too.
 *   <li>A socket client's pid: {@code getsockopt(SOL_LOCAL, LOCAL_PEERPID)} ({@code sys/un.h}), a
 *       {@code pid_t}.
 *   <li>Marked processes ({@link #markedLeaders}): the environment from {@code sysctl
 *       KERN_PROCARGS2}, parsed by {@link MacProcArgs}.
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
          MacLibc.O_WRONLY | MacLibc.O_CREAT | MacLibc.O_APPEND,
          MacLibc.P_PID,
          MacLibc.WEXITED,
          MacLibc.WNOHANG,
          MacLibc.WNOWAIT,
          8,
          12,
          20,
          35);

  private final MacLibc libc;

  MacOs() {
    this(MacLibc.INSTANCE);
  }

  private MacOs(MacLibc libc) {
    super(libc, CONSTANTS, SignalTable.macos());
    this.libc = libc;
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
    try (Memory info = PosixOs.zeroed(MacLibc.PROC_BSDINFO_SIZE)) {
      Pointer bsd = bsdInfo(pid, info, false);
      return bsd != null && bsd.getInt(MacLibc.PBI_STATUS_OFFSET) != MacLibc.SZOMB;
    }
  }

  @Override
  public ExitPoller openExitPoller() {
    return new MacExitPoller(libc, this);
  }

  @Override
  public Map<Long, List<Long>> liveMembers(Set<Long> pgids) {
    Map<Long, List<Long>> members = new HashMap<>();
    try (Memory info = PosixOs.zeroed(MacLibc.PROC_BSDINFO_SIZE)) {
      for (long pgid : pgids) {
        List<Long> live = new ArrayList<>();
        for (int pid : groupPids(pgid)) {
          Pointer bsd = bsdInfo(pid, info, false);
          if (bsd != null
              && bsd.getInt(MacLibc.PBI_STATUS_OFFSET) != MacLibc.SZOMB
              && Integer.toUnsignedLong(bsd.getInt(MacLibc.PBI_PGID_OFFSET)) == pgid) {
            live.add((long) pid);
          }
        }
        if (!live.isEmpty()) {
          members.put(pgid, live);
        }
      }
    }
    return members;
  }

  /** {@code LOCAL_PEERPID}: the peer's pid as of its connect(2). */
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

  /**
   * The live process-group leaders of this user whose environment carries the home's marker: pid
   * to the process name they were started as (see {@link MarkedProcesses}). One pass over the
   * user's processes ({@code proc_listpids(PROC_UID_ONLY, euid)}); for each, {@code
   * proc_pidinfo} (pgid == pid, not a zombie), then {@code sysctl KERN_PROCARGS2} for its
   * environment, read into one buffer of {@code kern.argmax} bytes. A process that ends meanwhile,
   * or whose environment the kernel will not show, is skipped.
   */
  static Map<Long, String> markedLeaders(String homeId) {
    MacLibc libc = MacLibc.INSTANCE;
    Map<Long, String> out = new HashMap<>();
    int argMax = argMax(libc);
    if (argMax <= Integer.BYTES) {
      return out;
    }
    try (Memory info = PosixOs.zeroed(MacLibc.PROC_BSDINFO_SIZE);
        Memory args = new Memory(argMax)) {
      for (int pid : listPids(libc, MacLibc.PROC_UID_ONLY, libc.geteuid())) {
        Pointer bsd = bsdInfo(libc, pid, info, false);
        if (bsd == null
            || bsd.getInt(MacLibc.PBI_STATUS_OFFSET) == MacLibc.SZOMB
            || bsd.getInt(MacLibc.PBI_PGID_OFFSET) != pid) {
          continue; // gone, a zombie, or not the leader of its own group
        }
        LongByReference length = new LongByReference(argMax);
        try {
          libc.sysctl(
              new int[] {MacLibc.CTL_KERN, MacLibc.KERN_PROCARGS2, pid}, 3, args, length, null, 0);
        } catch (LastErrorException e) {
          continue; // EINVAL: gone meanwhile, or not ours to read
        }
        int bytes = (int) Math.min(length.getValue(), argMax);
        List<String> environment =
            MacProcArgs.environment(args.getByteArray(0, bytes), bytes, ByteOrder.nativeOrder());
        String name = MarkedProcesses.markedName(environment, homeId);
        if (name != null) {
          out.put((long) pid, name);
        }
      }
    }
    return out;
  }

  /** {@code kern.argmax}: the size a KERN_PROCARGS2 buffer needs; 0 if it cannot be read. */
  private static int argMax(MacLibc libc) {
    try (Memory value = PosixOs.zeroed(Integer.BYTES)) {
      LongByReference length = new LongByReference(Integer.BYTES);
      libc.sysctl(new int[] {MacLibc.CTL_KERN, MacLibc.KERN_ARGMAX}, 2, value, length, null, 0);
      return value.getInt(0);
    } catch (LastErrorException e) {
      return 0;
    }
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
   * Fills info with the process's proc_bsdinfo; null if there is no such process. With {@code
   * includeZombies} false (arg 0), xnu does not look at zombies either.
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
