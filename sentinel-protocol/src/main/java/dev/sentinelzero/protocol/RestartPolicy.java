package dev.sentinelzero.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When and how fast a process that ended by itself is started again.
 *
 * <p>A run that lasted at least {@code minUptimeMs} was a good start: it resets the count of
 * failed starts and the delay. A run shorter than that is a failed start; after {@code retries}
 * restarts that each failed again, the process goes to {@code failed}, and is tried again with
 * fresh counters after {@code cooldownMs} when that is set.
 *
 * <p>The delay before restart {@code k} (1 for the first restart after a good run or after the
 * first failed start): {@code fixed} waits {@code delayMs} every time; {@code exponential} waits
 * {@code delayMs} the first time and then {@code max(delayMs, 100 ms) * factor^(k-1)}, capped at
 * {@code maxDelayMs}. Each delay is then spread by up to {@code jitter} either way, so that many
 * processes do not restart in lock-step.
 *
 * @param mode {@code always}, {@code on-failure} (default) or {@code never}
 * @param successExitCodes exit codes that count as a clean exit (default 0)
 * @param retries restarts allowed after consecutive failed starts; {@link #UNLIMITED} for no limit
 * @param delayMs the first restart's delay
 * @param backoff {@code exponential} (default) or {@code fixed}
 * @param backoffFactor the exponential factor, at least 1
 * @param maxDelayMs the largest delay, never below {@code delayMs}: a change that sets {@code
 *     delay_ms} above it without {@code max_delay_ms} raises it to the delay (see {@link #adjusted})
 * @param jitter a fraction from 0 to 1
 * @param minUptimeMs a run at least this long was a good start
 * @param cooldownMs after giving up, try again after this long; null to stay failed
 */
public record RestartPolicy(
    String mode,
    List<Integer> successExitCodes,
    int retries,
    long delayMs,
    String backoff,
    double backoffFactor,
    long maxDelayMs,
    double jitter,
    long minUptimeMs,
    Long cooldownMs) {

  public static final String ALWAYS = "always";
  public static final String ON_FAILURE = "on-failure";
  public static final String NEVER = "never";
  public static final String EXPONENTIAL = "exponential";
  public static final String FIXED = "fixed";
  public static final int UNLIMITED = -1;
  static final long MAX_DURATION_MS = 366L * 24 * 3600 * 1000;

  public static final RestartPolicy DEFAULT =
      new RestartPolicy(ON_FAILURE, List.of(0), 5, 0, EXPONENTIAL, 2.0, 300_000, 0.1, 5_000, null);

  /** The field names of the JSON form (all optional on input: a missing one keeps its value). */
  public static final Set<String> FIELDS =
      Set.of(
          "mode", "success_exit_codes", "retries", "delay_ms", "backoff", "backoff_factor",
          "max_delay_ms", "jitter", "min_uptime_ms", "cooldown_ms");

  public RestartPolicy {
    successExitCodes = List.copyOf(successExitCodes);
  }

  public boolean isSuccess(int exitCode) {
    return successExitCodes.contains(exitCode);
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("mode", mode);
    json.put("success_exit_codes", new ArrayList<>(successExitCodes));
    json.put("retries", retries);
    json.put("delay_ms", delayMs);
    json.put("backoff", backoff);
    json.put("backoff_factor", backoffFactor);
    json.put("max_delay_ms", maxDelayMs);
    json.put("jitter", jitter);
    json.put("min_uptime_ms", minUptimeMs);
    json.put("cooldown_ms", cooldownMs);
    return json;
  }

  /**
   * This policy with the fields present in {@code json} replaced; checks every value.
   *
   * @throws ProtocolException {@link ErrorCode#INVALID_ARGUMENT} naming the field and what it takes
   */
  public RestartPolicy with(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    args.allowOnly(FIELDS);
    String m = args.optString("mode").orElse(mode);
    if (!m.equals(ALWAYS) && !m.equals(ON_FAILURE) && !m.equals(NEVER)) {
      throw invalid("restart mode must be always, on-failure or never, got \"" + m + "\"");
    }
    List<Integer> codes = successExitCodes;
    if (json.get("success_exit_codes") != null) {
      Object raw = json.get("success_exit_codes");
      if (!(raw instanceof List) || ((List<?>) raw).isEmpty()) {
        throw invalid("success_exit_codes must be a non-empty array of exit codes (0 to 255)");
      }
      List<Integer> parsed = new ArrayList<>();
      for (Object o : (List<?>) raw) {
        if (!(o instanceof Integer) || (Integer) o < 0 || (Integer) o > 255) {
          throw invalid("success_exit_codes must hold exit codes from 0 to 255, got " + o);
        }
        parsed.add((Integer) o);
      }
      codes = parsed;
    }
    int r = (int) args.optLong("retries", UNLIMITED, 1_000_000).orElse(retries);
    long d = args.optLong("delay_ms", 0, MAX_DURATION_MS).orElse(delayMs);
    String b = args.optString("backoff").orElse(backoff);
    if (!b.equals(EXPONENTIAL) && !b.equals(FIXED)) {
      throw invalid("backoff must be exponential or fixed, got \"" + b + "\"");
    }
    double factor = number(json, "backoff_factor", backoffFactor);
    if (!(factor >= 1.0 && factor <= 100.0)) {
      throw invalid("backoff_factor must be between 1 and 100, got " + factor);
    }
    long max = args.optLong("max_delay_ms", 0, MAX_DURATION_MS).orElse(maxDelayMs);
    double j = number(json, "jitter", jitter);
    if (!(j >= 0.0 && j <= 1.0)) {
      throw invalid("jitter must be a fraction from 0 to 1, got " + j);
    }
    long up = args.optLong("min_uptime_ms", 0, MAX_DURATION_MS).orElse(minUptimeMs);
    Long cool = cooldownMs;
    if (json.containsKey("cooldown_ms")) {
      cool = json.get("cooldown_ms") == null ? null : args.optLong("cooldown_ms", 0, MAX_DURATION_MS).getAsLong();
    }
    if (max < d) {
      if (json.get("max_delay_ms") != null) {
        throw invalid(
            "max_delay_ms "
                + max
                + " is shorter than delay_ms "
                + d
                + ": the longest delay must be at least the first one; give a larger max_delay_ms"
                + (json.get("delay_ms") != null ? " or a smaller delay_ms" : ", or a smaller delay_ms with it"));
      }
      max = d; // a first delay above the cap, with no cap given, raises the cap with it
    }
    return new RestartPolicy(m, codes, r, d, b, factor, max, j, up, cool);
  }

  /**
   * The fields that {@link #with} moved although {@code json} did not set them, as {@code {field:
   * {"from": before, "to": after}}}; empty when none. Today one rule does that: a {@code delay_ms}
   * above the current {@code max_delay_ms}, given without {@code max_delay_ms}, raises the cap to
   * the delay.
   *
   * @param after {@code before.with(json)}
   */
  public static Map<String, Object> adjusted(RestartPolicy before, Map<String, Object> json, RestartPolicy after) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (json != null && json.get("max_delay_ms") == null && after.maxDelayMs != before.maxDelayMs) {
      Map<String, Object> change = new LinkedHashMap<>();
      change.put("from", before.maxDelayMs);
      change.put("to", after.maxDelayMs);
      out.put("max_delay_ms", change);
    }
    return out;
  }

  public static RestartPolicy fromJson(Map<String, Object> json) throws ProtocolException {
    return json == null ? DEFAULT : DEFAULT.with(json);
  }

  private static double number(Map<String, Object> json, String key, double fallback) throws ProtocolException {
    Object v = json.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number)) {
      throw invalid("argument \"" + key + "\" must be a number");
    }
    return ((Number) v).doubleValue();
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
