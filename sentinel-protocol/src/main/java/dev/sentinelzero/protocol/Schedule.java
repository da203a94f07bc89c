package dev.sentinelzero.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * When a scheduled job runs: the trigger (exactly one of {@code cron}, {@code everyMs}, {@code
 * at}), its time zone, and what happens when runs overlap or are missed. The daemon parses {@code
 * cron}, {@code at} and {@code tz} (its answer to a bad one names the bad part); the client sends
 * them as the user typed them.
 *
 * @param cron a cron expression: five fields, six with a leading seconds field, or a macro such
 *     as {@code @daily} or {@code @reboot}
 * @param everyMs an interval: fires every so many milliseconds from when the schedule was made
 * @param at a one-time time such as {@code 2026-12-01T02:00} (local to {@code tz}) or with an
 *     offset or {@code Z}
 * @param tz an IANA zone such as {@code Europe/Berlin}; null for the system's
 * @param overlap {@code skip} (default), {@code queue}, {@code replace} or {@code allow}
 * @param catchUp {@code once} (default) or {@code none}
 * @param catchUpWindowMs how old a missed fire time may be and still be caught up (default 24h)
 */
public record Schedule(
    String cron,
    Long everyMs,
    String at,
    String tz,
    String overlap,
    String catchUp,
    long catchUpWindowMs) {

  public static final String SKIP = "skip";
  public static final String QUEUE = "queue";
  public static final String REPLACE = "replace";
  public static final String ALLOW = "allow";
  public static final String CATCH_UP_ONCE = "once";
  public static final String CATCH_UP_NONE = "none";
  public static final long DEFAULT_CATCH_UP_WINDOW_MS = 24L * 3600 * 1000;
  /** The shortest interval: a job that runs more often than this is a service, not a schedule. */
  public static final long MIN_EVERY_MS = 100;
  /** The longest interval or catch-up window: ten years and a bit. */
  public static final long MAX_MS = 3660L * 24 * 3600 * 1000;

  /** The field names of the JSON form. */
  public static final Set<String> FIELDS =
      Set.of("cron", "every_ms", "at", "tz", "overlap", "catch_up", "catch_up_window_ms");

  public Schedule {
    overlap = overlap == null ? SKIP : overlap;
    catchUp = catchUp == null ? CATCH_UP_ONCE : catchUp;
  }

  /** A schedule with the default overlap and catch-up settings. */
  public static Schedule cron(String expression, String tz) {
    return new Schedule(expression, null, null, tz, null, null, DEFAULT_CATCH_UP_WINDOW_MS);
  }

  /** An interval schedule with the default overlap and catch-up settings. */
  public static Schedule every(long ms) {
    return new Schedule(null, ms, null, null, null, null, DEFAULT_CATCH_UP_WINDOW_MS);
  }

  /** How the trigger reads for people: {@code cron 0 2 * * *}, {@code every 15m}, {@code at ...}. */
  public String triggerText() {
    if (cron != null) {
      return "cron " + cron;
    }
    if (everyMs != null) {
      return "every " + millisText(everyMs);
    }
    return "at " + at;
  }

  /** {@code 1h30m}, {@code 15m}, {@code 1s}, {@code 250ms}. */
  public static String millisText(long ms) {
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    StringBuilder out = new StringBuilder();
    long[] sizes = {86_400, 3_600, 60, 1};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (s >= sizes[i]) {
        out.append(s / sizes[i]).append(units[i]);
        s %= sizes[i];
      }
    }
    return out.length() == 0 ? "0s" : out.toString();
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("cron", cron);
    json.put("every_ms", everyMs);
    json.put("at", at);
    json.put("tz", tz);
    json.put("overlap", overlap);
    json.put("catch_up", catchUp);
    json.put("catch_up_window_ms", catchUpWindowMs);
    return json;
  }

  /**
   * Reads and checks the shape (exactly one trigger, known overlap and catch-up values, ranges);
   * whether the expression, time or zone mean anything is for the daemon to say.
   */
  public static Schedule fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    args.allowOnly(FIELDS);
    String cron = args.optString("cron").orElse(null);
    Long every =
        args.has("every_ms") ? args.optLong("every_ms", MIN_EVERY_MS, MAX_MS).getAsLong() : null;
    String at = args.optString("at").orElse(null);
    int triggers = (cron != null ? 1 : 0) + (every != null ? 1 : 0) + (at != null ? 1 : 0);
    if (triggers != 1) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT,
          triggers == 0
              ? "a schedule needs a trigger: give one of --cron EXPR, --every DURATION or --at TIME"
              : "give only one of --cron, --every and --at");
    }
    if (cron != null && cron.isBlank()) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "the cron expression is empty; e.g. --cron \"0 2 * * *\"");
    }
    if (at != null && at.isBlank()) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "the --at time is empty; e.g. --at 2026-12-01T02:00");
    }
    String tz = args.optString("tz").orElse(null);
    if (tz != null && tz.isBlank()) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "the time zone is empty; give an IANA name such as Europe/Berlin");
    }
    String overlap = args.optString("overlap").orElse(SKIP);
    if (!Set.of(SKIP, QUEUE, REPLACE, ALLOW).contains(overlap)) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT,
          "unknown overlap policy \"" + overlap + "\": use skip, queue, replace or allow");
    }
    String catchUp = args.optString("catch_up").orElse(CATCH_UP_ONCE);
    if (!Set.of(CATCH_UP_ONCE, CATCH_UP_NONE).contains(catchUp)) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "unknown catch-up mode \"" + catchUp + "\": use once or none");
    }
    long window = args.optLong("catch_up_window_ms", 0, MAX_MS).orElse(DEFAULT_CATCH_UP_WINDOW_MS);
    return new Schedule(cron, every, at, tz, overlap, catchUp, window);
  }
}
