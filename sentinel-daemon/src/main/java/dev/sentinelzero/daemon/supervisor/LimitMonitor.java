package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.policy.LimitWatch;
import dev.sentinelzero.daemon.process.ProcessControl;
import dev.sentinelzero.daemon.process.ResourceUsage;
import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ResourceLimits;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resource limits: samples the running processes that have limits and acts on a breach (the
 * window and the decision are {@link LimitWatch}'s): {@code restart} ends the run (its restart
 * policy starts the next), {@code stop} stops the process, {@code log} reports it once until the
 * process is back under its limit. A breach is logged and recorded as an event of kind {@code
 * limit}.
 *
 * <p>Threads: {@link #sample} runs on {@code sentinel-sampler} and touches no process: it asks the
 * supervisor thread which runs to sample, samples their groups on its own thread (reading the
 * process table never holds up the supervisor), and hands the results back to the supervisor
 * thread. Everything else runs on the supervisor thread, which owns each run's window ({@code
 * Run.limits}, {@code Run.limitReported}: written here only). No state of its own.
 */
final class LimitMonitor {
  private static final Logger log = LoggerFactory.getLogger(LimitMonitor.class);

  /** A run to sample: its process's name and its id, so a result for an earlier run is ignored. */
  private record Target(String name, long runId) {}

  private final ProcessControl os;
  private final Store store;
  private final Clock clock;
  private final LongSupplier ticker;
  private final EventLoop loop;
  private final Supervised supervised;

  /** @param ticker monotonic nanoseconds, for the limits' windows */
  LimitMonitor(
      ProcessControl os, Store store, Clock clock, LongSupplier ticker, EventLoop loop, Supervised supervised) {
    this.os = os;
    this.store = store;
    this.clock = clock;
    this.ticker = ticker;
    this.loop = loop;
    this.supervised = supervised;
  }

  /**
   * Samples every running process that has resource limits and acts on breaches. Called from the
   * {@code sentinel-sampler} thread, never the supervisor's; returns when the results have been
   * applied.
   */
  void sample() {
    Map<Long, Target> targets;
    try {
      targets = loop.call(this::targets).get();
    } catch (Exception e) {
      return; // shutting down
    }
    if (targets.isEmpty()) {
      return;
    }
    Map<Long, ResourceUsage> usage = os.sample(targets.keySet());
    long now = ticker.getAsLong();
    try {
      loop.call(
              () -> {
                for (Map.Entry<Long, Target> t : targets.entrySet()) {
                  ResourceUsage u = usage.get(t.getKey());
                  if (u != null) {
                    onSample(t.getValue().name(), t.getValue().runId(), now, u);
                  }
                }
                return null;
              })
          .get();
    } catch (Exception e) {
      // shutting down
    }
  }

  /** The process's limits were set or cleared: its run's window starts afresh. */
  void limitsChanged(ManagedProcess p) {
    if (p.run != null) {
      p.run.limits.reset();
    }
  }

  /** By process-group id, the running processes that have limits (supervisor thread). */
  private Map<Long, Target> targets() {
    Map<Long, Target> out = new HashMap<>();
    for (ManagedProcess p : supervised.processes()) {
      if (p.spec.limits() != null && p.state() == ProcessState.RUNNING) {
        out.put(p.run.pid, new Target(p.name(), p.run.id));
      }
    }
    return out;
  }

  private void onSample(String name, long runId, long now, ResourceUsage u) {
    ManagedProcess p = supervised.process(name);
    if (p == null || p.run == null || p.run.id != runId || p.state() != ProcessState.RUNNING
        || p.spec.limits() == null || p.run.unhealthy != null) {
      return;
    }
    ResourceLimits limits = p.spec.limits();
    LimitWatch.Breach breach = p.run.limits.observe(limits, now, u.cpuPercent(), u.residentBytes());
    if (breach == null) {
      p.run.limitReported = false;
      return;
    }
    if (limits.action().equals(ResourceLimits.LOG) && p.run.limitReported) {
      return; // reported once until it is back under the limit
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("limit", breach.limit());
    data.put("cpu_percent", u.cpuPercent());
    data.put("memory_bytes", u.residentBytes());
    data.put("action", limits.action());
    store.appendEvent(clock.instant(), name, "limit", breach.message(), data);
    log.warn("{}: {} (action: {})", name, breach.message(), limits.action());
    p.run.limits.reset();
    switch (limits.action()) {
      case ResourceLimits.RESTART:
        supervised.endRun(p, breach.message());
        break;
      case ResourceLimits.STOP:
        supervised.stop(p, ProcessStatus.REASON_LIMIT, "stopped: " + breach.message());
        break;
      default:
        p.run.limitReported = true;
        break;
    }
  }
}
