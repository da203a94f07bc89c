package dev.sentinelzero.protocol;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of a process, as {@code history} lists them.
 *
 * @param id increasing with time
 * @param name the process
 * @param reason why it started: {@code schedule}, {@code catch-up}, {@code manual} (a request),
 *     {@code retry} (its restart policy), {@code daemon} (started with the daemon)
 * @param scheduledFor the fire time it was started for ({@code schedule}, {@code catch-up}), or
 *     null
 * @param startedAt when it started
 * @param endedAt when it ended, or null while it runs
 * @param pid its process id, or null when it could not be launched
 * @param exit how it ended, or null while it runs
 */
public record RunRecord(
    long id,
    String name,
    String reason,
    Instant scheduledFor,
    Instant startedAt,
    Instant endedAt,
    Long pid,
    ExitInfo exit) {
  public static final String SCHEDULE = "schedule";
  public static final String CATCH_UP = "catch-up";
  public static final String MANUAL = "manual";
  public static final String RETRY = "retry";
  public static final String DAEMON = "daemon";

  /** How long it ran, or null while it runs. */
  public Long durationMs() {
    return endedAt == null ? null : Math.max(0, endedAt.toEpochMilli() - startedAt.toEpochMilli());
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("name", name);
    json.put("reason", reason);
    json.put("scheduled_for", scheduledFor == null ? null : scheduledFor.toString());
    json.put("started_at", startedAt.toString());
    json.put("ended_at", endedAt == null ? null : endedAt.toString());
    json.put("duration_ms", durationMs());
    json.put("pid", pid);
    json.put("exit", exit == null ? null : exit.toJson());
    return json;
  }

  @SuppressWarnings("unchecked")
  public static RunRecord fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    Object exit = json.get("exit");
    return new RunRecord(
        args.optLong("id", 0, Long.MAX_VALUE).orElse(0),
        args.requireString("name"),
        args.optString("reason").orElse(""),
        args.optString("scheduled_for").map(Instant::parse).orElse(null),
        Instant.parse(args.requireString("started_at")),
        args.optString("ended_at").map(Instant::parse).orElse(null),
        args.has("pid") ? args.optLong("pid", 0, Long.MAX_VALUE).getAsLong() : null,
        exit instanceof Map ? ExitInfo.fromJson((Map<String, Object>) exit) : null);
  }
}
