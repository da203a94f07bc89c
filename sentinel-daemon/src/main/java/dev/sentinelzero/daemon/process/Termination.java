package dev.sentinelzero.daemon.process;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One pending {@link ProcessControl#terminateGroup} (or {@link ProcessControl#terminateStrays}):
 * the plan (first signal now, SIGKILL at the deadline) and how far it has got.
 *
 * <p>Besides the group it follows the run's escapees: the processes carrying the run's marker
 * that left the group. The process table is searched for them (their environments read, the
 * costly part) only on the passes that need it ({@link #markerScanDue}): the first (so the first
 * signal reaches them), the one after SIGKILL is sent, and once more when the group and every
 * escapee known so far are gone, before completing, so one that appeared meanwhile is not missed.
 * Between those, the known escapees are checked one by one. {@link #next} is pure: it takes the time and what the latest
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
  private final RunMark mark;
  private final Instant markedSince;
  private final String strayHome;
  private final CompletableFuture<Void> future = new CompletableFuture<>();
  private boolean firstDone; // group-reaper thread only
  private boolean killSent; // group-reaper thread only
  private final Map<Long, Instant> escapees = new HashMap<>(); // group-reaper thread only
  private boolean markerScanDue; // group-reaper thread only
  private boolean confirmed; // group-reaper thread only

  /** A group alone, no marker to follow. */
  Termination(long pgid, Signal first, long timeoutMillis, long now) {
    this(pgid, first, timeoutMillis, now, null, null, null);
  }

  /**
   * @param pgid the group, or 0 for a sweep of strays (no group)
   * @param mark the run's marker (its escapees are followed), or null
   * @param markedSince the leader's start: no escapee can have started before it
   * @param strayHome for a sweep: the home whose unwatched marked processes are ended
   */
  Termination(
      long pgid,
      Signal first,
      long timeoutMillis,
      long now,
      RunMark mark,
      Instant markedSince,
      String strayHome) {
    this.pgid = pgid;
    this.first = first;
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
    this.deadline = now + Math.min(timeoutNanos, MAX_TIMEOUT_NANOS);
    this.mark = mark;
    this.markedSince = markedSince == null ? Instant.EPOCH : markedSince;
    this.strayHome = strayHome;
    this.markerScanDue = followsMarks();
  }

  /** Whether escapees are followed: a known run marker, or a sweep. */
  boolean followsMarks() {
    return mark != null || strayHome != null;
  }

  RunMark mark() {
    return mark;
  }

  String strayHome() {
    return strayHome;
  }

  /** Processes started before this cannot be escapees. */
  Instant markedSince() {
    return markedSince;
  }

  /** Whether the next pass should search the process table for marked processes. */
  boolean markerScanDue() {
    return markerScanDue;
  }

  /** Asks for a marker search on the next pass (after SIGKILL; before completing). */
  void requestMarkerScan() {
    markerScanDue = followsMarks();
  }

  /** A pass searched for marked processes. */
  void markerScanned() {
    markerScanDue = false;
  }

  /**
   * Whether completing may go ahead: no marker to follow, or this very pass searched for marked
   * processes (or an earlier pass did and confirmed). Otherwise asks for a search on the next pass.
   */
  boolean mayComplete(boolean scannedThisPass) {
    if (!followsMarks() || confirmed || scannedThisPass) {
      confirmed = true;
      return true;
    }
    requestMarkerScan();
    return false;
  }

  /** The escapees known to be alive: pid to start time. Group-reaper thread only. */
  Map<Long, Instant> escapees() {
    return escapees;
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
