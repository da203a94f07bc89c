package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.ProtocolException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The state a process's latest transition left it in, as saved beside its definition (in the
 * transaction of that transition) and read back by the next daemon: what it was doing, why, how
 * its last run ended, the failed starts its restart policy has counted, and when a pending
 * automatic start (backoff, cooldown) is due. Monotonic readings are saved as wall-clock instants.
 *
 * @param failedStarts consecutive failed starts so far
 * @param streakStartedAt when the first of those failed starts was, or null
 * @param nextAttemptAt when the pending automatic start is due, or null
 */
record SavedState(
    ProcessState state,
    String reasonCode,
    String reason,
    ExitInfo lastExit,
    int failedStarts,
    Instant streakStartedAt,
    Instant nextAttemptAt) {

  /** What {@code p} is now; {@code clock} and {@code ticker} turn its ticker readings into instants. */
  static SavedState of(ManagedProcess p, Clock clock, LongSupplier ticker) {
    Instant streak =
        p.failedStarts == 0
            ? null
            : clock.instant().minusMillis(Math.max(0, (ticker.getAsLong() - p.streakStartNanos) / 1_000_000));
    return new SavedState(
        p.state(), p.reasonCode(), p.reason(), p.lastExit, p.failedStarts, streak, p.pendingStartAt);
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("state", state.wireName());
    json.put("reason_code", reasonCode);
    json.put("reason", reason);
    json.put("last_exit", lastExit == null ? null : lastExit.toJson());
    json.put("failed_starts", failedStarts);
    json.put("streak_started_at", streakStartedAt == null ? null : streakStartedAt.toString());
    json.put("next_attempt_at", nextAttemptAt == null ? null : nextAttemptAt.toString());
    return json;
  }

  /**
   * Reads what {@link #toJson} wrote; null when there is nothing (a definition from before schema
   * 5, or one never started) or it cannot be read, so that the process starts from {@code
   * stopped} as it did before states were saved.
   */
  @SuppressWarnings("unchecked")
  static SavedState fromJson(Map<String, Object> json) {
    if (json == null) {
      return null;
    }
    try {
      ProcessState state = ProcessState.valueOf(((String) json.get("state")).toUpperCase(Locale.ROOT));
      Object exit = json.get("last_exit");
      Object failed = json.get("failed_starts");
      return new SavedState(
          state,
          (String) json.get("reason_code"),
          (String) json.get("reason"),
          exit instanceof Map ? ExitInfo.fromJson((Map<String, Object>) exit) : null,
          failed instanceof Number ? ((Number) failed).intValue() : 0,
          instant(json.get("streak_started_at")),
          instant(json.get("next_attempt_at")));
    } catch (ProtocolException | RuntimeException e) {
      return null;
    }
  }

  /** Puts this state into a process the daemon has just loaded; no transition, no event. */
  void restoreInto(ManagedProcess p, Clock clock, LongSupplier ticker) {
    p.restoreState(state, reasonCode == null ? "" : reasonCode, reason == null ? "" : reason);
    p.lastExit = lastExit;
    p.failedStarts = failedStarts;
    if (streakStartedAt != null) {
      long ago = Math.max(0, clock.millis() - streakStartedAt.toEpochMilli());
      p.streakStartNanos = ticker.getAsLong() - ago * 1_000_000;
    }
  }

  private static Instant instant(Object text) {
    return text instanceof String ? Instant.parse((String) text) : null;
  }
}
