package dev.sentinelzero.daemon.supervisor;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task after a delay: restart backoff and cooldown. The supervisor's tasks only post an
 * event back to the supervisor thread. Tests replace it with a timer they advance by hand.
 */
public interface Timer extends AutoCloseable {
  /** A scheduled task that can be called off. */
  interface Cancellable {
    void cancel();
  }

  Cancellable schedule(long delayMs, Runnable task);

  /** Like {@link #schedule}, to the nanosecond where the timer can (never earlier than asked). */
  default Cancellable scheduleNanos(long delayNanos, Runnable task) {
    return schedule((delayNanos + 999_999) / 1_000_000, task);
  }

  @Override
  void close();

  /** The real timer: one thread, {@code sentinel-timer}. */
  static Timer system() {
    Logger log = LoggerFactory.getLogger(Timer.class);
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "sentinel-timer");
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    ScheduledExecutorService ses = executor;
    return new Timer() {
      @Override
      public Cancellable schedule(long delayMs, Runnable task) {
        return scheduleNanos(TimeUnit.MILLISECONDS.toNanos(delayMs), task);
      }

      @Override
      public Cancellable scheduleNanos(long delayNanos, Runnable task) {
        ScheduledFuture<?> f =
            ses.schedule(
                () -> {
                  try {
                    task.run();
                  } catch (RuntimeException | Error e) {
                    log.error("timer task failed", e);
                  }
                },
                delayNanos,
                TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      }

      @Override
      public void close() {
        ses.shutdownNow();
      }
    };
  }
}
