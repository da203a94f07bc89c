package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.policy.RestartDecision;
import dev.sentinelzero.daemon.policy.RestartPolicies;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RestartPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The restart policy's decisions turned into transitions. A run that ended by itself (or could not
 * be launched) is restarted now, backs off (BACKOFF, its start pending on the timer), gives up
 * (FAILED, tried again with fresh counts after a cooldown if there is one) or stays ended (EXITED
 * or FAILED); a process that stays ended, or gives up with no cooldown, is then desired stopped,
 * so that the next daemon leaves it as it is. The decision itself is {@link
 * RestartPolicies#decide} (pure); this feeds it the run's length and the jitter, and owns the
 * pending automatic starts, which a new daemon resumes where the last one left them ({@link
 * #resume}).
 *
 * <p>Thread: supervisor thread; the timer only posts back to it.
 */
final class Restarts {
  /** Smallest delay before retrying a program that could not be launched. */
  static final long LAUNCH_RETRY_MIN_MS = 1000;

  /** The moves of the state machine that the restarts make (the supervisor's; its thread only). */
  interface Machine {
    /** The process of that name, or null (removed). */
    ManagedProcess process(String name);

    /** The one way a state changes: logged, recorded, saved. */
    void moveTo(ManagedProcess p, ProcessState to, String code, String why);

    /** STARTING -> RUNNING, or -> FAILED and the exception when it cannot be launched. */
    void spawn(ManagedProcess p, String code, String why, RunCause cause) throws ProtocolException;

    /** Sets (and stores) whether the daemon keeps the process running, and why. */
    void want(ManagedProcess p, boolean running, String by);

    /** Saves the process's state for the next daemon (after a change of its pending start). */
    void saveState(ManagedProcess p);

    /** Forgets the recorded run: nothing of it is left to adopt. */
    void forgetRun(ManagedProcess p);

    /** A scheduled job's run is over (what its overlap queue waits for). */
    void runEnded(ManagedProcess p);
  }

  private final Machine machine;
  private final Clock clock;
  private final LongSupplier ticker;
  private final Timer timer;
  private final DoubleSupplier random;
  private final EventLoop loop;

  /**
   * @param ticker monotonic nanoseconds, for the streak of failed starts
   * @param random uniform numbers in [0, 1), for the jitter
   */
  Restarts(Machine machine, Clock clock, LongSupplier ticker, Timer timer, DoubleSupplier random, EventLoop loop) {
    this.machine = machine;
    this.clock = clock;
    this.ticker = ticker;
    this.timer = timer;
    this.random = random;
    this.loop = loop;
  }

  /** A start the restart policy asked for (after a delay or a cooldown). */
  void autoStart(ManagedProcess p, String code, String why) {
    autoStart(p, code, why, RunCause.RETRY);
  }

  /** A start nobody waits for (the policy's, the daemon's own): a launch failure is a failed start. */
  void autoStart(ManagedProcess p, String code, String why, RunCause cause) {
    try {
      machine.spawn(p, code, why, cause);
    } catch (ProtocolException e) {
      // The program could not be launched: a failed start, under the same policy.
      afterEnd(p, RestartPolicies.Ending.launchFailure(), 0);
    }
  }

  /**
   * A run ended by itself (or could not be launched): restart now, restart after a delay (->
   * BACKOFF), give up (-> FAILED, maybe with a cooldown), or stay ended (-> EXITED / FAILED).
   *
   * @param runMillis how long the run lasted (0 for a launch failure)
   */
  void afterEnd(ManagedProcess p, RestartPolicies.Ending ending, long runMillis) {
    RestartPolicy policy = p.spec.restart();
    int before = p.failedStarts;
    RestartDecision decision =
        RestartPolicies.decide(policy, ending, runMillis, before, random.getAsDouble());
    p.failedStarts = decision.failedStarts();
    if (before == 0 && decision.failedStarts() > 0) {
      p.streakStartNanos = ticker.getAsLong();
    }
    String ended = ended(p);
    String endCode = endCode(ending);
    if (!(decision instanceof RestartDecision.Restart)
        || ((RestartDecision.Restart) decision).delayMs() > 0
        || ending.launchFailed()) {
      machine.forgetRun(p); // an immediate restart records its new run in place of this one
    }
    if (decision instanceof RestartDecision.Stay) {
      boolean clean =
          ending.exitCode() != null && !ending.launchFailed() && policy.isSuccess(ending.exitCode());
      machine.moveTo(p, clean ? ProcessState.EXITED : ProcessState.FAILED, endCode, ended);
      machine.want(p, false, ProcessStatus.BY_EXITED);
      if (p.scheduled) {
        machine.runEnded(p);
      }
    } else if (decision instanceof RestartDecision.GiveUp) {
      String why =
          "gave up: "
              + ended
              + ", "
              + decision.failedStarts()
              + " failed starts in a row within "
              + humanMillis((ticker.getAsLong() - p.streakStartNanos) / 1_000_000);
      machine.moveTo(p, ProcessState.FAILED, ProcessStatus.REASON_GAVE_UP, why);
      if (policy.cooldownMs() != null) {
        schedule(p, policy.cooldownMs(), ProcessStatus.REASON_COOLDOWN, "tried again after the cooldown", true);
      } else {
        machine.want(p, false, ProcessStatus.BY_GAVE_UP);
      }
      if (p.scheduled) {
        machine.runEnded(p); // after the cooldown is planned: a queued run that starts calls it off
      }
    } else {
      long delay = ((RestartDecision.Restart) decision).delayMs();
      if (ending.launchFailed()) {
        delay = Math.max(delay, LAUNCH_RETRY_MIN_MS); // never a tight loop of failing launches
      }
      String why = "restarted: " + ended;
      if (delay == 0) {
        autoStart(p, ProcessStatus.REASON_RESTARTING, why);
      } else {
        machine.moveTo(p, ProcessState.BACKOFF, endCode, ended + "; restarting in " + humanMillis(delay));
        schedule(p, delay, ProcessStatus.REASON_RESTARTING, why, false);
      }
    }
  }

  /**
   * At daemon start: takes up the automatic start the previous daemon had pending for a process
   * in BACKOFF (its restart) or FAILED (the fresh try after the cooldown), due at {@code due}, or
   * at once if that has passed. Its count of failed starts is the one it had.
   */
  void resume(ManagedProcess p, Instant due) {
    long delay = Math.max(0, due.toEpochMilli() - clock.millis());
    if (p.state() == ProcessState.BACKOFF) {
      schedule(p, delay, ProcessStatus.REASON_RESTARTING, "restarted: " + ended(p), false);
    } else {
      schedule(p, delay, ProcessStatus.REASON_COOLDOWN, "tried again after the cooldown", true);
    }
  }

  /** How the last run ended, for a reason: {@code exited with code 1}. */
  private static String ended(ManagedProcess p) {
    return p.lastExit == null ? "ended" : p.lastExit.message();
  }

  private void schedule(ManagedProcess p, long delayMs, String code, String why, boolean freshCounters) {
    p.cancelPendingStart();
    long token = p.pendingStartToken;
    String name = p.name();
    p.pendingStartAt = clock.instant().plusMillis(delayMs);
    machine.saveState(p); // with when it is due: the next daemon keeps to it
    p.pendingStart =
        timer.schedule(
            delayMs,
            () ->
                loop.post(
                    () -> {
                      ManagedProcess q = machine.process(name);
                      if (q != p || q.pendingStartToken != token || q.pendingStart == null) {
                        return; // called off meanwhile
                      }
                      if (freshCounters) {
                        q.failedStarts = 0;
                      }
                      autoStart(q, code, why);
                    }));
  }

  private static String endCode(RestartPolicies.Ending ending) {
    if (ending.launchFailed()) {
      return ProcessStatus.REASON_LAUNCH_FAILED;
    }
    return ending.signal() != null ? ProcessStatus.REASON_KILLED : ProcessStatus.REASON_EXITED;
  }

  /** A duration for a reason: {@code 200ms}, {@code 3.2s}, {@code 4m05s}. */
  static String humanMillis(long ms) {
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    Duration d = Duration.ofMillis(ms);
    return d.toMinutes() + "m" + String.format(Locale.ROOT, "%02d", d.toSecondsPart()) + "s";
  }
}
