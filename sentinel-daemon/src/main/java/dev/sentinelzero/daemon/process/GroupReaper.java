package dev.sentinelzero.daemon.process;

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
 * deadline, and finally reaps the leader. It runs on one scheduler thread, {@code
 * sentinel-group-reaper}, and scans the process table only while some termination is pending: at
 * once when one is requested or a leader exits, then after 5, 10, 20, 50 and every 100 ms, sooner
 * if a SIGKILL deadline falls earlier. One scan serves all pending groups.
 *
 * <p>The leader is reaped only after its group has no live member: until then its zombie keeps the
 * pid, and so the group id, from being reused, so {@code kill(-pgid)} cannot reach a stranger. A
 * leader that is still alive (a stop) is signalled with its group; its exit is observed by the exit
 * watcher, whose listener runs before this future completes.
 *
 * <p>Threads and state: {@code terminations} is concurrent (callers add through {@link #terminate},
 * the reaper thread removes); {@code backoffStep} and {@code nextScan} belong to the reaper thread.
 * Futures complete on the reaper thread, so dependent actions attached without {@code *Async} run
 * there and must be quick.
 */
final class GroupReaper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupReaper.class);
  static final String THREAD_NAME = "sentinel-group-reaper";

  private final NativeOs os;
  private final LongSupplier ticker;
  private final Map<Long, Leader> leaders;
  private final LongConsumer groupGone;
  private final int sigkill;
  private final int sigcont;
  private final ScheduledThreadPoolExecutor executor;
  private final ConcurrentHashMap<Long, Termination> terminations = new ConcurrentHashMap<>();
  private final AtomicBoolean scanRequested = new AtomicBoolean();
  private int backoffStep; // reaper thread only
  private ScheduledFuture<?> nextScan; // reaper thread only

  /**
   * @param leaders the leaders known to the control; a finished leader is removed from it here
   * @param groupGone called on the reaper thread when a group's termination completes
   */
  GroupReaper(NativeOs os, LongSupplier ticker, Map<Long, Leader> leaders, LongConsumer groupGone) {
    this.os = os;
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
            pgid, id -> created[0] = new Termination(id, first, timeoutMillis, ticker.getAsLong()));
    if (created[0] != null) {
      requestScan();
    }
    return termination.future();
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
      if (!terminations.isEmpty()) {
        long delayMillis = Termination.backoffMillis(++backoffStep);
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
    if (terminations.isEmpty()) {
      return Long.MAX_VALUE;
    }
    Set<Long> pgids = Set.copyOf(terminations.keySet());
    Map<Long, List<Long>> members = os.liveMembers(pgids);
    long now = ticker.getAsLong();
    long nanosToNextKill = Long.MAX_VALUE;
    for (long pgid : pgids) {
      Termination termination = terminations.get(pgid);
      if (termination == null) {
        continue;
      }
      Leader leader = leaders.get(pgid);
      List<Long> live = members.getOrDefault(pgid, List.of());
      // Our leader, alive but no longer in its group (it called setpgid): signal it by pid,
      // which is safe because its pid stays ours until we reap it.
      boolean leaderElsewhere =
          leader != null && leader.ourChild() && !leader.exited() && !live.contains(pgid);
      boolean groupEmpty = live.isEmpty() && !leaderElsewhere;
      boolean leaderDone = leaderDone(leader, live);
      switch (termination.next(now, groupEmpty, leaderDone)) {
        case SIGNAL_FIRST -> {
          int first = termination.first().number();
          signal(pgid, first, leaderElsewhere);
          if (first != sigkill && first != sigcont) {
            // A stopped process acts on TERM only once it is continued.
            signal(pgid, sigcont, leaderElsewhere);
          }
        }
        case SIGNAL_KILL -> {
          log.info(
              "process group {} still has {} live process(es) after its timeout: sending SIGKILL",
              pgid,
              live.size() + (leaderElsewhere ? 1 : 0));
          signal(pgid, sigkill, leaderElsewhere);
        }
        case COMPLETE -> {
          finish(termination, leader);
          continue;
        }
        case WAIT -> {}
      }
      nanosToNextKill = Math.min(nanosToNextKill, termination.nanosUntilKill(now));
    }
    return nanosToNextKill;
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

  private void signal(long pgid, int signal, boolean alsoLeader) {
    report(pgid, os.signalGroup(pgid, signal), "group", signal);
    if (alsoLeader) {
      report(pgid, os.signalProcess(pgid, signal), "leader", signal);
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

  private void finish(Termination termination, Leader leader) {
    long pgid = termination.pgid();
    if (leader != null && leader.ourChild() && !os.reap(pgid)) {
      log.warn("process group {} is gone but its leader could not be reaped", pgid);
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
