package dev.sentinelzero.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Limits on a process tree's resources, checked at every sample (every 2 s by default; the
 * daemon's {@code SENTINEL_SAMPLE_INTERVAL_MS}). Resident memory over {@code maxMemoryBytes} at a
 * sample is a breach at once; CPU over {@code maxCpuPercent} (of one core: 250 is allowed on a
 * multi-core machine) is a breach only when every sample for {@code limitForMs} was over it, so a
 * spike does not count. On a breach, {@code action}: {@code restart} (under the restart policy),
 * {@code stop}, or {@code log} (only an event).
 *
 * @param maxMemoryBytes null for no memory limit
 * @param maxCpuPercent null for no CPU limit
 */
public record ResourceLimits(Long maxMemoryBytes, Double maxCpuPercent, long limitForMs, String action) {
  public static final String RESTART = "restart";
  public static final String STOP = "stop";
  public static final String LOG = "log";
  public static final Set<String> FIELDS = Set.of("max_memory_bytes", "max_cpu_percent", "limit_for_ms", "action");

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("max_memory_bytes", maxMemoryBytes);
    json.put("max_cpu_percent", maxCpuPercent);
    json.put("limit_for_ms", limitForMs);
    json.put("action", action);
    return json;
  }

  public static ResourceLimits fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    args.allowOnly(FIELDS);
    Long memory = args.has("max_memory_bytes")
        ? args.optLong("max_memory_bytes", 1024 * 1024, Long.MAX_VALUE).getAsLong()
        : null;
    Double cpu = null;
    Object rawCpu = json.get("max_cpu_percent");
    if (rawCpu != null) {
      if (!(rawCpu instanceof Number)) {
        throw invalid("argument \"max_cpu_percent\" must be a number");
      }
      cpu = ((Number) rawCpu).doubleValue();
      if (!(cpu > 0 && cpu <= 100_000)) {
        throw invalid("max_cpu_percent must be above 0 (percent of one core; 250 means 2.5 cores), got " + cpu);
      }
    }
    if (memory == null && cpu == null) {
      throw invalid("give max_memory_bytes, max_cpu_percent or both (or null to remove the limits)");
    }
    String action = args.optString("action").orElse(RESTART);
    if (!action.equals(RESTART) && !action.equals(STOP) && !action.equals(LOG)) {
      throw invalid("limit action must be restart, stop or log, got \"" + action + "\"");
    }
    long limitFor = args.optLong("limit_for_ms", 0, 24L * 3600 * 1000).orElse(30_000);
    return new ResourceLimits(memory, cpu, limitFor, action);
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
