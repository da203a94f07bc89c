package dev.sentinelzero.protocol;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of the daemon's transaction log, as {@code events} returns it (in {@code events}, or
 * as the data of an {@code event} stream message while following).
 *
 * @param id increasing with time; {@code since_id} continues after it
 * @param at when it happened
 * @param name the process it concerns, or null for the daemon itself
 * @param kind {@code request} (a state-changing request: who, what, outcome), or a process's new
 *     state ({@code running}, {@code stopping}, {@code stopped}, {@code exited}, {@code backoff},
 *     {@code failed}, ...), or {@code daemon} (start, stop)
 * @param message a sentence for people
 * @param data details: for a state, {@code reason_code}, {@code pid}, {@code last_exit}; for a
 *     request, {@code user}, {@code command}, {@code args} (secret values replaced by {@code ***}),
 *     {@code outcome}
 */
public record EventRecord(
    long id, Instant at, String name, String kind, String message, Map<String, Object> data) {
  public static final String STREAM_EVENT = "event";

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("at", at.toString());
    json.put("name", name);
    json.put("kind", kind);
    json.put("message", message);
    json.put("data", data == null ? Map.of() : data);
    return json;
  }

  @SuppressWarnings("unchecked")
  public static EventRecord fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    Object data = json.get("data");
    return new EventRecord(
        args.optLong("id", 0, Long.MAX_VALUE).orElse(0),
        Instant.parse(args.requireString("at")),
        args.optString("name").orElse(null),
        args.optString("kind").orElse(""),
        args.optString("message").orElse(""),
        data instanceof Map ? (Map<String, Object>) data : Map.of());
  }
}
