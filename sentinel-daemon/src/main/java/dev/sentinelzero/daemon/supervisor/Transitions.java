package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.protocol.ProcessStatus;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a process's state changes are recorded: an entry in the transaction log and a line in
 * daemon.log ({@code name: FROM -> TO (reason)}) each. Two kinds of change would drown everything
 * else and are kept brief (issues 9 and 12):
 *
 * <ul>
 *   <li>The routine runs of a scheduled job (a run started for its fire time that ends with a
 *       success code): no entries and a debug line only; its row in the run history ({@code
 *       sentinel history NAME}) is the record. A run that fails, a catch-up, and every decision
 *       of the overlap policy are recorded as before.
 *   <li>A crash loop: once a process has been restarted automatically {@link #LOOP_RESTARTS} times
 *       within {@link #LOOP_WINDOW_MS}, its further automatic restarts (and the backoffs between)
 *       are counted instead of recorded one by one: one entry of kind {@code crash-loop} and one
 *       info line when the loop begins, one a minute with how many restarts it made and how the
 *       last run ended, and one when it ends (any other change, such as a stop or giving up, or a
 *       minute without a restart).
 * </ul>
 *
 * <p>Thread: supervisor thread; the per-process state is {@link ManagedProcess#crashLoop}, written
 * here only. The minute's summary is planned on the timer and runs as a supervisor event.
 */
final class Transitions {
  private static final Logger log = LoggerFactory.getLogger(ManagedProcess.class); // the lines it always had

  /** Automatic restarts within {@link #LOOP_WINDOW_MS} that make a crash loop. */
  static final int LOOP_RESTARTS = 10;

  static final long LOOP_WINDOW_MS = 60_000;

  /** A process's crash-loop bookkeeping. */
  static final class CrashLoop {
    long windowStartNanos;
    int inWindow;
    boolean summing;
    /** Restarts since the last summary. */
    long restarts;
    long total;
    String lastWhy;
    Timer.Cancellable summary;
  }

  private final Store store;
  private final Clock clock;
  private final LongSupplier ticker;
  private final Timer timer;
  private final Consumer<Runnable> post;
  private final Predicate<ManagedProcess> current;

  /**
   * @param post queues an event on the supervisor thread
   * @param current whether a process is still defined (a removed one gets no summary)
   */
  Transitions(
      Store store, Clock clock, LongSupplier ticker, Timer timer, Consumer<Runnable> post, Predicate<ManagedProcess> current) {
    this.store = store;
    this.clock = clock;
    this.ticker = ticker;
    this.timer = timer;
    this.post = post;
    this.current = current;
  }

  /** Records that {@code p} moved from {@code from} to its current state. */
  void record(ManagedProcess p, ProcessState from, String code, String why, Map<String, Object> data) {
    ProcessState to = p.state();
    boolean restarting = ProcessStatus.REASON_RESTARTING.equals(code);
    boolean restart = to == ProcessState.RUNNING && restarting;
    boolean loopStep = restarting || to == ProcessState.BACKOFF;
    if (restart) {
      countRestart(p);
    }
    CrashLoop loop = p.crashLoop;
    if (loop != null && loop.summing) {
      if (loopStep) {
        if (restart) {
          loop.restarts++;
          loop.total++;
        }
        loop.lastWhy = why;
        log.debug("{}: {} -> {} ({})", p.name(), from, to, why);
        return;
      }
      endLoop(p, "the crash loop ended: " + why);
    }
    if (routine(p, to, code)) {
      log.debug("{}: {} -> {} ({})", p.name(), from, to, why);
      return;
    }
    log.info("{}: {} -> {} ({})", p.name(), from, to, why);
    store.appendEvent(clock.instant(), p.name(), to.wireName(), why, data);
    if (loop != null && restart && !loop.summing && loop.inWindow >= LOOP_RESTARTS) {
      beginLoop(p, loop);
    }
  }

  /** A process's loop, if any, ends with it (removed, or redefined). */
  void forget(ManagedProcess p) {
    CrashLoop loop = p.crashLoop;
    if (loop != null && loop.summary != null) {
      loop.summary.cancel();
    }
    p.crashLoop = null;
  }

  private boolean routine(ManagedProcess p, ProcessState to, String code) {
    if (!p.routineRun) {
      return false;
    }
    if (to == ProcessState.STARTING || to == ProcessState.RUNNING) {
      if (ProcessStatus.REASON_SCHEDULED.equals(code)) {
        return true;
      }
      p.routineRun = false; // a retry by its restart policy: not routine any more
      return false;
    }
    if (to == ProcessState.EXITED) {
      p.routineRun = false; // the run is over: ended with a success code
      return true;
    }
    p.routineRun = false;
    return false;
  }

  private void countRestart(ManagedProcess p) {
    long now = ticker.getAsLong();
    CrashLoop loop = p.crashLoop;
    if (loop == null) {
      loop = new CrashLoop();
      loop.windowStartNanos = now;
      p.crashLoop = loop;
    } else if (!loop.summing && now - loop.windowStartNanos > LOOP_WINDOW_MS * 1_000_000) {
      loop.windowStartNanos = now;
      loop.inWindow = 0;
    }
    loop.inWindow++;
  }

  private void beginLoop(ManagedProcess p, CrashLoop loop) {
    loop.summing = true;
    loop.restarts = 0;
    loop.total = loop.inWindow;
    String message =
        "in a crash loop: restarted " + loop.inWindow + " times within "
            + Restarts.humanMillis((ticker.getAsLong() - loop.windowStartNanos) / 1_000_000)
            + "; further restarts are summed up once a minute (each run is in: sentinel history " + p.name() + ")";
    log.warn("{}: {}", p.name(), message);
    store.appendEvent(clock.instant(), p.name(), "crash-loop", message, data(loop));
    planSummary(p, loop);
  }

  private void planSummary(ManagedProcess p, CrashLoop loop) {
    loop.summary =
        timer.schedule(
            LOOP_WINDOW_MS,
            () ->
                post.accept(
                    () -> {
                      if (p.crashLoop != loop || !loop.summing || !current.test(p)) {
                        return;
                      }
                      if (loop.restarts == 0) {
                        endLoop(p, "the crash loop ended: no restart in the last minute");
                        return;
                      }
                      summarize(p, loop);
                      planSummary(p, loop);
                    }));
  }

  private void summarize(ManagedProcess p, CrashLoop loop) {
    String message =
        "crash loop: restarted " + loop.restarts + " times in the last minute (" + loop.total
            + " in all); last: " + loop.lastWhy;
    log.info("{}: {}", p.name(), message);
    store.appendEvent(clock.instant(), p.name(), "crash-loop", message, data(loop));
    loop.restarts = 0;
  }

  private void endLoop(ManagedProcess p, String why) {
    CrashLoop loop = p.crashLoop;
    if (loop.restarts > 0) {
      summarize(p, loop);
    }
    String message = why + " (" + loop.total + " restarts in all)";
    log.info("{}: {}", p.name(), message);
    store.appendEvent(clock.instant(), p.name(), "crash-loop", message, data(loop));
    forget(p);
  }

  private static Map<String, Object> data(CrashLoop loop) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("restarts", loop.restarts);
    data.put("total", loop.total);
    return data;
  }
}
