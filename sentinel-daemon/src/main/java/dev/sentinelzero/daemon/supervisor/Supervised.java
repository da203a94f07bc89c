package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.protocol.ProcessSpec;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The supervisor as its collaborators ({@link HealthMonitor}, {@link LimitMonitor}, {@link
 * ExtraRuns}, {@link RunHistory}) see it: the processes it owns, run ids, group teardown, and the
 * two transitions a collaborator may ask for when a process misbehaves.
 *
 * <p>Thread: supervisor thread only, like every collaborator that calls it.
 */
interface Supervised {
  /** The process of that name, or null. */
  ManagedProcess process(String name);

  /** Every process, in definition order. */
  Collection<ManagedProcess> processes();

  /** An id for a new run (main and extra runs share one sequence). */
  long newRunId();

  /**
   * Tears down a process group the way its definition says: its stop signal (TERM if this system
   * lacks it), SIGKILL after its stop timeout. Completes once the group is gone and its leader
   * reaped.
   */
  CompletableFuture<Void> tearDown(ProcessSpec spec, long pid);

  /**
   * Ends the current run on the daemon's own initiative (a failed health check, a breached
   * limit): its group is torn down, and its exit, with {@code note} in front of how it ended, goes
   * to the restart policy like any other exit.
   */
  void endRun(ManagedProcess p, String note);

  /**
   * Stops the process on the daemon's own initiative (a failed health check, a breached limit):
   * RUNNING -> STOPPING, for {@code why}, and it is then desired stopped, so that it stays
   * stopped (with this reason) across a daemon restart.
   *
   * @param code the stop's reason code and the desired state's cause: {@code
   *     ProcessStatus.REASON_UNHEALTHY} or {@code ProcessStatus.REASON_LIMIT}
   */
  void stop(ManagedProcess p, String code, String why);
}
