package dev.sentinelzero.protocol;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a run of a process ended, as shown by {@code status}.
 *
 * @param kind {@code exited} (with {@code code}), {@code killed} (with {@code signal}), {@code
 *     launch_failed} (the program could not be started; {@code message} says why) or {@code
 *     unknown} (the process was not the daemon's child, so its status cannot be read)
 * @param code the exit code, or null
 * @param signal the signal's name without {@code SIG}, e.g. {@code KILL}, or null
 * @param at when the end was observed
 * @param message a sentence for people, e.g. {@code exited with code 1}
 */
public record ExitInfo(String kind, Integer code, String signal, Instant at, String message) {
  public static final String EXITED = "exited";
  public static final String KILLED = "killed";
  public static final String LAUNCH_FAILED = "launch_failed";
  public static final String UNKNOWN = "unknown";

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("kind", kind);
    json.put("code", code);
    json.put("signal", signal);
    json.put("at", at == null ? null : at.toString());
    json.put("message", message);
    return json;
  }

  public static ExitInfo fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    return new ExitInfo(
        args.optString("kind").orElse(UNKNOWN),
        args.has("code") ? (int) args.optLong("code", Integer.MIN_VALUE, Integer.MAX_VALUE).getAsLong() : null,
        args.optString("signal").orElse(null),
        args.optString("at").map(Instant::parse).orElse(null),
        args.optString("message").orElse(""));
  }
}
