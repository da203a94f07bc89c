package dev.sentinelzero.daemon.process;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The native calls of one operating system, and nothing else: no threads, no state about children.
 * {@link LinuxOs} and {@link MacOs} implement it; {@link NativeProcessControl} builds the
 * supervisor-facing behaviour on top. Every method may be called from any thread.
 */
interface NativeOs {
  SignalTable signals();

  /** The C library's description of an error number. */
  String strerror(int errno);

  /**
   * Spawns the program as described in {@link ProcessControl#spawn}.
   *
   * @return the child's pid
   */
  int spawn(LaunchSpec spec) throws LaunchException;

  /** When the process started, as the kernel recorded it; null if it cannot be read. */
  Instant startTime(long pid);

  /** Whether a process with this pid exists and is not a zombie. */
  boolean isLive(long pid);

  /** A new exit poller; the caller owns it and must close it. */
  ExitPoller openExitPoller();

  /**
   * {@code waitid(P_PID, pid, WEXITED | WNOHANG | WNOWAIT)}: how our child ended, without reaping
   * it. Null while it has not ended (or has only stopped); {@link ExitStatus.Unknown} if it is not
   * our child (ECHILD).
   */
  ExitStatus peekExit(long pid);

  /** Decodes a wait(2) status word; null if it does not describe an ended process. */
  ExitStatus decodeWaitStatus(int status);

  /** What a non-blocking reap found. */
  enum Reap {
    /** Reaped now. */
    REAPED,
    /**
     * Our child, but not a zombie yet: {@code waitpid(WNOHANG)} returned 0. On macOS this happens
     * right after NOTE_EXIT, which xnu posts before the process becomes a zombie ({@code
     * bsd/kern/kern_exit.c}: the knote is activated in {@code proc_exit} before {@code p_stat =
     * SZOMB}); ask again shortly.
     */
    NOT_YET,
    /** Not our child, or reaped already (ECHILD). */
    NOT_OURS
  }

  /** Reaps our ended child without blocking. */
  Reap reap(long pid);

  /**
   * Reaps our child, waiting for it to end: only for a child just sent SIGKILL, or one whose exit
   * has been reported (on macOS it may not be a zombie for a moment after NOTE_EXIT).
   */
  void reapBlocking(long pid);

  /**
   * {@code kill(-pgid, signal)}.
   *
   * @return 0, or the error number (ESRCH: no such group; EPERM: a member is not ours to signal)
   * @throws IllegalArgumentException if pgid is below 2 (0 and 1 would signal our own group or
   *     every process)
   */
  int signalGroup(long pgid, int signal);

  /** {@code kill(pid, signal)}, returning 0 or the error number; pid must be at least 2. */
  int signalProcess(long pid, int signal);

  /**
   * The live (not zombie) members of each of the given groups, in one pass over the process table
   * where the platform allows it. Groups without live members are absent from the result.
   */
  default Map<Long, List<Long>> liveMembers(Set<Long> pgids) {
    return scan(pgids, null).members();
  }

  /**
   * A live process whose environment carries a supervision marker.
   *
   * @param sid its session id, -1 if unknown
   */
  record Marked(long pid, long pgid, long sid, Instant startTime, RunMark mark) {
    /**
     * Whether it may be a run's leader: it leads its process group but not a session. A leader is
     * spawned into a new group of the daemon's session and cannot call setsid (POSIX refuses it
     * to a group leader), so a marked session leader is one of the run's processes that left
     * with {@code setsid}.
     */
    boolean mayLeadARun() {
      return pid == pgid && sid != pid;
    }
  }

  /**
   * What one pass over the process table saw.
   *
   * @param members the live members of each group asked about, as {@link #liveMembers}
   * @param marked the live marked processes started at or after the time asked for; empty when
   *     none was asked for
   */
  record Table(Map<Long, List<Long>> members, List<Marked> marked) {}

  /**
   * One pass over the process table: the live members of {@code pgids} and, when {@code
   * markedSince} is not null, every live process of this user started at or after it whose
   * environment carries a marker ({@link RunMark}), the calling process excepted. Reading
   * environments is the costly part, so only processes started since then are read: a run's
   * descendants cannot have started before its leader.
   */
  Table scan(Set<Long> pgids, Instant markedSince);

  /** The start time of a live (not zombie) process; null if it is gone or a zombie. */
  Instant liveStartTime(long pid);

  /** The environment of a live process ({@code NAME=value} strings); null if it cannot be read. */
  List<String> environment(long pid);

  /**
   * Sends a signal to one process, only if the pid still names the process that started at {@code
   * startTime} (a process that is not our child may have ended and its pid been reused). On Linux
   * through a pidfd, so the check and the signal name the same process.
   *
   * @return 0, or the error number (ESRCH when it is gone or its pid names another process)
   */
  int signalIfSame(long pid, Instant startTime, int signal);

  /**
   * The pid of the process at the other end of a connected Unix-domain socket: on Linux the one
   * that called connect(2), on macOS the last one to use the peer's socket.
   *
   * @param fd the socket's descriptor, open for the whole call
   * @return the pid; 0 when the kernel does not know it (a peer in another pid namespace); or
   *     minus the error number of the failed getsockopt
   */
  long peerPid(int fd);

  /**
   * Whether the other end of a connected stream socket has closed it, as opposed to only shutting
   * down its writing side (a half-close, after which it still reads): {@code poll} with {@code
   * POLLOUT} and no wait, looking for {@code POLLHUP}. Linux sets POLLHUP on a Unix-domain socket
   * only once both directions are shut down (the peer closed); macOS sets it for a write filter
   * when the socket can send no more ({@code SS_CANTSENDMORE}, set when the peer disconnects, not
   * when it only shuts down its writing side).
   *
   * @param fd the socket's descriptor, open for the whole call
   * @return 1 when the peer closed (or the socket is in error), 0 when it is still there, or minus
   *     the error number of a failed poll
   */
  int peerHungUp(int fd);
}
