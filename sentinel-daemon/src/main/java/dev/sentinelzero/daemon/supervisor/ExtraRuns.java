package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.process.ChildProcess;
import dev.sentinelzero.daemon.process.ExitStatus;
import dev.sentinelzero.daemon.process.LaunchException;
import dev.sentinelzero.daemon.process.LaunchSpec;
import dev.sentinelzero.daemon.process.ProcessControl;
import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.daemon.store.StoreException;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RunRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extra runs of a scheduled job with overlap {@code allow}: runs started beside its main run
 * when a fire comes while it runs. Each is watched, recorded in the history, torn down (its whole
 * group) when it exits or when its process is stopped or removed, and adopted again by a daemon
 * started after a crash. They never move the process's state: its state machine follows the main
 * run only.
 *
 * <p>Thread: owned by the supervisor thread, which calls every method here; exits and teardowns
 * are posted back to it. It owns each {@link ManagedProcess}'s {@code extraRuns} (written here
 * only).
 */
final class ExtraRuns {
  private static final Logger log = LoggerFactory.getLogger(ExtraRuns.class);

  private final ProcessControl os;
  private final Store store;
  private final LaunchPlanner planner;
  private final Clock clock;
  private final LongSupplier ticker;
  private final RunHistory history;
  private final EventLoop loop;
  private final Supervised supervised;

  /** @param ticker monotonic nanoseconds, for the runs' start times */
  ExtraRuns(
      ProcessControl os,
      Store store,
      LaunchPlanner planner,
      Clock clock,
      LongSupplier ticker,
      RunHistory history,
      EventLoop loop,
      Supervised supervised) {
    this.os = os;
    this.store = store;
    this.planner = planner;
    this.clock = clock;
    this.ticker = ticker;
    this.history = history;
    this.loop = loop;
    this.supervised = supervised;
  }

  /** Starts a run beside the main one; returns its pid. */
  long start(ManagedProcess p, RunCause cause) throws ProtocolException {
    String name = p.name();
    LaunchSpec launch;
    try {
      launch = planner.plan(p.spec);
    } catch (ProtocolException e) {
      history.launchFailed(name, cause, history.launchFailure(e.getMessage())); // as a main run's
      throw e;
    }
    long runId = supervised.newRunId();
    ChildProcess child;
    try {
      child = os.spawn(launch, status -> loop.post(() -> onExit(name, runId, status)));
    } catch (LaunchException e) {
      history.launchFailed(name, cause, history.launchFailure(e.getMessage()));
      throw new ProtocolException(ErrorCode.LAUNCH_FAILED, "cannot start " + name + ": " + e.getMessage());
    }
    ManagedProcess.Run run = new ManagedProcess.Run(runId, child.pid(), clock.instant(), ticker.getAsLong());
    p.extraRuns.put(runId, run); // watched and stopped with its job, whatever the store says below
    try {
      history.opened(name, cause, run, child);
      store.commit(); // as in Supervisor.spawn: the pid is on disk before anything else happens
      store.begin();
    } catch (StoreException e) {
      // The process runs; only a daemon crash before it ends could lose track of it.
      log.error("{}: cannot record the run beside the main one (pid {})", name, child.pid(), e);
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("pid", child.pid());
    data.put("reason", cause.reason());
    store.appendEvent(clock.instant(), name, "running", "another run started beside the running one, pid " + child.pid(), data);
    log.info("{}: another run started beside the running one, pid {}", name, child.pid());
    return child.pid();
  }

  /** Tears down every extra run of {@code p}; completes when their groups are gone. */
  CompletableFuture<Void> stop(ManagedProcess p) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (ManagedProcess.Run run : p.extraRuns.values()) {
      if (run.teardown == null) {
        tearDown(p, run);
      }
      all.add(run.teardown.handle((v, e) -> null));
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
  }

  /** Adds the extra runs of {@code p} whose groups are not gone yet: a description to its pid. */
  void addUnstopped(ManagedProcess p, Map<String, Long> out) {
    for (ManagedProcess.Run extra : p.extraRuns.values()) {
      if (extra.teardown == null || !extra.teardown.isDone()) {
        out.put(p.name() + " (a run beside the main one, pid " + extra.pid + ")", extra.pid);
      }
    }
  }

  /** At start: takes over an extra run a previous daemon started (its open history row); false if it is gone. */
  boolean adopt(ManagedProcess p, RunRecord open) {
    long runId = supervised.newRunId();
    String name = p.name();
    try {
      boolean alive =
          os.adopt(
              new ChildProcess(open.pid(), store.schedules().startTimeOf(open.id())),
              status -> loop.post(() -> onExit(name, runId, status)));
      if (!alive) {
        return false;
      }
    } catch (RuntimeException e) {
      log.warn("{}: cannot adopt pid {}: {}", name, open.pid(), e.getMessage());
      return false;
    }
    long ageMs = Math.max(0, Duration.between(open.startedAt(), clock.instant()).toMillis());
    ManagedProcess.Run run = new ManagedProcess.Run(runId, open.pid(), open.startedAt(), ticker.getAsLong() - ageMs * 1_000_000);
    run.historyId = open.id();
    p.extraRuns.put(runId, run);
    log.info("{}: adopted pid {}, a run beside the main one", name, open.pid());
    return true;
  }

  private void onExit(String name, long runId, ExitStatus status) {
    ManagedProcess p = supervised.process(name);
    ManagedProcess.Run run = p == null ? null : p.extraRuns.get(runId);
    if (run == null) {
      return;
    }
    ExitInfo exit = history.exitInfo(status);
    history.ended(run, exit);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("pid", run.pid);
    data.put("last_exit", exit.toJson());
    store.appendEvent(clock.instant(), name, "exited", "a run beside the main one (pid " + run.pid + ") " + exit.message(), data);
    if (run.teardown == null) {
      tearDown(p, run); // clears what it left in its group, and reaps it
    }
  }

  private void tearDown(ManagedProcess p, ManagedProcess.Run run) {
    run.teardown = supervised.tearDown(p.spec, run.pid);
    run.teardown.whenComplete((v, e) -> loop.post(() -> p.extraRuns.remove(run.id)));
  }
}
