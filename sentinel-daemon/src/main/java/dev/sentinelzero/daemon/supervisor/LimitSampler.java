package dev.sentinelzero.daemon.supervisor;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@link Supervisor#sampleLimits} every sample interval on its own thread, {@code
 * sentinel-sampler}, so that reading the process table never holds up the supervisor. Only
 * processes with limits are sampled; with none, a tick costs one task on the supervisor thread.
 */
public final class LimitSampler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LimitSampler.class);
  private final ScheduledExecutorService executor;

  public LimitSampler(Supervisor supervisor, long intervalMs) {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sentinel-sampler");
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            supervisor.sampleLimits();
          } catch (RuntimeException | Error e) {
            log.error("sampling failed", e); // the schedule goes on
          }
        },
        intervalMs,
        intervalMs,
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
