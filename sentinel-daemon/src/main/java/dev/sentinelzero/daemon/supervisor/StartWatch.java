package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.supervisor.Supervisor.EarlyExit;
import dev.sentinelzero.protocol.ExitInfo;
import java.util.concurrent.CompletableFuture;

/**
 * A start request that waits ({@code wait_ms}) to see its run through its first moments, as
 * supervisord's {@code startsecs} does: it is answered once the run has stayed up for the window,
 * or as soon as the run ends within it (after its restart policy has acted, so the answer shows
 * the backoff or the give-up that followed). A run ended by a stop within the window is not an
 * early exit: someone stopped it.
 *
 * <p>Thread: supervisor thread; the timer only posts back to it.
 */
final class StartWatch {
  private final Timer timer;
  private final EventLoop loop;

  StartWatch(Timer timer, EventLoop loop) {
    this.timer = timer;
    this.loop = loop;
  }

  /**
   * Watches the current run of {@code p} for {@code waitMs}: completes with null when it stays up
   * that long (or there is no run to watch), with how it ended when it ends first.
   */
  CompletableFuture<EarlyExit> watch(ManagedProcess p, long waitMs) {
    ManagedProcess.Run run = p.run;
    if (waitMs <= 0 || run == null || !ProcessState.ACTIVE.contains(p.state())) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<EarlyExit> seen = run.startWatch;
    if (seen == null) {
      seen = new CompletableFuture<>();
      run.startWatch = seen;
    }
    CompletableFuture<EarlyExit> watched = seen;
    Timer.Cancellable window = timer.schedule(waitMs, () -> loop.post(() -> watched.complete(null)));
    watched.whenComplete((v, e) -> window.cancel());
    return watched;
  }

  /**
   * The leader of {@code run} exited and the supervisor has acted on it.
   *
   * @param byStop whether a stop ended it
   * @param ranMs how long the run lasted
   */
  static void ended(ManagedProcess.Run run, ExitInfo exit, long ranMs, boolean byStop) {
    if (run.startWatch != null) {
      run.startWatch.complete(byStop ? null : new EarlyExit(exit, ranMs));
    }
  }
}
