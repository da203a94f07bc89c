package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.process.MarkedProcesses;
import dev.sentinelzero.daemon.process.ProcessControl;
import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.RestartPolicy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a starting daemon does with what the previous one left: the table "What the next daemon
 * does" in docs/architecture.md. Each process comes back with its desired state (and who set it)
 * and the state its last transition saved ({@link SavedState}), and then:
 *
 * <ul>
 *   <li>a recorded run that is still alive (same pid, same start time: a reused pid is never
 *       mistaken for it) is adopted: watched, stoppable, under its restart policy, though its exit
 *       code cannot be read; a stop that was under way is finished (and followed by a start when
 *       it is desired running: a restart, or the previous daemon's shutdown);
 *   <li>one that was backing off, or waiting out a cooldown, waits for what is left of its delay
 *       (at once if it passed), with its count of failed starts;
 *   <li>one desired running that is not running is started (history reason {@code daemon}), under
 *       its policy: a launch failure is a failed start;
 *   <li>exited, failed and stopped ones are left as they were, with their reasons; a scheduled
 *       job's runs are its schedule's, never the daemon's start's.
 * </ul>
 *
 * <p>Then the marker scan: a process a previous daemon spawned but died before recording is
 * adopted if its definition should run, and stopped otherwise (nobody was told of it); what runs
 * that ended unwatched left behind (a setsid'd grandchild) is ended.
 *
 * <p>Thread: supervisor thread (the restore task); the processes map is the supervisor's.
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /** The moves of the state machine that recovery makes (the supervisor's; its thread only). */
  interface Machine extends Restarts.Machine {
    /** Takes over a live run a previous daemon started; false if it is gone. */
    boolean adopt(ManagedProcess p, Store.StoredRun run, SavedState saved);

    /** RUNNING -> STOPPING, with the stop's reason. */
    void beginStop(ManagedProcess p, String code, String why);
  }

  private final Machine machine;
  private final Store store;
  private final ScheduledJobs jobs;
  private final RunHistory runHistory;
  private final ExtraRuns extraRuns;
  private final Supervised supervised;
  private final ProcessControl os;
  private final Restarts restarts;
  private final Clock clock;
  private final LongSupplier ticker;
  private final String homeId;

  /**
   * @param ticker monotonic nanoseconds, to turn saved instants back into ticker readings
   * @param homeId this home's marker ({@code SENTINEL_HOME_ID}), or null
   */
  Recovery(
      Machine machine,
      Store store,
      ScheduledJobs jobs,
      RunHistory runHistory,
      ExtraRuns extraRuns,
      Supervised supervised,
      ProcessControl os,
      Restarts restarts,
      Clock clock,
      LongSupplier ticker,
      String homeId) {
    this.machine = machine;
    this.store = store;
    this.jobs = jobs;
    this.runHistory = runHistory;
    this.extraRuns = extraRuns;
    this.supervised = supervised;
    this.os = os;
    this.restarts = restarts;
    this.clock = clock;
    this.ticker = ticker;
    this.homeId = homeId;
  }

  /** Loads every stored process into {@code processes} and brings back what should run. */
  void restore(Map<String, ManagedProcess> processes) {
    List<ManagedProcess> toStart = new ArrayList<>();
    Set<Long> tracked = new HashSet<>();
    Set<String> scheduled = jobs.load();
    for (Store.StoredProcess stored : store.loadProcesses()) {
      ManagedProcess p = new ManagedProcess(stored.spec());
      p.scheduled = scheduled.contains(p.name());
      p.desiredRunning = stored.desiredRunning() && !p.scheduled;
      p.desiredBy = stored.desiredBy();
      processes.put(p.name(), p);
      SavedState saved = SavedState.fromJson(stored.state());
      if (stored.run() != null) {
        if (machine.adopt(p, stored.run(), saved)) {
          tracked.add(stored.run().pid());
          boolean wasStopping = saved != null && saved.state() == ProcessState.STOPPING;
          if (wasStopping || (!p.desiredRunning && !p.scheduled)) {
            // A stop was under way (a stop, a limit's, a restart's, the shutdown's): finish it,
            // and start it again when it is desired running.
            if (p.desiredRunning) {
              p.afterStop = ManagedProcess.AfterStop.START;
            }
            machine.beginStop(
                p,
                saved == null ? ProcessStatus.REASON_MANUAL : saved.reasonCode(),
                (saved == null ? "stopped by request" : saved.reason())
                    + " (finishing the stop the previous daemon began)");
          }
          continue;
        }
        store.clearRun(p.name()); // it ended while no daemon watched it
      }
      if (saved != null) {
        saved.restoreInto(p, clock, ticker);
      }
      if (settle(p, saved)) {
        toStart.add(p);
      }
    }
    // Before the marker scan: the runs of allow jobs beside their main run are recorded in the
    // history only, and must be adopted from there, not stopped as unrecorded.
    runHistory.restore(tracked, supervised, extraRuns);
    // Processes a previous daemon spawned but died before recording: found by their marker,
    // adopted if their definition wants them running, else stopped (no one was told of them).
    for (Map.Entry<Long, String> m : MarkedProcesses.find(homeId).entrySet()) {
      long pid = m.getKey();
      if (tracked.contains(pid) || os.belongsToWatchedRun(pid)) {
        continue; // an adopted run's leader, or one of its processes: its teardown ends it
      }
      ManagedProcess p = processes.get(m.getValue());
      Store.StoredRun run = new Store.StoredRun(pid, null, clock.instant());
      if (p != null && p.run == null && (p.desiredRunning || p.scheduled) && machine.adopt(p, run, null)) {
        p.cancelPendingStart(); // a backoff's start that had happened, unrecorded
        toStart.remove(p);
        tracked.add(pid);
        store.recordRun(p.name(), run);
        log.info("{}: adopted pid {}, whose run the previous daemon had not recorded", p.name(), pid);
      } else {
        log.warn("stopping pid {} ({}): started by a previous daemon, never recorded", pid, m.getValue());
        os.terminateGroup(pid, os.signal("TERM"), 5_000);
      }
    }
    // What runs that ended while no daemon watched left behind (a setsid'd grandchild, whose
    // leader is gone): marked with this home, but of no run adopted above.
    if (homeId != null) {
      os.terminateStrays(homeId, os.signal("TERM"), Supervisor.STRAY_TIMEOUT_MS);
    }
    for (ManagedProcess p : toStart) {
      restarts.autoStart(p, ProcessStatus.REASON_DAEMON, "started with the daemon", RunCause.DAEMON);
    }
    log.info("restored {} process definitions, {} of them scheduled", processes.size(), scheduled.size());
    jobs.start();
  }

  /**
   * A process with no live run, in the state the previous daemon saved: settles a run that ended
   * while no daemon watched it, resumes a pending backoff or cooldown, and says whether it is to
   * be started now.
   */
  private boolean settle(ManagedProcess p, SavedState saved) {
    if (ProcessState.ACTIVE.contains(p.state())) {
      // Its run ended while no daemon was running: how, nobody can tell. One the daemon was
      // stopping (to restart it, or at its shutdown) starts again; one that ended by itself does
      // unless its restart mode is never.
      if (p.desiredRunning
          && (p.state() == ProcessState.STOPPING || !RestartPolicy.NEVER.equals(p.spec.restart().mode()))) {
        return true;
      }
      if (p.state() == ProcessState.STOPPING && !p.desiredRunning) {
        machine.moveTo(p, ProcessState.STOPPED, p.reasonCode(), p.reason()); // its stop is done
        return false;
      }
      p.lastExit = runHistory.endedUnwatched();
      machine.moveTo(p, ProcessState.FAILED, ProcessStatus.REASON_EXITED, p.lastExit.message());
      machine.want(p, false, ProcessStatus.BY_EXITED);
      return false;
    }
    boolean waiting = p.state() == ProcessState.BACKOFF || p.state() == ProcessState.FAILED;
    if (waiting && saved.nextAttemptAt() != null && (p.desiredRunning || p.scheduled)) {
      restarts.resume(p, saved.nextAttemptAt());
      return false;
    }
    return p.desiredRunning;
  }
}
