package dev.sentinelzero.protocol;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One coming fire time, as {@code upcoming} lists them.
 *
 * @param name the scheduled job
 * @param at the instant (shown in UTC)
 * @param local the same instant on the daemon's local clock, with its offset
 * @param zone the job's zone
 * @param inZone the same instant on the job's zone's clock, with its offset
 */
public record FireTime(String name, Instant at, OffsetDateTime local, String zone, OffsetDateTime inZone) {
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("at", at.toString());
    json.put("local", local.toString());
    json.put("zone", zone);
    json.put("in_zone", inZone.toString());
    return json;
  }

  public static FireTime fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    try {
      return new FireTime(
          args.requireString("name"),
          Instant.parse(args.requireString("at")),
          OffsetDateTime.parse(args.requireString("local")),
          args.optString("zone").orElse(null),
          OffsetDateTime.parse(args.requireString("in_zone")));
    } catch (java.time.format.DateTimeParseException e) {
      throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "a fire time cannot be read: " + e.getMessage());
    }
  }
}
