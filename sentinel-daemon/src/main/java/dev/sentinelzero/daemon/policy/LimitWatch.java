package dev.sentinelzero.daemon.policy;

import dev.sentinelzero.protocol.ResourceLimits;
import java.util.Locale;

/**
 * Decides, sample by sample, whether a process tree breaks its resource limits. Memory over the
 * limit at one sample is a breach; CPU is a breach only once every sample for {@code limit_for}
 * was over the limit (a spike does not count). Pure but for its own window state; owned by the
 * supervisor thread; time is the caller's monotonic reading.
 */
public final class LimitWatch {
  /** A breach: which limit, and a sentence with the measured value. */
  public record Breach(String limit, String message) {}

  private long cpuOverSinceNanos = -1;

  /**
   * @param cpuPercent the group's CPU since the previous sample, or null if not measured yet
   * @return the breach, or null
   */
  public Breach observe(ResourceLimits limits, long nowNanos, Double cpuPercent, long memoryBytes) {
    if (limits.maxMemoryBytes() != null && memoryBytes > limits.maxMemoryBytes()) {
      return new Breach(
          "memory",
          "memory limit: " + mib(memoryBytes) + " resident, over the limit of " + mib(limits.maxMemoryBytes()));
    }
    if (limits.maxCpuPercent() == null || cpuPercent == null) {
      return null;
    }
    if (cpuPercent <= limits.maxCpuPercent()) {
      cpuOverSinceNanos = -1;
      return null;
    }
    if (cpuOverSinceNanos < 0) {
      cpuOverSinceNanos = nowNanos;
    }
    long overMs = (nowNanos - cpuOverSinceNanos) / 1_000_000;
    if (overMs >= limits.limitForMs()) {
      return new Breach(
          "cpu",
          String.format(
              Locale.ROOT,
              "cpu limit: %.0f%% for %.1fs, over the limit of %.0f%%",
              cpuPercent,
              overMs / 1000.0,
              limits.maxCpuPercent()));
    }
    return null;
  }

  /** Forgets the window (after acting on a breach, or a new run). */
  public void reset() {
    cpuOverSinceNanos = -1;
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
