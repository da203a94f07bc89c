package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.logs.LogFiles;
import dev.sentinelzero.daemon.policy.RestartPolicies;
import dev.sentinelzero.daemon.process.ChildProcess;
import dev.sentinelzero.daemon.process.ExitStatus;
import dev.sentinelzero.daemon.process.LaunchException;
import dev.sentinelzero.daemon.process.LaunchSpec;
import dev.sentinelzero.daemon.process.MarkedProcesses;
import dev.sentinelzero.daemon.process.ProcessControl;
import dev.sentinelzero.daemon.process.Signal;
import dev.sentinelzero.daemon.schedule.Scheduler;
import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.daemon.store.StoreException;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.FireTime;
import dev.sentinelzero.protocol.HealthCheck;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.ResourceLimits;
import dev.sentinelzero.protocol.RestartPolicy;
import dev.sentinelzero.protocol.RunRecord;
import dev.sentinelzero.protocol.Schedule;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor: owns every process's state and drives each through its state machine.
 *
 * <p>Design. One thread, {@code sentinel-supervisor}, owns all mutable state here (the process
 * table, each {@link ManagedProcess}, the store). Everything else posts to it: socket handlers call
 * the public methods, which queue a task and return a future; the exit watcher's callbacks and the
 * process layer's teardown completions queue events. Nothing blocks this thread but a spawn
 * (about a millisecond) and a SQLite commit (about 0.15 ms), so a thousand processes stay
 * responsive, and no lock guards the state: races cannot be written.
 *
 * <p>A run's exit and its group's teardown are separate events. The exit (the leader is dead,
 * still unreaped) records how the run ended and moves a running process to {@code exited} or
 * {@code failed}; the teardown (no live process left in the group, leader reaped) is what a
 * {@code stop} waits for, so that a stop never returns while a grandchild lives. Events carry the
 * run's id, and an event of an older run never moves the current one.
 *
 * <p>Every change the client is told about is committed to the store before the reply, so it
 * survives the daemon being killed right after.
 *
 * <p>Every process has a desired state (running or stopped) and a record of who or what set it
 * (a request, its policy giving up, its own success exit, a limit, a health check, its schedule),
 * stored in the transaction of the change, and each transition saves the state it leaves the
 * process in ({@link SavedState}); that is all a new daemon needs to bring back exactly what was
 * running or backing off ({@link Recovery}).
 *
 * <p>What is here: the requests and each process's state machine (spawn, stop, exit, teardown,
 * adoption). The rest lives beside it, each piece owned by the supervisor thread: {@link EventLoop}
 * (the thread itself, one transaction per task), {@link Restarts} (the restart policy's decisions
 * turned into transitions, and the pending automatic starts), {@link Recovery} (what a starting
 * daemon does with what the last one left), {@link StartWatch} (a start that waits to see its run
 * stay up), {@link AuditTrail} (requests' entries in the transaction log), {@link HealthMonitor}
 * (health checks), {@link LimitMonitor} (resource limits), {@link ExtraRuns} (the runs of {@code
 * allow} jobs beside their main run), {@link RunHistory} (the history of runs) and {@link
 * ScheduledJobs} (fires turned into runs). They call back only through {@link Supervised}, {@link
 * Recovery.Machine} and {@link ScheduledJobs.Runs}.
 */
public final class Supervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  private final EventLoop loop;
  private final ProcessControl os;
  private final Store store;
  private final LaunchPlanner planner;
  private final Map<String, String> daemonEnvironment;
  private final Clock clock;
  private final LongSupplier ticker;
  private final Timer timer;
  private final HealthMonitor health;
  private final LimitMonitor limitMonitor;
  private final RunHistory runHistory;
  private final ExtraRuns extraRuns;
  private final Supervised supervised = new Actions();
  private final ScheduledJobs jobs;
  private final AuditTrail audits;
  private final StartWatch startWatch;
  private final Restarts restarts;
  private final Recovery recovery;
  private final DiskWatch disk;
  private final Transitions transitions;

  // Owned by the supervisor thread.
  private final Map<String, ManagedProcess> processes = new LinkedHashMap<>();
  private long nextRunId = 1;
  private boolean shuttingDown;

  /**
   * @param clock wall time, for timestamps shown to users
   * @param ticker monotonic nanoseconds, for uptimes and run lengths
   * @param timer runs restart delays and cooldowns
   * @param random uniform numbers in [0, 1), for restart jitter
   */
  public Supervisor(
      ProcessControl os,
      Store store,
      LogFiles logFiles,
      Map<String, String> daemonEnvironment,
      Clock clock,
      LongSupplier ticker,
      Timer timer,
      DoubleSupplier random) {
    this.os = os;
    this.store = store;
    this.planner = new LaunchPlanner(daemonEnvironment, logFiles);
    this.daemonEnvironment = Map.copyOf(daemonEnvironment);
    this.clock = clock;
    this.ticker = ticker;
    this.timer = timer;
    this.jobs = new ScheduledJobs(store, clock, timer, new JobRuns());
    this.audits = new AuditTrail(store, clock);
    this.loop = new EventLoop(store, audits, () -> shuttingDown, this::afterTask);
    this.disk = new DiskWatch(store, timer, event -> loop.post(event), logFiles.directory(), ticker);
    this.transitions =
        new Transitions(store, clock, ticker, timer, event -> loop.post(event), p -> processes.get(p.name()) == p);
    this.health =
        new HealthMonitor(
            new HealthProbes(os, planner, logFiles, timer), store, clock, ticker, timer, loop, supervised);
    this.limitMonitor = new LimitMonitor(os, store, clock, ticker, loop, supervised);
    this.runHistory = new RunHistory(store.schedules(), clock);
    this.extraRuns = new ExtraRuns(os, store, planner, clock, ticker, runHistory, loop, supervised);
    this.startWatch = new StartWatch(timer, loop);
    Moves moves = new Moves();
    this.restarts = new Restarts(moves, clock, ticker, timer, random, loop);
    this.recovery =
        new Recovery(
            moves, store, jobs, runHistory, extraRuns, supervised, os, restarts, clock, ticker,
            daemonEnvironment.get(MarkedProcesses.HOME_ID));
  }

  /** After each task's commit (supervisor thread). */
  private void afterTask() {
    try {
      disk.afterTask();
    } catch (RuntimeException e) {
      log.error("cannot check whether the disk took the last changes", e);
    }
  }

  /**
   * While the disk refuses writes (changes wait in memory for space): what the answer to a change
   * must add; null while everything is saved. Any thread; as of the last task.
   */
  public String unsavedWarning() {
    return disk.unsavedWarning();
  }

  /** Tries now to save what waits for space; true when everything is saved. */
  public CompletableFuture<Boolean> saveNow() {
    return loop.onLoop(store::retry);
  }

  /** Whether the daemon can write its files, for {@code daemon status}. */
  public CompletableFuture<dev.sentinelzero.protocol.DiskStatus> diskStatus() {
    return loop.onLoop(disk::report);
  }

  /**
   * The result of a request that changes a process: its state after, and whether it changed.
   *
   * @param earlyExit for a start that waited ({@code wait_ms}): how its run ended within the
   *     window, or null (it stayed up, or the request did not wait)
   * @param adjusted restart-policy fields the daemon moved though the request did not set them
   *     ({@code RestartPolicy.adjusted}); empty when none
   */
  public record Outcome(
      ProcessStatus process, boolean changed, EarlyExit earlyExit, Map<String, Object> adjusted) {
    public Outcome(ProcessStatus process, boolean changed) {
      this(process, changed, null, Map.of());
    }
  }

  /**
   * How a run that a start request waited on ended within the window.
   *
   * @param ranMs how long it ran
   */
  public record EarlyExit(ExitInfo exit, long ranMs) {}

  // ---------------------------------------------------------------------------------------------
  // Requests. Each runs on the supervisor thread; the future completes when the request is done.

  /**
   * Loads the stored definitions and brings back exactly what should run, and no more: see {@link
   * Recovery}. So a daemon killed at any moment starts nothing twice, leaves nothing untracked,
   * and starts nothing that was not meant to run.
   */
  public CompletableFuture<Void> restore() {
    return loop.call(
        () -> {
          recovery.restore(processes);
          return null;
        });
  }

  /**
   * Defines a process and starts it. The definition is checked (name, command, program,
   * directory) before anything is stored.
   */
  public CompletableFuture<Outcome> define(ProcessSpec spec, boolean replace) {
    return define(spec, replace, 0);
  }

  /**
   * Like {@link #define(ProcessSpec, boolean)}; with {@code waitMs > 0} the answer waits until
   * the new run has stayed up that long, or has ended ({@link Outcome#earlyExit}).
   */
  public CompletableFuture<Outcome> define(ProcessSpec spec, boolean replace, long waitMs) {
    return loop.callAsync(
        () -> {
          checkDefinition(spec);
          ManagedProcess existing = processes.get(spec.name());
          if (existing != null && existing.scheduled) {
            throw new ProtocolException(
                ErrorCode.CONFLICT,
                spec.name()
                    + " is a scheduled job; redefine it with: sentinel schedule --replace --name "
                    + spec.name()
                    + " ..., or remove it first: sentinel schedule remove "
                    + spec.name());
          }
          if (existing != null && !replace) {
            throw new ProtocolException(
                ErrorCode.CONFLICT,
                "a process named "
                    + spec.name()
                    + " already exists; add --replace to redefine it, or run: sentinel start "
                    + spec.name());
          }
          store.saveProcess(spec, true);
          if (existing == null) {
            ManagedProcess p = new ManagedProcess(spec);
            p.desiredRunning = true;
            processes.put(p.name(), p);
            try {
              spawn(p, ProcessStatus.REASON_MANUAL, "started by request", RunCause.MANUAL);
            } catch (ProtocolException e) {
              processes.remove(p.name());
              store.deleteProcess(p.name());
              store.schedules().deleteHistory(p.name()); // its failed launch: nothing is left of it
              throw e;
            }
            return answerOnceStarted(p, waitMs);
          }
          existing.spec = spec;
          want(existing, true, ProcessStatus.BY_REQUEST);
          if (ProcessState.ACTIVE.contains(existing.state())) {
            existing.afterStop = ManagedProcess.AfterStop.START;
            return beginStop(existing, ProcessStatus.REASON_MANUAL, "replaced by a new definition")
                .thenCompose(v -> loop.submit(() -> answerOnceStarted(existing, waitMs), false));
          }
          startByRequest(existing);
          return answerOnceStarted(existing, waitMs);
        });
  }

  /** Starts a defined process; a running one is left alone ({@code changed == false}). */
  public CompletableFuture<Outcome> start(String name) {
    return start(name, 0);
  }

  /**
   * Starts a defined process: one in backoff or failed is started now, with fresh counts; one
   * being stopped is started once the stop is done; a running one is left alone ({@code changed
   * == false}). The process is then desired running (a job's runs stay its schedule's). With
   * {@code waitMs > 0} the answer waits until the new run has stayed up that long, or has ended
   * ({@link Outcome#earlyExit}).
   */
  public CompletableFuture<Outcome> start(String name, long waitMs) {
    return loop.callAsync(
        () -> {
          ManagedProcess p = require(name);
          want(p, true, ProcessStatus.BY_REQUEST);
          switch (p.state()) {
            case STARTING:
            case RUNNING:
              return CompletableFuture.completedFuture(new Outcome(status(p), false));
            case STOPPING:
              p.afterStop = ManagedProcess.AfterStop.START;
              return awaitStop(p).thenCompose(v -> loop.submit(() -> answerOnceStarted(p, waitMs), false));
            default:
              startByRequest(p);
              return answerOnceStarted(p, waitMs);
          }
        });
  }

  /**
   * A start a client asked for, with fresh counts. When the program cannot be launched the client
   * is told, and the process is left {@code failed}, desired stopped: the next daemon does not try
   * it again by itself.
   */
  private void startByRequest(ManagedProcess p) throws ProtocolException {
    p.cancelPendingStart();
    p.failedStarts = 0;
    try {
      spawn(p, ProcessStatus.REASON_MANUAL, "started by request", RunCause.MANUAL);
    } catch (ProtocolException e) {
      want(p, false, ProcessStatus.BY_LAUNCH_FAILED);
      throw e;
    }
  }

  /** The answer to a start: now, or once the new run has been through {@code waitMs}. */
  private CompletableFuture<Outcome> answerOnceStarted(ManagedProcess p, long waitMs) {
    if (waitMs <= 0 || p.run == null || !ProcessState.ACTIVE.contains(p.state())) {
      return CompletableFuture.completedFuture(new Outcome(status(p), true));
    }
    return startWatch
        .watch(p, waitMs)
        .thenCompose(early -> loop.onLoop(() -> new Outcome(status(p), true, early, Map.of())));
  }

  /**
   * Sets whether the daemon keeps a process running, and who or what said so; stored in the
   * transaction of the task that calls it. A job's stays stopped: its schedule starts its runs.
   */
  private void want(ManagedProcess p, boolean running, String by) {
    if (p.scheduled || (p.desiredRunning == running && p.desiredBy.equals(by))) {
      return;
    }
    p.desiredRunning = running;
    p.desiredBy = by;
    store.setDesired(p.name(), running, by);
  }

  /** Stops a process and its whole group; completes when no process of it is left. */
  public CompletableFuture<Outcome> stop(String name) {
    return loop.callAsync(
        () -> {
          ManagedProcess p = require(name);
          want(p, false, ProcessStatus.BY_REQUEST);
          CompletableFuture<Void> extras = extraRuns.stop(p);
          if (p.scheduled) {
            jobs.dropQueued(name); // stopped by hand: the run waiting behind it is called off too
          }
          p.afterStopCause = null;
          if (p.state() == ProcessState.STOPPING) {
            p.afterStop = ManagedProcess.AfterStop.NOTHING;
            return CompletableFuture.allOf(awaitStop(p), extras)
                .thenCompose(v -> loop.onLoop(() -> new Outcome(status(p), true)));
          }
          if (ProcessState.ACTIVE.contains(p.state())) {
            return CompletableFuture.allOf(
                    beginStop(p, ProcessStatus.REASON_MANUAL, "stopped by request"), extras)
                .thenCompose(v -> loop.onLoop(() -> new Outcome(status(p), true)));
          }
          // Not running: call off a pending restart; stragglers of the last run may still be
          // being cleared.
          boolean changed = p.state() == ProcessState.BACKOFF || p.pendingStart != null;
          p.cancelPendingStart();
          if (p.state() == ProcessState.BACKOFF) {
            moveTo(p, ProcessState.STOPPED, ProcessStatus.REASON_MANUAL, "stopped by request");
          } else if (changed) {
            saveState(p); // failed, its cooldown called off: the next daemon must not try it
          }
          CompletableFuture<Void> teardown = CompletableFuture.allOf(pendingTeardown(p), extras);
          return teardown.thenCompose(v -> loop.onLoop(() -> new Outcome(status(p), changed)));
        });
  }

  /** Stops a process (if running) and starts it again. */
  public CompletableFuture<Outcome> restart(String name) {
    return loop.callAsync(
        () -> {
          ManagedProcess p = require(name);
          want(p, true, ProcessStatus.BY_REQUEST);
          if (ProcessState.ACTIVE.contains(p.state())) {
            p.afterStop = ManagedProcess.AfterStop.START;
            p.afterStopCause = RunCause.MANUAL;
            CompletableFuture<Void> stopped =
                p.state() == ProcessState.STOPPING
                    ? awaitStop(p)
                    : beginStop(p, ProcessStatus.REASON_MANUAL, "restarting by request");
            return stopped.thenCompose(v -> loop.onLoop(() -> new Outcome(status(p), true)));
          }
          startByRequest(p);
          return CompletableFuture.completedFuture(new Outcome(status(p), true));
        });
  }

  /**
   * Changes the restart policy of a defined process: the fields present in {@code changes}
   * replace the current ones. Persisted; applies from the next time the process ends.
   */
  public CompletableFuture<Outcome> setRestartPolicy(String name, Map<String, Object> changes) {
    return loop.call(
        () -> {
          ManagedProcess p = require(name);
          RestartPolicy before = p.spec.restart();
          RestartPolicy policy = before.with(changes);
          ProcessSpec spec = p.spec.withRestart(policy);
          store.updateSpec(spec);
          p.spec = spec;
          log.info("{}: restart policy is now {}", name, policy.toJson());
          return new Outcome(status(p), true, null, RestartPolicy.adjusted(before, changes, policy));
        });
  }

  /** Stops a process and deletes its definition (its log files stay). */
  public CompletableFuture<String> remove(String name) {
    return loop.callAsync(
        () -> {
          ManagedProcess p = require(name);
          return removeProcess(p);
        });
  }

  /** A snapshot of one process, or all of them when {@code name} is null, in definition order. */
  public CompletableFuture<List<ProcessStatus>> list(String name) {
    return loop.call(
        () -> {
          List<ProcessStatus> out = new ArrayList<>();
          if (name != null) {
            out.add(status(require(name)));
          } else {
            for (ManagedProcess p : processes.values()) {
              out.add(status(p));
            }
          }
          return out;
        });
  }

  /** How many processes are defined and how many are running: {@code [defined, running]}. */
  public CompletableFuture<int[]> counts() {
    return loop.call(
        () -> {
          int running = 0;
          for (ManagedProcess p : processes.values()) {
            if (ProcessState.ACTIVE.contains(p.state())) {
              running++;
            }
          }
          return new int[] {processes.size(), running};
        });
  }

  /**
   * Refuses further requests and stops every running process, in reverse start order, each with
   * its own stop signal and timeout. Their definitions stay as they are, so that the next daemon
   * starts them again. Completes when every process group is gone.
   */
  public CompletableFuture<Void> shutdown() {
    return shutdown(false);
  }

  /**
   * Like {@link #shutdown()}; with {@code keepRunning}, running processes are left running (their
   * runs stay recorded, so the next daemon adopts them) and only stops already under way finish.
   */
  public CompletableFuture<Void> shutdown(boolean keepRunning) {
    return loop.submit(
        () -> {
          shuttingDown = true;
          jobs.stop(); // no fire may start a run now, nor be recorded as run
          if (keepRunning) {
            List<CompletableFuture<Void>> stopping = new ArrayList<>();
            for (ManagedProcess p : processes.values()) {
              p.cancelPendingStart();
              if (p.state() == ProcessState.STOPPING) {
                stopping.add(awaitStop(p));
              }
            }
            log.info("shutting down, leaving the running processes for the next daemon to adopt");
            return CompletableFuture.allOf(stopping.toArray(new CompletableFuture<?>[0]));
          }
          List<ManagedProcess> active = new ArrayList<>();
          List<CompletableFuture<Void>> extras = new ArrayList<>();
          for (ManagedProcess p : processes.values()) {
            extras.add(extraRuns.stop(p));
            p.cancelPendingStart();
            if (p.run != null && (ProcessState.ACTIVE.contains(p.state()) || !teardownDone(p))) {
              active.add(p);
            }
          }
          active.sort(
              Comparator.comparingLong((ManagedProcess p) -> p.run.startNanos - ticker.getAsLong())
                  .reversed());
          List<CompletableFuture<Void>> all = new ArrayList<>();
          for (ManagedProcess p : active) {
            if (p.afterStop != ManagedProcess.AfterStop.REMOVE) {
              p.afterStop = ManagedProcess.AfterStop.NOTHING; // a removal under way still deletes it
            }
            if (ProcessState.ACTIVE.contains(p.state())) {
              all.add(
                  p.state() == ProcessState.STOPPING
                      ? awaitStop(p)
                      : beginStop(p, ProcessStatus.REASON_DAEMON, "stopped because the daemon is shutting down"));
            } else {
              all.add(pendingTeardown(p));
            }
          }
          all.addAll(extras);
          log.info("shutting down: stopping {} processes", active.size());
          // Then whatever still carries this home's marker (left by runs whose teardown could not
          // see it, or by an earlier daemon): nothing of the home outlives a daemon stop.
          String homeId = daemonEnvironment.get(MarkedProcesses.HOME_ID);
          return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
              .thenCompose(
                  v ->
                      homeId == null
                          ? CompletableFuture.<Void>completedFuture(null)
                          : os.terminateStrays(homeId, os.signal("TERM"), STRAY_TIMEOUT_MS));
        },
        false);
  }

  /** What a {@link #shutdown} still waits for: process name to group id. Answers while it runs. */
  public CompletableFuture<Map<String, Long>> unstoppedGroups() {
    return loop.onLoop(() -> {
      Map<String, Long> out = new LinkedHashMap<>();
      for (ManagedProcess p : processes.values()) {
        if (p.run != null && (p.state() == ProcessState.STOPPING || !teardownDone(p))) {
          out.put(p.name(), p.run.pid);
        }
        extraRuns.addUnstopped(p, out);
      }
      return out;
    });
  }

  /**
   * Sets (or with null clears) the resource limits of a defined process. Persisted; applies from
   * the next sample.
   */
  public CompletableFuture<Outcome> setLimits(String name, ResourceLimits limits) {
    return loop.call(
        () -> {
          ManagedProcess p = require(name);
          ProcessSpec spec = p.spec.withLimits(limits);
          store.updateSpec(spec);
          p.spec = spec;
          limitMonitor.limitsChanged(p);
          log.info("{}: resource limits are now {}", name, limits == null ? "none" : limits.toJson());
          return new Outcome(status(p), true);
        });
  }

  /**
   * Samples every running process that has resource limits and acts on breaches. Called every
   * sample interval from the {@code sentinel-sampler} thread (never the supervisor's: sampling
   * reads the process table); returns when the results have been applied.
   */
  public void sampleLimits() {
    limitMonitor.sample();
  }

  /** For tests: checks whose results the test decides. */
  void useHealthProber(HealthProber replacement) {
    health.useProber(replacement);
  }

  /**
   * Sets (or with null clears) the health check of a defined process. Persisted; a running process
   * starts a new round of checks at once (its first check after the interval).
   */
  public CompletableFuture<Outcome> setHealthCheck(String name, HealthCheck check) {
    return loop.call(
        () -> {
          ManagedProcess p = require(name);
          ProcessSpec spec = p.spec.withHealth(check);
          store.updateSpec(spec);
          p.spec = spec;
          health.checkChanged(p);
          log.info("{}: health check is now {}", name, check == null ? "none" : check.toJson());
          return new Outcome(status(p), true);
        });
  }

  @Override
  public void close() {
    health.close();
    timer.close();
    loop.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Transitions. Supervisor thread only.

  /** STOPPED/EXITED/BACKOFF/FAILED -> STARTING -> RUNNING, or -> FAILED when it cannot be launched. */
  private void spawn(ManagedProcess p, String code, String why, RunCause cause) throws ProtocolException {
    spawn(p, code, why, cause, false);
  }

  /**
   * As above; {@code routine}: a run for a fire time of the job's schedule, whose changes are
   * recorded in its history only unless it fails (Transitions).
   */
  private void spawn(ManagedProcess p, String code, String why, RunCause cause, boolean routine)
      throws ProtocolException {
    p.routineRun = routine;
    p.afterStop = ManagedProcess.AfterStop.NOTHING;
    p.pendingStart = null;
    p.pendingStartAt = null;
    moveTo(p, ProcessState.STARTING, code, why);
    LaunchSpec launch;
    try {
      launch = planner.plan(p.spec);
    } catch (ProtocolException e) {
      launchFailed(p, cause, e.getMessage());
      throw e;
    }
    long runId = nextRunId++;
    ChildProcess child;
    try {
      child = os.spawn(launch, status -> loop.post(() -> onExit(p.name(), runId, status)));
    } catch (LaunchException e) {
      launchFailed(p, cause, e.getMessage());
      throw new ProtocolException(ErrorCode.LAUNCH_FAILED, "cannot start " + p.name() + ": " + e.getMessage());
    }
    p.spawns++;
    if (cause == RunCause.RETRY) {
      p.retries++;
    }
    p.run = new ManagedProcess.Run(runId, child.pid(), clock.instant(), ticker.getAsLong());
    try {
      runHistory.opened(p.name(), cause, p.run, child);
      store.recordRun(p.name(), new Store.StoredRun(child.pid(), child.startTime(), p.run.startedAt));
      // Commit now, not at the end of the task: until the pid is on disk, a daemon killed at this
      // moment would leave a process that no later daemon knows to adopt. The rest of the task
      // goes on in a new transaction.
      store.commit();
      store.begin();
    } catch (StoreException e) {
      // The process runs; only a daemon crash before the next good write could lose track of it.
      log.error("{}: cannot record its run (pid {})", p.name(), child.pid(), e);
    }
    moveTo(p, ProcessState.RUNNING, code, why + ", pid " + child.pid());
  }

  /** STARTING -> FAILED: the program could not be launched; the history records it too. */
  private void launchFailed(ManagedProcess p, RunCause cause, String message) {
    p.lastExit = runHistory.launchFailure(message);
    try {
      runHistory.launchFailed(p.name(), cause, p.lastExit);
    } catch (StoreException e) {
      log.error("{}: cannot record a failed launch in the history", p.name(), e);
    }
    moveTo(p, ProcessState.FAILED, ProcessStatus.REASON_LAUNCH_FAILED, "could not start: " + message);
  }

  /** Moves a process to a state and records the transition in the transaction log. */
  private void moveTo(ManagedProcess p, ProcessState to, String code, String why) {
    boolean changed = p.state() != to || !why.equals(p.reason());
    ProcessState from = p.state();
    p.moveTo(to, code, why);
    if (to == ProcessState.RUNNING && from != ProcessState.RUNNING) {
      health.start(p);
    } else if (to != ProcessState.RUNNING && from == ProcessState.RUNNING) {
      health.stop(p);
    }
    saveState(p);
    if (changed) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("reason_code", code);
      data.put("pid", p.run != null && ProcessState.ACTIVE.contains(to) ? p.run.pid : null);
      data.put("last_exit", p.lastExit == null ? null : p.lastExit.toJson());
      transitions.record(p, from, code, why, data);
    }
  }

  /**
   * Saves the state the process is in beside its definition, in the current task's transaction,
   * for the next daemon (see {@link #restore}).
   */
  private void saveState(ManagedProcess p) {
    store.saveState(p.name(), SavedState.of(p, clock, ticker).toJson());
  }

  /** Who asked for a state-changing request (user; pid or null), and what (secrets removed). */
  public record Audit(String user, String command, Map<String, Object> args, Long pid) {
    public Audit(String user, String command, Map<String, Object> args) {
      this(user, command, args, null);
    }
  }

  /**
   * Marks the next request submitted from the calling thread as this audited one: its log entry
   * is then written in the same transaction as the change the request makes.
   */
  public void auditNextRequest(Audit audit) {
    audits.mark(audit);
  }

  /**
   * Ends {@link #auditNextRequest}: true if a request took the entry (it is written), false if
   * none was submitted (the request was refused before it reached the supervisor); either way the
   * mark is cleared.
   */
  public boolean auditTaken() {
    return audits.taken();
  }

  /**
   * Records a request that never reached the supervisor (refused while reading its arguments) in
   * the transaction log, in a transaction of its own: nothing was changed.
   */
  public void audit(Audit audit, String outcome) {
    loop.post(() -> audits.refused(audit, outcome));
  }

  /** Records something about the daemon itself (start, stop) in the transaction log. */
  public void daemonEvent(String message) {
    loop.post(() -> store.appendEvent(clock.instant(), null, "daemon", message, Map.of()));
  }

  /**
   * Prunes the transaction log now and then every hour: events older than {@code maxAgeMs}, and
   * all but the newest {@code maxCount}.
   */
  public void keepEventsFor(long maxAgeMs, long maxCount) {
    loop.post(
        () -> {
          int n = store.pruneEvents(clock.instant().minusMillis(maxAgeMs), maxCount);
          int runs = store.schedules().prune(clock.instant().minusMillis(maxAgeMs));
          if (n > 0 || runs > 0) {
            log.info("pruned {} old events and {} old runs from the history", n, runs);
          }
          timer.schedule(3_600_000L, () -> keepEventsFor(maxAgeMs, maxCount));
        });
  }

  // --- scheduled jobs ---------------------------------------------------------------------------

  /** The result of a request that changes a scheduled job. */
  public record JobOutcome(ScheduleStatus schedule, boolean changed) {}

  /**
   * Defines a scheduled job, or with {@code replace} redefines one (a run in progress goes on;
   * the new definition applies from the next run). Nothing is started now.
   */
  public CompletableFuture<ScheduleStatus> defineSchedule(ProcessSpec spec, Schedule schedule, boolean replace) {
    return loop.call(
        () -> {
          checkDefinition(spec);
          jobs.check(schedule);
          ManagedProcess existing = processes.get(spec.name());
          if (existing != null && !existing.scheduled) {
            throw new ProtocolException(
                ErrorCode.CONFLICT,
                "a process named " + spec.name() + " already exists and is not a scheduled job;"
                    + " pick another name, or remove it first: sentinel remove " + spec.name());
          }
          if (existing != null && !replace) {
            throw new ProtocolException(
                ErrorCode.CONFLICT,
                "a scheduled job named " + spec.name() + " already exists; add --replace to redefine it");
          }
          boolean enabled = existing == null || !jobs.has(spec.name()) || jobs.view(spec.name()).enabled();
          store.saveProcess(spec, false, ProcessStatus.BY_SCHEDULE);
          ManagedProcess p = existing;
          if (p == null) {
            p = new ManagedProcess(spec);
            p.scheduled = true;
            p.desiredBy = ProcessStatus.BY_SCHEDULE;
            p.moveTo(ProcessState.STOPPED, ProcessStatus.REASON_DEFINED, "scheduled, waiting for its first run");
            processes.put(p.name(), p);
          } else {
            p.spec = spec;
          }
          jobs.put(spec.name(), schedule, enabled);
          return scheduleStatus(p);
        });
  }

  /** The scheduled jobs (or one), in definition order. */
  public CompletableFuture<List<ScheduleStatus>> schedules(String name) {
    return loop.call(
        () -> {
          List<ScheduleStatus> out = new ArrayList<>();
          if (name != null) {
            out.add(scheduleStatus(requireJob(name)));
          } else {
            for (String job : jobs.names()) {
              ManagedProcess p = processes.get(job);
              if (p != null) {
                out.add(scheduleStatus(p));
              }
            }
          }
          return out;
        });
  }

  /** Turns a job's schedule on or off; a run in progress is left alone. */
  public CompletableFuture<JobOutcome> setScheduleEnabled(String name, boolean enabled) {
    return loop.call(
        () -> {
          ManagedProcess p = requireJob(name);
          boolean changed = jobs.setEnabled(name, enabled);
          return new JobOutcome(scheduleStatus(p), changed);
        });
  }

  /** Stops a job's runs and deletes it, with its process and history. */
  public CompletableFuture<String> removeSchedule(String name) {
    return loop.callAsync(() -> removeProcess(requireJob(name)));
  }

  /**
   * What {@code schedule run} did.
   *
   * @param action {@code started}, {@code queued} (after the running one), {@code replacing} (the
   *     running one is being stopped first) or {@code started_beside} (overlap {@code allow})
   * @param pid the new run's process id, when it has started
   */
  public record RunNowOutcome(ScheduleStatus schedule, String action, Long pid) {}

  /** Starts a run of a job now, under its overlap policy. */
  public CompletableFuture<RunNowOutcome> runSchedule(String name) {
    return loop.call(
        () -> {
          ManagedProcess p = requireJob(name);
          ScheduledJobs.RunNow done = jobs.runNow(name);
          return new RunNowOutcome(scheduleStatus(p), done.action(), done.pid());
        });
  }

  /** The next fire times of the enabled jobs (or of one), soonest first. */
  public CompletableFuture<List<FireTime>> upcoming(String name, int count) {
    return loop.call(
        () -> {
          if (name != null) {
            requireJob(name);
          }
          return jobs.upcoming(name, count);
        });
  }

  /** The latest runs of a process, oldest first. */
  public CompletableFuture<List<RunRecord>> history(String name, int limit) {
    return loop.call(
        () -> {
          require(name);
          return store.schedules().history(name, limit);
        });
  }

  private ManagedProcess requireJob(String name) throws ProtocolException {
    ManagedProcess p = processes.get(name);
    if (p == null || !p.scheduled) {
      ProcessNames.check(name);
      throw new ProtocolException(
          ErrorCode.NOT_FOUND,
          "no scheduled job named " + name + (p == null ? "" : " (it is a process without a schedule)")
              + "; see: sentinel schedule list");
    }
    if (!jobs.has(name)) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT,
          "the schedule of " + name + " cannot be read by this daemon (see its log); redefine it with: sentinel schedule --replace --name " + name + " ...");
    }
    return p;
  }

  private ScheduleStatus scheduleStatus(ManagedProcess p) {
    Scheduler.View view = jobs.view(p.name());
    return new ScheduleStatus(
        p.name(), view.schedule(), view.zone().getId(), view.enabled(), view.lastFire(), view.nextFire(), status(p));
  }

  /** Carries out the fires of the scheduled jobs (supervisor thread). */
  private final class JobRuns implements ScheduledJobs.Runs {
    @Override
    public ManagedProcess process(String name) {
      return processes.get(name);
    }

    @Override
    public boolean busy(ManagedProcess p) {
      return ProcessState.ACTIVE.contains(p.state()) || p.state() == ProcessState.BACKOFF;
    }

    @Override
    public void start(ManagedProcess p, RunCause cause) throws ProtocolException {
      if (shuttingDown) {
        return;
      }
      p.cancelPendingStart();
      p.failedStarts = 0;
      spawn(p, code(cause), why(cause), cause, RunRecord.SCHEDULE.equals(cause.reason()));
    }

    @Override
    public void replace(ManagedProcess p, RunCause cause) {
      if (!ProcessState.ACTIVE.contains(p.state())) {
        try {
          start(p, cause); // in backoff: the retry is called off for the new run
        } catch (ProtocolException e) {
          log.warn("{}: the scheduled run could not start: {}", p.name(), e.getMessage());
        }
        return;
      }
      p.afterStop = ManagedProcess.AfterStop.START;
      p.afterStopCause = cause;
      if (p.state() != ProcessState.STOPPING) {
        beginStop(p, ProcessStatus.REASON_SCHEDULED, "stopped by its schedule: the next run replaces it");
      }
    }

    @Override
    public long startAnother(ManagedProcess p, RunCause cause) throws ProtocolException {
      if (!ProcessState.ACTIVE.contains(p.state())) {
        start(p, cause);
        return p.run.pid;
      }
      return extraRuns.start(p, cause);
    }

    @Override
    public void post(Runnable event) {
      loop.post(event);
    }

    private String code(RunCause cause) {
      return RunCause.MANUAL.equals(cause) ? ProcessStatus.REASON_MANUAL : ProcessStatus.REASON_SCHEDULED;
    }

    private String why(RunCause cause) {
      if (RunCause.MANUAL.equals(cause)) {
        return "started by request";
      }
      return (RunRecord.CATCH_UP.equals(cause.reason()) ? "caught up the run missed at " : "started by its schedule for ")
          + cause.scheduledFor();
    }
  }

  /** The state machine's moves, for {@link Restarts} and {@link Recovery} (supervisor thread). */
  private final class Moves implements Recovery.Machine {
    @Override
    public boolean adopt(ManagedProcess p, Store.StoredRun run, SavedState saved) {
      return Supervisor.this.adopt(p, run, saved);
    }

    @Override
    public void beginStop(ManagedProcess p, String code, String why) {
      Supervisor.this.beginStop(p, code, why);
    }

    @Override
    public ManagedProcess process(String name) {
      return processes.get(name);
    }

    @Override
    public void moveTo(ManagedProcess p, ProcessState to, String code, String why) {
      Supervisor.this.moveTo(p, to, code, why);
    }

    @Override
    public void spawn(ManagedProcess p, String code, String why, RunCause cause) throws ProtocolException {
      Supervisor.this.spawn(p, code, why, cause);
    }

    @Override
    public void want(ManagedProcess p, boolean running, String by) {
      Supervisor.this.want(p, running, by);
    }

    @Override
    public void saveState(ManagedProcess p) {
      Supervisor.this.saveState(p);
    }

    @Override
    public void forgetRun(ManagedProcess p) {
      Supervisor.this.forgetRun(p);
    }

    @Override
    public void runEnded(ManagedProcess p) {
      jobs.runEnded(p);
    }
  }

  /** What the collaborators may ask of the supervisor (supervisor thread). */
  private final class Actions implements Supervised {
    @Override
    public ManagedProcess process(String name) {
      return processes.get(name);
    }

    @Override
    public Collection<ManagedProcess> processes() {
      return processes.values();
    }

    @Override
    public long newRunId() {
      return nextRunId++;
    }

    @Override
    public CompletableFuture<Void> tearDown(ProcessSpec spec, long pid) {
      return Supervisor.this.tearDown(spec, pid);
    }

    @Override
    public void endRun(ManagedProcess p, String note) {
      p.run.unhealthy = note;
      p.run.teardown = tearDown(p.spec, p.run.pid);
    }

    @Override
    public void stop(ManagedProcess p, String code, String why) {
      want(p, false, code); // the reason codes of these stops are also the desired state's causes
      beginStop(p, code, why);
    }
  }

  /**
   * Takes over a process a previous daemon started; false if it is gone.
   *
   * @param saved the state the previous daemon saved (for its failed-start count), or null
   */
  private boolean adopt(ManagedProcess p, Store.StoredRun stored, SavedState saved) {
    long runId = nextRunId++;
    String name = p.name();
    boolean alive;
    try {
      alive =
          os.adopt(
              new ChildProcess(stored.pid(), stored.startTime()),
              status -> loop.post(() -> onExit(name, runId, status)));
    } catch (RuntimeException e) {
      log.warn("{}: cannot adopt pid {}: {}", name, stored.pid(), e.getMessage());
      return false;
    }
    if (!alive) {
      log.info("{}: pid {} ended while no daemon was running", name, stored.pid());
      return false;
    }
    long ageMs = Math.max(0, Duration.between(stored.startedAt(), clock.instant()).toMillis());
    if (saved != null) {
      saved.restoreInto(p, clock, ticker);
    }
    p.spawns = 1;
    p.run = new ManagedProcess.Run(runId, stored.pid(), stored.startedAt(), ticker.getAsLong() - ageMs * 1_000_000);
    moveTo(p, 
        ProcessState.RUNNING,
        ProcessStatus.REASON_DAEMON,
        "adopted after a daemon restart, pid " + stored.pid());
    return true;
  }

  /** Forgets the recorded run: no process of it is left to adopt. */
  private void forgetRun(ManagedProcess p) {
    try {
      store.clearRun(p.name());
    } catch (StoreException e) {
      log.error("{}: cannot clear its recorded run", p.name(), e);
    }
  }

  /** How long leftover marked processes get between SIGTERM and SIGKILL. */
  static final long STRAY_TIMEOUT_MS = 5_000;

  /**
   * RUNNING/STARTING -> STOPPING; the future completes on the move to STOPPED, which keeps this
   * stop's reason.
   *
   * @param code who or what stops it ({@code ProcessStatus.REASON_*})
   */
  private CompletableFuture<Void> beginStop(ManagedProcess p, String code, String why) {
    CompletableFuture<Void> done = awaitStop(p);
    ManagedProcess.Run run = p.run;
    moveTo(p, ProcessState.STOPPING, code, why);
    run.teardown = tearDown(p.spec, run.pid);
    run.teardown.whenComplete((v, e) -> loop.post(() -> onGroupGone(p.name(), run.id, e)));
    return done;
  }

  private CompletableFuture<Void> awaitStop(ManagedProcess p) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    p.stopWaiters.add(done);
    return done;
  }

  /** The leader of a run exited (not yet reaped). */
  private void onExit(String name, long runId, ExitStatus status) {
    ManagedProcess p = processes.get(name);
    if (p == null || p.run == null || p.run.id != runId) {
      return; // an earlier run of this name, or a removed process: the process layer reaps it
    }
    p.lastExit = runHistory.exitInfo(status);
    if (p.run.unhealthy != null) {
      p.lastExit =
          new ExitInfo(
              p.lastExit.kind(), p.lastExit.code(), p.lastExit.signal(), p.lastExit.at(),
              p.run.unhealthy + "; " + p.lastExit.message());
    }
    runHistory.ended(p.run, p.lastExit);
    ManagedProcess.Run run = p.run;
    long runMillis = Math.max(0, (ticker.getAsLong() - run.startNanos) / 1_000_000);
    if (p.state() == ProcessState.STOPPING || p.state() == ProcessState.STOPPED) {
      // A stop ended this run. Its teardown completes the stop; for an adopted leader (not our
      // child) the group can be seen gone before the exit is reported, so the stop may be over
      // already: either way this exit is the stop's, never a crash for the restart policy.
      StartWatch.ended(run, p.lastExit, runMillis, true);
      return;
    }
    // Clear anything the run left behind in its group (a background child, a double fork); a
    // new run, if any, gets a new group, so it need not wait for this.
    run.teardown = tearDown(p.spec, run.pid);
    restarts.afterEnd(p, ending(status), runMillis);
    StartWatch.ended(run, p.lastExit, runMillis, false); // after the policy: the answer shows what followed
  }

  private static RestartPolicies.Ending ending(ExitStatus status) {
    if (status instanceof ExitStatus.Exited) {
      return RestartPolicies.Ending.exited(((ExitStatus.Exited) status).code());
    }
    if (status instanceof ExitStatus.Killed) {
      return RestartPolicies.Ending.killed(((ExitStatus.Killed) status).signal().name());
    }
    return RestartPolicies.Ending.unknown();
  }

  /** A run's process group is gone and its leader reaped: STOPPING -> STOPPED. */
  private void onGroupGone(String name, long runId, Throwable failure) {
    if (failure != null) {
      log.error("{}: tearing down the process group failed", name, failure);
    }
    ManagedProcess p = processes.get(name);
    if (p == null || p.run == null || p.run.id != runId || p.state() != ProcessState.STOPPING) {
      return;
    }
    moveTo(p, ProcessState.STOPPED, p.reasonCode(), p.reason());
    forgetRun(p);
    List<CompletableFuture<Void>> waiters = new ArrayList<>(p.stopWaiters);
    p.stopWaiters.clear();
    ManagedProcess.AfterStop next = p.afterStop;
    p.afterStop = ManagedProcess.AfterStop.NOTHING;
    switch (next) {
      case START:
        RunCause cause = p.afterStopCause == null ? RunCause.MANUAL : p.afterStopCause;
        p.afterStopCause = null;
        if (!shuttingDown) {
          try {
            p.failedStarts = 0;
            spawn(
                p,
                cause == RunCause.MANUAL ? ProcessStatus.REASON_MANUAL : ProcessStatus.REASON_SCHEDULED,
                cause == RunCause.MANUAL ? "restarted by request" : "started by its schedule, replacing the previous run",
                cause);
          } catch (ProtocolException e) {
            log.warn("{}: cannot start it again: {}", name, e.getMessage());
            want(p, false, ProcessStatus.BY_LAUNCH_FAILED);
          }
        }
        break;
      case REMOVE:
        try {
          deleteDefinition(name);
        } catch (StoreException e) {
          log.error("{}: cannot delete its definition", name, e);
          waiters.forEach(w -> w.completeExceptionally(e));
          return;
        }
        break;
      default:
        break;
    }
    waiters.forEach(w -> w.complete(null));
  }

  /** Stops a process and its extra runs, then deletes it (with its schedule and history). */
  private CompletableFuture<String> removeProcess(ManagedProcess p) {
    String name = p.name();
    CompletableFuture<Void> extras = extraRuns.stop(p);
    jobs.remove(name); // fires no more, whatever happens below
    if (ProcessState.ACTIVE.contains(p.state())) {
      p.afterStop = ManagedProcess.AfterStop.REMOVE;
      CompletableFuture<Void> stopped =
          p.state() == ProcessState.STOPPING
              ? awaitStop(p)
              : beginStop(p, ProcessStatus.REASON_MANUAL, "being removed");
      return CompletableFuture.allOf(stopped, extras).thenApply(v -> name);
    }
    p.cancelPendingStart();
    CompletableFuture<Void> teardown = CompletableFuture.allOf(pendingTeardown(p), extras);
    deleteDefinition(name);
    return teardown.thenApply(v -> name);
  }

  /** Deletes a process's definition, its schedule (by the foreign key) and its run history. */
  private void deleteDefinition(String name) {
    ManagedProcess gone = processes.get(name);
    if (gone != null) {
      transitions.forget(gone);
    }
    store.deleteProcess(name);
    store.schedules().deleteHistory(name);
    processes.remove(name);
    log.info("{}: removed", name);
  }

  // ---------------------------------------------------------------------------------------------

  private CompletableFuture<Void> pendingTeardown(ManagedProcess p) {
    if (p.run == null || p.run.teardown == null) {
      return CompletableFuture.completedFuture(null);
    }
    return p.run.teardown.handle((v, e) -> null);
  }

  private static boolean teardownDone(ManagedProcess p) {
    return p.run == null || p.run.teardown == null || p.run.teardown.isDone();
  }

  private ManagedProcess require(String name) throws ProtocolException {
    ManagedProcess p = processes.get(name);
    if (p == null) {
      ProcessNames.check(name);
      throw new ProtocolException(
          ErrorCode.NOT_FOUND,
          "no process named " + name + "; see: sentinel list");
    }
    return p;
  }

  /** Checks a definition before anything is stored: name, command, program, directory, signal. */
  private void checkDefinition(ProcessSpec spec) throws ProtocolException {
    LaunchPlanner.checkShape(spec);
    if (!spec.stopSignal().equals(spec.stopSignal().strip()) || spec.stopSignal().isEmpty()) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT,
          "invalid stop signal \""
              + spec.stopSignal()
              + "\": give a signal name or number without spaces, such as TERM, SIGINT or 15");
    }
    try {
      os.signal(spec.stopSignal());
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "invalid stop signal: " + e.getMessage());
    }
    planner.plan(spec);
  }

  /** Tears down a group the way its definition says: its stop signal, SIGKILL after its timeout. */
  private CompletableFuture<Void> tearDown(ProcessSpec spec, long pid) {
    return os.terminateGroup(pid, stopSignal(spec), spec.stopTimeoutMs());
  }

  private Signal stopSignal(ProcessSpec spec) {
    try {
      return os.signal(spec.stopSignal());
    } catch (IllegalArgumentException e) {
      return os.signal("TERM");
    }
  }

  private ProcessStatus status(ManagedProcess p) {
    ProcessStatus s = p.status(ticker);
    String warning = disk.warningFor(p.name(), ProcessState.ACTIVE.contains(p.state()));
    return warning == null ? s : s.withWarning(warning);
  }
}
