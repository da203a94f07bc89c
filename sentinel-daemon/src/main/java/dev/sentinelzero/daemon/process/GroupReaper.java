package dev.sentinelzero.daemon.process;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tears down process groups: signals them, watches them empty, escalates to SIGKILL at the
 * deadline, and finally reaps the leader. A run's processes that left its group (a {@code setsid}
 * or {@code setpgid} grandchild, re-parented away from us) are found by the run's marker in their
 * environment ({@link RunMark}) and get the same signals at the same times; the termination
 * completes only when they are gone too (see {@link Termination} for when the table is searched).
 * A sweep ({@link #terminateStrays}) does the same for every marked process of a home that belongs
 * to no run this control knows. It runs on one scheduler thread, {@code
 * sentinel-group-reaper}, and scans the process table only while some termination is pending: at
 * once when one is requested or a leader exits, then after 5, 10, 20, 50 and every 100 ms, sooner
 * if a SIGKILL deadline falls earlier. One scan serves all pending groups.
 *
 * <p>The leader is reaped only after its group has no live member: until then its zombie keeps the
 * pid, and so the group id, from being reused, so {@code kill(-pgid)} cannot reach a stranger. A
 * leader that is still alive (a stop) is signalled with its group; its exit is observed by the exit
 * watcher, whose listener runs before this future completes.
 *
 * <p>Threads and state: {@code terminations} and {@code sweeps} are concurrent (callers add through
 * {@link #terminate} and {@link #terminateStrays}, the reaper thread removes); {@code backoffStep},
 * {@code nextScan}, {@code scanSoon} and each termination's progress belong to the reaper thread.
 * Futures complete on the reaper thread, so dependent actions attached without {@code *Async} run
 * there and must be quick.
 */
final class GroupReaper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupReaper.class);
  static final String THREAD_NAME = "sentinel-group-reaper";

  private final NativeOs os;
  private final LongSupplier ticker;
  private final Map<Long, Leader> leaders;
  private final Set<String> spawning;
  private final LongConsumer groupGone;
  private final int sigkill;
  private final int sigcont;
  private final ScheduledThreadPoolExecutor executor;
  private final ConcurrentHashMap<Long, Termination> terminations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Termination> sweeps = new ConcurrentHashMap<>();
  private final AtomicBoolean scanRequested = new AtomicBoolean();
  private boolean scanSoon; // reaper thread only: the next pass is wanted at once
  private int backoffStep; // reaper thread only
  private ScheduledFuture<?> nextScan; // reaper thread only

  /**
   * @param leaders the leaders known to the control; a finished leader is removed from it here
   * @param spawning the run ids of spawns under way (their leaders are not in {@code leaders} yet),
   *     which a sweep must spare
   * @param groupGone called on the reaper thread when a group's termination completes
   */
  GroupReaper(
      NativeOs os,
      LongSupplier ticker,
      Map<Long, Leader> leaders,
      Set<String> spawning,
      LongConsumer groupGone) {
    this.os = os;
    this.spawning = spawning;
    this.ticker = ticker;
    this.leaders = leaders;
    this.groupGone = groupGone;
    this.sigkill = os.signals().parse("KILL").number();
    this.sigcont = os.signals().parse("CONT").number();
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, THREAD_NAME);
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.prestartCoreThread();
  }

  /** See {@link ProcessControl#terminateGroup}. Any thread. */
  CompletableFuture<Void> terminate(long pgid, Signal first, long timeoutMillis) {
    if (pgid < 2) {
      throw new IllegalArgumentException("not a process group that can be terminated: " + pgid);
    }
    Termination[] created = new Termination[1];
    Termination termination =
        terminations.computeIfAbsent(
            pgid,
            id -> {
              Leader leader = leaders.get(id);
              RunMark mark = leader == null ? null : leader.mark();
              Instant since = leader == null ? null : leader.startTime();
              if (mark != null && since == null) {
                since = Instant.EPOCH; // start unknown: every process is a candidate
              }
              return created[0] =
                  new Termination(
                      id, first, timeoutMillis, ticker.getAsLong(), mark, since, null);
            });
    if (created[0] != null) {
      requestScan();
    }
    return termination.future();
  }

  /** See {@link ProcessControl#terminateStrays}. Any thread. */
  CompletableFuture<Void> terminateStrays(String homeId, Signal first, long timeoutMillis) {
    Termination[] created = new Termination[1];
    Termination sweep =
        sweeps.computeIfAbsent(
            homeId,
            home ->
                created[0] =
                    new Termination(
                        0, first, timeoutMillis, ticker.getAsLong(), null, Instant.EPOCH, home));
    if (created[0] != null) {
      requestScan();
    }
    return sweep.future();
  }

  /** Called on the exit-watcher thread when a leader's exit has been observed. */
  void leaderExited(long pid) {
    if (terminations.containsKey(pid)) {
      requestScan();
    }
  }

  /** Stops the thread; pending futures fail with IllegalStateException. */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("{} did not stop within 5 s", THREAD_NAME);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    IllegalStateException closed = new IllegalStateException("process control closed");
    terminations.values().forEach(t -> t.future().completeExceptionally(closed));
    terminations.clear();
    sweeps.values().forEach(t -> t.future().completeExceptionally(closed));
    sweeps.clear();
  }

  /** Coalesces requests: however many arrive while one is queued, one scan runs. */
  private void requestScan() {
    if (!scanRequested.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(
          guarded(
              "scan",
              () -> {
                scanRequested.set(false);
                backoffStep = 0;
                scan();
              }));
    } catch (RejectedExecutionException e) {
      scanRequested.set(false);
      IllegalStateException closed = new IllegalStateException("process control closed");
      terminations.values().forEach(t -> t.future().completeExceptionally(closed));
      sweeps.values().forEach(t -> t.future().completeExceptionally(closed));
    }
  }

  private void scan() {
    if (nextScan != null) {
      nextScan.cancel(false);
      nextScan = null;
    }
    long nanosToNextKill = Long.MAX_VALUE;
    try {
      nanosToNextKill = scanOnce();
    } finally {
      if (!terminations.isEmpty() || !sweeps.isEmpty()) {
        long delayMillis = Termination.backoffMillis(++backoffStep);
        if (scanSoon) {
          scanSoon = false;
          delayMillis = 0;
        }
        if (nanosToNextKill != Long.MAX_VALUE) {
          long killMillis = TimeUnit.NANOSECONDS.toMillis(nanosToNextKill + 999_999);
          delayMillis = Math.min(delayMillis, killMillis);
        }
        nextScan =
            executor.schedule(guarded("scan", this::scan), delayMillis, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** One scan of the process table and one step of each pending termination. */
  private long scanOnce() {
    if (terminations.isEmpty() && sweeps.isEmpty()) {
      return Long.MAX_VALUE;
    }
    Set<Long> pgids = Set.copyOf(terminations.keySet());
    List<Termination> pending = new ArrayList<>(terminations.values());
    pending.addAll(sweeps.values());
    Instant markedSince = null;
    for (Termination t : pending) {
      if (t.markerScanDue()
          && (markedSince == null || t.markedSince().isBefore(markedSince))) {
        markedSince = t.markedSince();
      }
    }
    NativeOs.Table table = os.scan(pgids, markedSince);
    long now = ticker.getAsLong();
    long nanosToNextKill = Long.MAX_VALUE;
    for (Termination termination : pending) {
      long pgid = termination.pgid();
      boolean sweep = termination.strayHome() != null;
      if (sweep ? sweeps.get(termination.strayHome()) != termination
          : terminations.get(pgid) != termination) {
        continue;
      }
      Leader leader = sweep ? null : leaders.get(pgid);
      List<Long> live = sweep ? List.of() : table.members().getOrDefault(pgid, List.of());
      boolean scanned = markedSince != null && termination.markerScanDue();
      Map<Long, Instant> found = new HashMap<>();
      if (scanned) {
        termination.markerScanned();
        found = escapees(termination, table.marked(), pgids);
      }
      refreshEscapees(termination);
      found.keySet().removeAll(termination.escapees().keySet()); // only the new ones
      termination.escapees().putAll(found);
      // Our leader, alive but no longer in its group (it called setpgid): signal it by pid,
      // which is safe because its pid stays ours until we reap it.
      boolean leaderElsewhere =
          leader != null && leader.ourChild() && !leader.exited() && !live.contains(pgid);
      boolean groupEmpty =
          live.isEmpty() && !leaderElsewhere && termination.escapees().isEmpty();
      boolean leaderDone = sweep || leaderDone(leader, live);
      switch (termination.next(now, groupEmpty, leaderDone)) {
        case SIGNAL_FIRST -> {
          int first = termination.first().number();
          signal(termination, first, leaderElsewhere, termination.escapees());
          if (first != sigkill && first != sigcont) {
            // A stopped process acts on TERM only once it is continued.
            signal(termination, sigcont, leaderElsewhere, termination.escapees());
          }
        }
        case SIGNAL_KILL -> {
          log.info(
              "{} still has {} live process(es) after its timeout: sending SIGKILL",
              describe(termination),
              live.size() + (leaderElsewhere ? 1 : 0) + termination.escapees().size());
          signal(termination, sigkill, leaderElsewhere, termination.escapees());
          termination.requestMarkerScan(); // one more search, for any that appeared meanwhile
          scanSoon = true;
        }
        case COMPLETE -> {
          if (!termination.mayComplete(scanned)) {
            scanSoon = true; // search once more for marked processes before completing
          } else if (finish(termination, leader)) {
            continue;
          }
        }
        case WAIT -> {
          if (!found.isEmpty()) {
            // Found after the first signal: they get what the group has had so far.
            log.info(
                "{}: {} process(es) that left the group found by the run's marker: signalling them",
                describe(termination),
                found.size());
            if (termination.killSent()) {
              signal(termination, sigkill, false, found);
            } else {
              int first = termination.first().number();
              signal(termination, first, false, found);
              if (first != sigkill && first != sigcont) {
                signal(termination, sigcont, false, found);
              }
            }
          }
        }
      }
      nanosToNextKill = Math.min(nanosToNextKill, termination.nanosUntilKill(now));
    }
    return nanosToNextKill;
  }

  /**
   * The marked processes that belong to this termination and are not in its group (the group is
   * signalled as a whole): for a run, those with its marker; for a sweep, those of its home that
   * belong to no run this control knows and to no group being torn down.
   */
  private Map<Long, Instant> escapees(
      Termination termination, List<NativeOs.Marked> marked, Set<Long> terminating) {
    Map<Long, Instant> out = new HashMap<>();
    if (termination.strayHome() != null) {
      // Runs being spawned count as known: their leader is not in the map yet.
      Set<String> knownRuns = new HashSet<>(spawning);
      Set<String> knownLegacy = new HashSet<>();
      for (Leader leader : leaders.values()) {
        RunMark mark = leader.mark();
        if (mark != null && mark.runId() != null) {
          knownRuns.add(mark.runId());
        } else if (mark != null) {
          knownLegacy.add(mark.name() + (mark.healthCheck() ? "\0check" : ""));
        }
      }
      for (NativeOs.Marked m : marked) {
        RunMark mark = m.mark();
        boolean known =
            mark.runId() != null
                ? knownRuns.contains(mark.runId())
                : knownLegacy.contains(mark.name() + (mark.healthCheck() ? "\0check" : ""));
        if (termination.strayHome().equals(mark.homeId())
            && !known
            && !leaders.containsKey(m.pgid())
            && !terminating.contains(m.pgid())) {
          out.put(m.pid(), m.startTime());
        }
      }
      return out;
    }
    RunMark run = termination.mark();
    for (NativeOs.Marked m : marked) {
      if (m.pgid() == termination.pgid() || m.pid() == termination.pgid()) {
        continue; // in the group: signalled with it
      }
      if (m.startTime().isBefore(termination.markedSince())) {
        continue; // started before the run: not one of its processes
      }
      if (run.legacy() && (leaders.containsKey(m.pgid()) || terminating.contains(m.pgid()))) {
        continue; // a legacy marker cannot tell runs of one name apart: spare the other groups
      }
      if (run.sameRun(m.mark())) {
        out.put(m.pid(), m.startTime());
      }
    }
    return out;
  }

  /** Drops the known escapees that are gone (or whose pid now names another process). */
  private void refreshEscapees(Termination termination) {
    termination
        .escapees()
        .entrySet()
        .removeIf(e -> !e.getValue().equals(os.liveStartTime(e.getKey())));
  }

  private static String describe(Termination termination) {
    return termination.strayHome() != null
        ? "the sweep of processes left by earlier runs"
        : "process group " + termination.pgid();
  }

  /**
   * Whether the leader no longer holds the termination up: its exit was observed, or it is a
   * process we adopted that lives on outside its group (not ours to signal by pid, since its pid
   * may have been reused). An adopted leader that died is waited for until the exit watcher has
   * reported it, so that its listener runs before the future completes.
   */
  private boolean leaderDone(Leader leader, List<Long> live) {
    if (leader == null || leader.exited()) {
      return true;
    }
    if (leader.ourChild()) {
      return false;
    }
    return live.isEmpty() && os.isLive(leader.pid());
  }

  private void signal(
      Termination termination, int signal, boolean alsoLeader, Map<Long, Instant> escapees) {
    long pgid = termination.pgid();
    if (pgid > 0) {
      report(pgid, os.signalGroup(pgid, signal), "group", signal);
      if (alsoLeader) {
        report(pgid, os.signalProcess(pgid, signal), "leader", signal);
      }
    }
    for (Map.Entry<Long, Instant> e : escapees.entrySet()) {
      report(pgid, os.signalIfSame(e.getKey(), e.getValue(), signal), "escaped process " + e.getKey(), signal);
    }
  }

  private static void report(long pgid, int error, String target, int signal) {
    if (error == Errno.EPERM) {
      log.warn(
          "signal {} to the {} of process group {} was refused (EPERM): a member runs as another"
              + " user",
          signal,
          target,
          pgid);
    } else if (error != 0 && error != Errno.ESRCH) {
      log.warn(
          "signal {} to the {} of process group {} failed: errno {}", signal, target, pgid, error);
    }
  }

  /**
   * Reaps the leader and completes the termination; false (try again on a later pass) while the
   * leader is not a zombie yet, as on macOS right after NOTE_EXIT.
   */
  private boolean finish(Termination termination, Leader leader) {
    long pgid = termination.pgid();
    if (termination.strayHome() != null) {
      sweeps.remove(termination.strayHome(), termination);
      termination.future().complete(null);
      return true;
    }
    if (leader != null && leader.ourChild()) {
      NativeOs.Reap reaped = os.reap(pgid);
      if (reaped == NativeOs.Reap.NOT_YET) {
        return false;
      }
      if (reaped == NativeOs.Reap.NOT_OURS) {
        log.warn("process group {} is gone but its leader could not be reaped", pgid);
      }
    }
    if (leader != null) {
      leaders.remove(pgid, leader);
    }
    terminations.remove(pgid, termination);
    try {
      groupGone.accept(pgid);
    } finally {
      termination.future().complete(null);
    }
    return true;
  }

  /** Logs whatever the task throws, so that the thread and its schedule go on. */
  private static Runnable guarded(String name, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        log.error("{}: task '{}' failed; the schedule continues", THREAD_NAME, name, t);
      }
    };
  }
}
