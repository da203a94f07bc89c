package dev.sentinelzero.daemon.process;

import java.nio.channels.SocketChannel;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The daemon's only door to the operating system's process calls: spawning into a new process
 * group, noticing exits, signalling and tearing down whole groups, reaping, and sampling resource
 * use. Everything native lives behind it, in this package; the supervisor talks only to this
 * interface, and its tests may replace it with a fake whose exits they complete by hand.
 *
 * <p>Lifecycle of a child: {@link #spawn} starts it as the leader of a new process group (pgid ==
 * pid). When the leader exits, the exit listener given to {@code spawn} is called once, on the
 * exit-watcher thread, with its {@link ExitStatus}; the leader is not reaped yet (it stays a zombie
 * so that its pid, and so the group id, cannot be reused while other members may live). The owner
 * then calls {@link #terminateGroup} (at once for a stop, or after an exit to clear stragglers),
 * whose future completes when no live process is left in the group and the leader has been reaped.
 *
 * <p>Implementations are thread-safe.
 */
public interface ProcessControl extends AutoCloseable {

  /**
   * Starts a process as the leader of a new process group, with a clean signal mask and default
   * signal dispositions, no inherited file descriptors beyond 0-2, stdin from /dev/null, and
   * stdout/stderr opened in append mode straight onto the given files (created 0600, never through
   * a symbolic link: a link at either path fails the launch). Returns once the process exists.
   *
   * <p>The child's environment is the spec's plus {@code SENTINEL_RUN_ID}, a marker unique to this
   * run (across daemons too) that every process it starts inherits: {@link #terminateGroup} finds
   * by it the run's processes that left the group.
   *
   * @param onExit called once, on the exit-watcher thread, when the leader exits; must not block.
   *     It may run before {@code spawn} returns (a child that ends at once), and it always runs
   *     before a {@link #terminateGroup} future for this group completes.
   * @throws LaunchException when the program could not be started (nothing is left running)
   */
  ChildProcess spawn(LaunchSpec spec, Consumer<ExitStatus> onExit) throws LaunchException;

  /**
   * Watches a process this daemon did not spawn, or spawned in an earlier run (it is no longer our
   * child), so that {@link #terminateGroup} can tear its group down (and its run's processes that
   * left the group, by the marker its environment carries: a run id, or for a process started by
   * an earlier build, its home and name) and {@code onExit} learns of its end. Its exit status can
   * be read only on macOS 11 and later (kqueue's NOTE_EXITSTATUS); elsewhere {@code onExit} gets
   * {@link ExitStatus.Unknown}. It is never reaped here (its parent, usually init, does that).
   *
   * @param process its pid and the start time recorded when it was spawned (compared within 2
   *     seconds, since on Linux a clock step shifts it); a null start time skips the check that the
   *     pid still names the same process
   * @param onExit called once, on the exit-watcher thread, when it exits; must not block
   * @return false (and {@code onExit} is never called) if no process with that pid and start time
   *     exists any more
   */
  default boolean adopt(ChildProcess process, Consumer<ExitStatus> onExit) {
    throw new UnsupportedOperationException(getClass().getName() + " cannot adopt processes");
  }

  /**
   * Sends a signal to every process in the group {@code pgid}.
   *
   * @return false when the group no longer exists
   * @throws IllegalArgumentException if pgid is below 2 ({@code kill(0)} and {@code kill(-1)} would
   *     reach the daemon's own group or every process)
   */
  boolean signalGroup(long pgid, Signal signal);

  /**
   * Ends the group {@code pgid}: sends {@code first} to the group now (unless it is already empty
   * of live processes), SIGKILL to the group if any live member remains after {@code timeoutMs},
   * and completes the future once no live member is left and the leader (if it is our child) has
   * been reaped. Calling it again for a group already being terminated returns the same future (a
   * second, stronger signal may still be sent with {@link #signalGroup}).
   *
   * <p>When the group's leader was spawned or adopted here, the run's processes that left the group
   * ({@code setsid}, {@code setpgid}; re-parented away) are ended with it: found by the run's
   * marker in their environment, sent the same signals at the same times, and waited for. A
   * process that both leaves the group and scrubs its environment cannot be found.
   *
   * <p>Unless {@code first} is KILL or CONT, SIGCONT follows it, so that stopped members act on it.
   * The future completes on the group-reaper thread: attach only quick actions, or use the {@code
   * *Async} variants. After {@link #close} it completes exceptionally.
   */
  CompletableFuture<Void> terminateGroup(long pgid, Signal first, long timeoutMs);

  /**
   * Ends every live process of this user that carries the home's marker ({@code SENTINEL_HOME_ID})
   * but belongs to no run known here (spawned or adopted and not yet torn down), nor to a group
   * being torn down: what earlier runs left behind. Same discipline as {@link #terminateGroup}:
   * {@code first} (and SIGCONT), SIGKILL after {@code timeoutMs}, complete when none is left. A
   * daemon calls it after stopping everything (then every marked process goes) and after adopting
   * at start (then the leftovers of runs that ended while no daemon watched go). Calling it again
   * while one runs for the same home returns the same future.
   */
  default CompletableFuture<Void> terminateStrays(String homeId, Signal first, long timeoutMs) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Whether a live process carries the marker of a run watched here (spawned or adopted, not yet
   * torn down), other than as its leader: one of that run's processes, which its teardown ends,
   * not a run of its own. False when its environment cannot be read.
   */
  default boolean belongsToWatchedRun(long pid) {
    return false;
  }

  /** The signal of the given name ({@code TERM}, {@code SIGTERM}, {@code term}) or number. */
  Signal signal(String nameOrNumber) throws IllegalArgumentException;

  /**
   * Resource use of each group, summed over its live members: CPU since the previous sample of that
   * group (percent of one core) and resident memory. Groups without live members are left out.
   * Costs one pass over the process table plus one look-up per member: call it from a sampling or
   * request thread, never the supervisor's.
   */
  Map<Long, ResourceUsage> sample(Collection<Long> pgids);

  /**
   * The pid of the client at the other end of the daemon's socket, for the transaction log:
   * Linux's {@code SO_PEERCRED} (the process that called connect(2)), macOS's {@code
   * LOCAL_PEERPID} (the last process to use the client's socket, which is the one that connected
   * unless it passed the descriptor on).
   * Call it on the thread that owns the channel, while it is open.
   *
   * @param channel a connection accepted on a Unix-domain server socket
   * @return the client's pid, or null when it cannot be read (see {@code ChannelFds}: the JVM needs
   *     {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED}); this implementation always null
   */
  default Long peerPid(SocketChannel channel) {
    return null;
  }

  /**
   * Whether the client at the other end of a daemon connection has closed it, rather than only
   * shut down its writing side (a half-close: {@code socat} and {@code nc} do that when their
   * input ends, and still read the answers). Call it on the thread that owns the channel, while it
   * is open, once a read has seen the end of the client's input.
   *
   * @return true when the client closed, false when it only half-closed, or null when it cannot
   *     be told (see {@code ChannelFds}); this implementation always null
   */
  default Boolean peerHungUp(SocketChannel channel) {
    return null;
  }

  /** Stops the exit watcher and frees native resources. */
  @Override
  void close();
}
