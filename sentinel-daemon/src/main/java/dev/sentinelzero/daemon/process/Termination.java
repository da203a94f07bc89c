package dev.sentinelzero.daemon.process;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One pending {@link ProcessControl#terminateGroup}: the plan (first signal now, SIGKILL at the
 * deadline) and how far it has got. {@link #next} is pure: it takes the time and what the latest
 * scan saw, and says what to do; {@link GroupReaper} does it. Times are {@code System.nanoTime}-
 * style ticker readings, compared by subtraction so that a ticker near overflow works.
 *
 * <p>Thread: created by the caller of terminateGroup; {@link #next} and the progress fields only on
 * the group-reaper thread. The future may be read by anyone.
 */
final class Termination {
  /** The longest timeout honoured; longer ones are shortened so deadlines cannot overflow. */
  static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;

  enum Step {
    /** Send the first signal (the group has live members). */
    SIGNAL_FIRST,
    /** The deadline passed with live members left: send SIGKILL. */
    SIGNAL_KILL,
    /** No live member is left and the leader's exit is known: reap it and complete. */
    COMPLETE,
    /** Nothing to do until the next scan. */
    WAIT
  }

  private final long pgid;
  private final Signal first;
  private final long deadline;
  private final CompletableFuture<Void> future = new CompletableFuture<>();
  private boolean firstDone; // group-reaper thread only
  private boolean killSent; // group-reaper thread only

  Termination(long pgid, Signal first, long timeoutMillis, long now) {
    this.pgid = pgid;
    this.first = first;
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
    this.deadline = now + Math.min(timeoutNanos, MAX_TIMEOUT_NANOS);
  }

  long pgid() {
    return pgid;
  }

  Signal first() {
    return first;
  }

  CompletableFuture<Void> future() {
    return future;
  }

  boolean killSent() {
    return killSent;
  }

  /**
   * @param groupEmpty no live (non-zombie) member, the leader included, was seen
   * @param leaderDone the leader's exit has been observed, or there is no leader to wait for
   */
  Step next(long now, boolean groupEmpty, boolean leaderDone) {
    if (groupEmpty && leaderDone) {
      return Step.COMPLETE;
    }
    if (!firstDone) {
      firstDone = true;
      killSent = first.name().equals("KILL"); // nothing stronger to escalate to
      if (!groupEmpty) {
        return Step.SIGNAL_FIRST;
      }
    }
    if (!killSent && !groupEmpty && now - deadline >= 0) {
      killSent = true;
      return Step.SIGNAL_KILL;
    }
    return Step.WAIT;
  }

  /** Nanoseconds until SIGKILL would be due (0 if due now), or Long.MAX_VALUE once it was sent. */
  long nanosUntilKill(long now) {
    return killSent ? Long.MAX_VALUE : Math.max(0, deadline - now);
  }

  /**
   * How long to wait before scanning again after {@code step} scans in a row without news: at once,
   * then 5, 10, 20, 50 ms, then every 100 ms.
   */
  static long backoffMillis(int step) {
    long[] delays = {0, 5, 10, 20, 50, 100};
    return delays[Math.min(Math.max(step, 0), delays.length - 1)];
  }
}
