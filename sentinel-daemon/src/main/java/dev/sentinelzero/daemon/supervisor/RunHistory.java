package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.process.ChildProcess;
import dev.sentinelzero.daemon.process.ExitStatus;
import dev.sentinelzero.daemon.store.Schedules;
import dev.sentinelzero.daemon.store.StoreException;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.RunRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run history (table {@code history}, see docs/scheduling.md): one row per run of any process,
 * main runs and the extra runs of {@code allow} jobs alike. A run's row is opened in the
 * transaction that records its pid and closed when its exit is seen; a run that could not be
 * launched gets a row that says so. Also turns the process layer's exit statuses into the {@link
 * ExitInfo} that the history and a process's {@code last_exit} show.
 *
 * <p>Thread: supervisor thread only. No state of its own: the rows are the store's, and each run
 * carries its row's id ({@code Run.historyId}, -1 once the row is closed or when it has none; set
 * here, or by {@link ExtraRuns#adopt} for an extra run it takes over).
 */
final class RunHistory {
  private static final Logger log = LoggerFactory.getLogger(RunHistory.class);

  private final Schedules rows;
  private final Clock clock;

  RunHistory(Schedules rows, Clock clock) {
    this.rows = rows;
    this.clock = clock;
  }

  /** Opens the row of a run just spawned (and not yet committed): its {@code historyId}. */
  void opened(String name, RunCause cause, ManagedProcess.Run run, ChildProcess child) {
    run.historyId =
        rows.startRun(name, cause.reason(), cause.scheduledFor(), run.startedAt, child.pid(), child.startTime(), null);
  }

  /** Records a run that could not be launched, {@code exit} saying why. */
  void launchFailed(String name, RunCause cause, ExitInfo exit) {
    rows.startRun(name, cause.reason(), cause.scheduledFor(), clock.instant(), null, null, exit);
  }

  /** Records how a run ended (once). */
  void ended(ManagedProcess.Run run, ExitInfo exit) {
    if (run.historyId < 0) {
      return;
    }
    try {
      rows.endRun(run.historyId, clock.instant(), exit);
    } catch (StoreException e) {
      log.error("cannot record the end of run {} in the history", run.historyId, e);
    }
    run.historyId = -1;
  }

  /**
   * At start, after adoption: links each adopted run to its open row, adopts the extra runs of
   * {@code allow} jobs that are still alive (adding their pids to {@code adopted}), and closes the
   * rows of runs that ended while no daemon watched.
   */
  void restore(Set<Long> adopted, Supervised supervised, ExtraRuns extraRuns) {
    Instant now = clock.instant();
    ExitInfo unknown = endedUnwatched();
    for (RunRecord open : rows.openRuns()) {
      ManagedProcess p = supervised.process(open.name());
      if (p != null && open.pid() != null && p.run != null && p.run.pid == open.pid() && p.run.historyId < 0) {
        p.run.historyId = open.id();
        continue;
      }
      if (p != null && p.scheduled && open.pid() != null && !adopted.contains(open.pid())
          && extraRuns.adopt(p, open)) {
        adopted.add(open.pid());
        continue;
      }
      rows.endRun(open.id(), now, unknown);
    }
  }

  /** How a run ended that no daemon watched (its exit status is lost), as of now. */
  ExitInfo endedUnwatched() {
    return new ExitInfo(ExitInfo.UNKNOWN, null, null, clock.instant(), "ended while no daemon was running");
  }

  /** How a run ended, as of now. */
  ExitInfo exitInfo(ExitStatus status) {
    if (status instanceof ExitStatus.Exited) {
      int code = ((ExitStatus.Exited) status).code();
      return new ExitInfo(ExitInfo.EXITED, code, null, clock.instant(), "exited with code " + code);
    }
    if (status instanceof ExitStatus.Killed) {
      ExitStatus.Killed killed = (ExitStatus.Killed) status;
      String name = killed.signal().name();
      return new ExitInfo(
          ExitInfo.KILLED,
          null,
          name,
          clock.instant(),
          "killed by SIG" + name + (killed.coreDumped() ? " (core dumped)" : ""));
    }
    return new ExitInfo(ExitInfo.UNKNOWN, null, null, clock.instant(), "ended (exit status unknown)");
  }

  /** A run that could not be launched, as of now. */
  ExitInfo launchFailure(String message) {
    return new ExitInfo(ExitInfo.LAUNCH_FAILED, null, null, clock.instant(), message);
  }
}
