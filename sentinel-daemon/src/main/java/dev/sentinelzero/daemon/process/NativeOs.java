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

  /**
   * Reaps our ended child without blocking.
   *
   * @return true if it was reaped now
   */
  boolean reap(long pid);

  /** Reaps our child, waiting for it to end: only for a child just sent SIGKILL. */
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
  Map<Long, List<Long>> liveMembers(Set<Long> pgids);

  /**
   * The pid of the process at the other end of a connected Unix-domain socket, as the kernel
   * recorded it when that process called connect(2).
   *
   * @param fd the socket's descriptor, open for the whole call
   * @return the pid; 0 when the kernel does not know it (a peer in another pid namespace); or
   *     minus the error number of the failed getsockopt
   */
  long peerPid(int fd);
}
