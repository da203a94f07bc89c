package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.protocol.HealthCheck;
import dev.sentinelzero.protocol.ProcessStatus;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health checks, with Docker HEALTHCHECK's semantics: while a process with a check runs, a check
 * every interval; its health is {@code starting} until the first pass, {@code healthy} after a
 * pass, {@code unhealthy} after {@code retries} failures in a row (failures within the start
 * period not counted while still {@code starting}). On becoming unhealthy the check's action
 * applies: {@code restart} ends the run (the restart policy starts the next), {@code stop} stops
 * the process, {@code none} only reports. Changes of health are logged and recorded as events of
 * kind {@code health}.
 *
 * <p>Thread: owned by the supervisor thread, which calls every method here; the timer and the
 * prober only post back to it. It owns the prober and the health fields of each {@link
 * ManagedProcess} ({@code health}, {@code healthFailures}, {@code healthOutput}, {@code
 * healthTimer}, {@code healthToken}). A round of checks has a token, so the result of a check of
 * an earlier run, or of a check since replaced, is ignored.
 */
final class HealthMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

  private final Store store;
  private final Clock clock;
  private final LongSupplier ticker;
  private final Timer timer;
  private final EventLoop loop;
  private final Supervised supervised;
  private HealthProber prober;

  /**
   * @param ticker monotonic nanoseconds, for the start period
   * @param timer runs the interval between checks
   */
  HealthMonitor(
      HealthProber prober,
      Store store,
      Clock clock,
      LongSupplier ticker,
      Timer timer,
      EventLoop loop,
      Supervised supervised) {
    this.prober = prober;
    this.store = store;
    this.clock = clock;
    this.ticker = ticker;
    this.timer = timer;
    this.loop = loop;
    this.supervised = supervised;
  }

  /** For tests: checks whose results the test decides. */
  void useProber(HealthProber replacement) {
    prober.close();
    prober = replacement;
  }

  /** The process has started running: a new round of checks, the first after the interval. */
  void start(ManagedProcess p) {
    stop(p);
    if (p.spec.health() == null) {
      return;
    }
    p.health = "starting";
    scheduleCheck(p);
  }

  /** Stops checking health (the process is no longer running, or its check changed). */
  void stop(ManagedProcess p) {
    if (p.healthTimer != null) {
      p.healthTimer.cancel();
    }
    p.healthTimer = null;
    p.healthToken++;
    p.health = null;
    p.healthFailures = 0;
  }

  /** The process's check was set or cleared: a running process starts a new round at once. */
  void checkChanged(ManagedProcess p) {
    stop(p);
    p.healthOutput = null;
    if (p.state() == ProcessState.RUNNING) {
      start(p);
    }
  }

  @Override
  public void close() {
    prober.close();
  }

  private void scheduleCheck(ManagedProcess p) {
    long token = p.healthToken;
    String name = p.name();
    p.healthTimer =
        timer.schedule(
            p.spec.health().intervalMs(),
            () -> loop.post(() -> runCheck(name, token)));
  }

  private void runCheck(String name, long token) {
    ManagedProcess p = supervised.process(name);
    if (p == null || p.healthToken != token || p.state() != ProcessState.RUNNING || p.spec.health() == null) {
      return;
    }
    long runId = p.run.id;
    prober
        .probe(p.spec, p.spec.health())
        .whenComplete(
            (result, error) ->
                loop.post(
                    () ->
                        onResult(
                            name,
                            token,
                            runId,
                            error == null ? result : new HealthProber.Result(false, "check failed: " + error))));
  }

  private void onResult(String name, long token, long runId, HealthProber.Result result) {
    ManagedProcess p = supervised.process(name);
    if (p == null || p.healthToken != token || p.run == null || p.run.id != runId
        || p.state() != ProcessState.RUNNING) {
      return; // a check of an earlier run, or of a check since replaced
    }
    HealthCheck check = p.spec.health();
    p.healthOutput = result.output();
    String before = p.health;
    if (result.passed()) {
      p.health = "healthy";
      p.healthFailures = 0;
    } else {
      long age = (ticker.getAsLong() - p.run.startNanos) / 1_000_000;
      if (age >= check.startPeriodMs() || !"starting".equals(p.health)) {
        p.healthFailures++;
      }
      if (p.healthFailures >= check.retries()) {
        p.health = "unhealthy";
      }
    }
    if (!p.health.equals(before)) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("health", p.health);
      data.put("output", p.healthOutput);
      data.put("failures", p.healthFailures);
      store.appendEvent(clock.instant(), name, "health", p.health + ": " + p.healthOutput, data);
      log.info("{}: health {} -> {} ({})", name, before, p.health, p.healthOutput);
    }
    if ("unhealthy".equals(p.health) && !"unhealthy".equals(before)) {
      String note = "unhealthy: " + firstLine(p.healthOutput);
      switch (check.action()) {
        case HealthCheck.RESTART:
          supervised.endRun(p, note);
          return; // the exit restarts it under its policy; no more checks for this run
        case HealthCheck.STOP:
          supervised.stop(p, ProcessStatus.REASON_UNHEALTHY, "stopped: " + note);
          return;
        default:
          break;
      }
    }
    scheduleCheck(p);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
