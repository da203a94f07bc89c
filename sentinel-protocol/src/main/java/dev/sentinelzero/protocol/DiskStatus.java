package dev.sentinelzero.protocol;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether the daemon can write its files, as {@code daemon.status} reports it ({@code disk}).
 *
 * @param state {@code ok}; {@code low} (the disk was full and the daemon is using its reserve, or
 *     the logs' file system is nearly full); {@code full} (the database refuses writes: changes
 *     wait in memory, or the logs' file system is full)
 * @param message what is wrong and what to do, in words
 * @param since when the database first refused the writes that wait, or null
 * @param unsavedChanges how many of the daemon's writes wait in memory for space (lost if the
 *     daemon is killed before they are saved)
 * @param lostEvents transaction-log entries (and history rows) dropped because too many waited
 * @param freeBytes free space of the home's file system, or null when unknown
 * @param logsFreeBytes free space of the logs' file system, or null when unknown
 * @param readOnly the database could only be opened read-only (the daemon started on a full disk)
 * @param reserveInUse the daemon has used up the reserve it keeps for a full disk
 */
public record DiskStatus(
    String state,
    String message,
    Instant since,
    int unsavedChanges,
    long lostEvents,
    Long freeBytes,
    Long logsFreeBytes,
    boolean readOnly,
    boolean reserveInUse) {
  public static final String OK = "ok";
  public static final String LOW = "low";
  public static final String FULL = "full";

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("state", state);
    json.put("message", message);
    json.put("since", since == null ? null : since.toString());
    json.put("unsaved_changes", unsavedChanges);
    json.put("lost_events", lostEvents);
    json.put("free_bytes", freeBytes);
    json.put("logs_free_bytes", logsFreeBytes);
    json.put("read_only", readOnly);
    json.put("reserve_in_use", reserveInUse);
    return json;
  }

  public static DiskStatus fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    return new DiskStatus(
        args.optString("state").orElse(OK),
        args.optString("message").orElse(""),
        args.optString("since").map(Instant::parse).orElse(null),
        (int) args.optLong("unsaved_changes", 0, Integer.MAX_VALUE).orElse(0),
        args.optLong("lost_events", 0, Long.MAX_VALUE).orElse(0),
        args.has("free_bytes") ? args.optLong("free_bytes", 0, Long.MAX_VALUE).getAsLong() : null,
        args.has("logs_free_bytes") ? args.optLong("logs_free_bytes", 0, Long.MAX_VALUE).getAsLong() : null,
        args.bool("read_only", false),
        args.bool("reserve_in_use", false));
  }
}
