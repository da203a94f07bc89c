package dev.sentinelzero.protocol;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scheduled job as {@code schedule list} shows it.
 *
 * @param name the job's name (also the name of the process each run is)
 * @param schedule its trigger and settings
 * @param zone the zone its times are read in (the system's when {@code schedule.tz} is null)
 * @param enabled whether it fires
 * @param lastFire the fire time of its latest run started by the schedule, or null
 * @param nextFire its next fire time, or null (disabled, a one-time job that has run, {@code
 *     @reboot})
 * @param process the process its runs are: state, last exit, pid while running
 */
public record ScheduleStatus(
    String name,
    Schedule schedule,
    String zone,
    boolean enabled,
    Instant lastFire,
    Instant nextFire,
    ProcessStatus process) {

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("trigger", schedule.triggerText());
    json.putAll(schedule.toJson());
    json.put("zone", zone);
    json.put("enabled", enabled);
    json.put("last_fire", lastFire == null ? null : lastFire.toString());
    json.put("next_fire", nextFire == null ? null : nextFire.toString());
    json.put("process", process == null ? null : process.toJson());
    return json;
  }

  /**
   * Reads a reply. Lenient where {@link Schedule#fromJson} is strict: a value this build does not
   * know (a newer daemon's overlap policy) is shown as it is, not refused.
   */
  @SuppressWarnings("unchecked")
  public static ScheduleStatus fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    Object process = json.get("process");
    Schedule schedule =
        new Schedule(
            args.optString("cron").orElse(null),
            args.has("every_ms") ? args.optLong("every_ms", 0, Long.MAX_VALUE).getAsLong() : null,
            args.optString("at").orElse(null),
            args.optString("tz").orElse(null),
            args.optString("overlap").orElse(null),
            args.optString("catch_up").orElse(null),
            args.optLong("catch_up_window_ms", 0, Long.MAX_VALUE).orElse(Schedule.DEFAULT_CATCH_UP_WINDOW_MS));
    return new ScheduleStatus(
        args.requireString("name"),
        schedule,
        args.optString("zone").orElse(null),
        args.bool("enabled", true),
        args.optString("last_fire").map(Instant::parse).orElse(null),
        args.optString("next_fire").map(Instant::parse).orElse(null),
        process instanceof Map ? ProcessStatus.fromJson((Map<String, Object>) process) : null);
  }
}
