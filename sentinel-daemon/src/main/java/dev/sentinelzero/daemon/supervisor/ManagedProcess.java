package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.policy.RestartPolicies;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * One supervised process: its definition, its state, and its current (or last) run.
 *
 * <p>Thread: owned by the supervisor thread; nothing else reads or writes it. Other threads see it
 * only through the immutable {@code ProcessStatus} snapshots the supervisor hands out.
 */
final class ManagedProcess {
  /** One spawn of the process: what the exit and teardown events of that spawn refer to. */
  static final class Run {
    final long id;
    final long pid;
    final Instant startedAt;
    final long startNanos;
    /** Completes once the run's process group is gone and its leader reaped; null until asked. */
    CompletableFuture<Void> teardown;
    /** Set when the daemon ends this run on its own (failed health check, resource limit). */
    String unhealthy;
    /** Resource-limit window of this run (written by LimitMonitor only, like limitReported). */
    final dev.sentinelzero.daemon.policy.LimitWatch limits = new dev.sentinelzero.daemon.policy.LimitWatch();
    /** A limit with action {@code log} was reported and the run has not been back under since. */
    boolean limitReported;
    /** Its row in the run history, or -1 (see RunHistory). */
    long historyId = -1;
    /**
     * A start request waiting to see this run through its first moments (StartWatch's): completed
     * with how the run ended if it ends first, with null once the window has passed.
     */
    CompletableFuture<Supervisor.EarlyExit> startWatch;

    Run(long id, long pid, Instant startedAt, long startNanos) {
      this.id = id;
      this.pid = pid;
      this.startedAt = startedAt;
      this.startNanos = startNanos;
    }
  }

  ProcessSpec spec;
  /**
   * A scheduled job: its runs are started by its schedule (or by request), never because the
   * daemon started, so its stored desired state stays {@code stopped}.
   */
  boolean scheduled;
  /** Runs of a job with overlap {@code allow} started beside the main one, by run id (ExtraRuns's). */
  final java.util.Map<Long, Run> extraRuns = new java.util.LinkedHashMap<>();
  /**
   * Whether the daemon keeps it running (starts it with the daemon, restarts it under its policy),
   * and who or what said so (a {@code ProcessStatus.BY_*} code); stored with it. A scheduled job's
   * is always {@code false}, by {@code schedule}.
   */
  boolean desiredRunning;

  String desiredBy = ProcessStatus.BY_REQUEST;
  /** Why the start after the current stop happens ({@code replace}), or null for a request. */
  RunCause afterStopCause;
  private ProcessState state = ProcessState.STOPPED;
  private String reason = "defined, not started";
  private String reasonCode = dev.sentinelzero.protocol.ProcessStatus.REASON_DEFINED;
  /** Consecutive failed starts (runs shorter than the policy's min uptime, launch failures). */
  int failedStarts;
  /** Ticker reading at the first failed start of the current streak. */
  long streakStartNanos;
  /** The pending automatic start (backoff or cooldown), or null. */
  Timer.Cancellable pendingStart;
  /** When the pending automatic start is due, or null. */
  Instant pendingStartAt;
  /** Identifies the pending automatic start, so a late timer event of a cancelled one is ignored. */
  long pendingStartToken;
  // Health-check state: written by HealthMonitor only.
  /** {@code starting}, {@code healthy}, {@code unhealthy} while running with a check; else null. */
  String health;
  /** Failed checks in a row (those in the start period not counted). */
  int healthFailures;
  /** The last check's output, trimmed. */
  String healthOutput;
  /** The next scheduled check, or null. */
  Timer.Cancellable healthTimer;
  /** Identifies the current round of checks; a result of an older round is ignored. */
  long healthToken;
  /**
   * The current run was started for a fire time of its schedule: until it ends with a success
   * code its changes are routine and recorded in the history only (Transitions).
   */
  boolean routineRun;
  /** While it restarts often: its crash-loop bookkeeping (written by Transitions only), else null. */
  Transitions.CrashLoop crashLoop;
  Run run;
  ExitInfo lastExit;
  long spawns;
  /** Runs its restart policy started (what {@code restarts} shows for a scheduled job). */
  long retries;
  /** Requests waiting for the current stop to finish. */
  final List<CompletableFuture<Void>> stopWaiters = new ArrayList<>();
  /** What to do once the current stop has finished. */
  AfterStop afterStop = AfterStop.NOTHING;

  enum AfterStop {
    NOTHING,
    START,
    REMOVE
  }

  ManagedProcess(ProcessSpec spec) {
    this.spec = spec;
  }

  ProcessState state() {
    return state;
  }

  String reason() {
    return reason;
  }

  String name() {
    return spec.name();
  }

  long restarts() {
    return Math.max(0, spawns - 1);
  }

  String reasonCode() {
    return reasonCode;
  }

  /**
   * The one place a state changes (the supervisor records it: {@link Transitions}).
   *
   * @param code a stable reason code ({@code ProcessStatus.REASON_*})
   */
  void moveTo(ProcessState to, String code, String why) {
    state = to;
    reasonCode = code;
    reason = why;
  }

  /** Takes the state the previous daemon saved, at load: no transition, so nothing is logged. */
  void restoreState(ProcessState to, String code, String why) {
    state = to;
    reasonCode = code;
    reason = why;
  }

  /**
   * The snapshot other threads see.
   *
   * @param ticker monotonic nanoseconds, for the uptime
   */
  ProcessStatus status(LongSupplier ticker) {
    boolean live = run != null && ProcessState.ACTIVE.contains(state);
    return new ProcessStatus(
        name(),
        state.wireName(),
        live ? run.pid : null,
        run == null ? null : run.startedAt,
        live ? Math.max(0, (ticker.getAsLong() - run.startNanos) / 1_000_000) : null,
        scheduled ? retries : restarts(),
        lastExit,
        reason,
        null,
        null,
        CommandText.of(spec),
        spec,
        reasonCode,
        pendingStartAt,
        RestartPolicies.attemptsLeft(spec.restart(), failedStarts),
        health,
        healthOutput,
        desiredRunning ? ProcessStatus.DESIRED_RUNNING : ProcessStatus.DESIRED_STOPPED,
        scheduled ? ProcessStatus.BY_SCHEDULE : desiredBy);
  }

  /** Calls off a pending automatic start. */
  void cancelPendingStart() {
    if (pendingStart != null) {
      pendingStart.cancel();
    }
    pendingStart = null;
    pendingStartAt = null;
    pendingStartToken++;
  }
}
