package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.daemon.store.EventLog;
import dev.sentinelzero.daemon.supervisor.ProcessNames;
import dev.sentinelzero.protocol.Args;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.EventRecord;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code events}: reads the transaction log, and with {@code follow} streams new entries (polled
 * every {@link #POLL_MILLIS} ms through a read-only connection of its own) until the client goes
 * or the daemon stops.
 */
public final class EventsHandler implements Handler {
  static final long POLL_MILLIS = 200;
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 10_000;
  /** About this much JSON of events goes into one answer (a frame is at most 1 MiB). */
  static final int MAX_RESULT_CHARS = 900 * 1024;

  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  private final Path database;

  public EventsHandler(Path database) {
    this.database = database;
  }

  @Override
  public void handle(Request request, Exchange exchange) throws ProtocolException, IOException {
    Args args = request.arguments();
    args.allowOnly(Set.of("name", "since", "limit", "follow"));
    String name = args.optString("name").orElse(null);
    if (name != null) {
      ProcessNames.check(name);
    }
    Instant since = null;
    if (args.has("since")) {
      try {
        since = Instant.parse(args.requireString("since"));
      } catch (DateTimeParseException e) {
        throw new ProtocolException(
            ErrorCode.INVALID_ARGUMENT,
            "argument \"since\" must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
      }
      if (since.isBefore(EARLIEST) || since.isAfter(LATEST)) {
        // The log keeps milliseconds since 1970 in 64 bits: +999999999-12-31 does not fit.
        throw new ProtocolException(
            ErrorCode.INVALID_ARGUMENT,
            "argument \"since\" must be between the years 0001 and 9999, got " + since);
      }
    }
    int limit = (int) args.optLong("limit", 1, MAX_LIMIT).orElse(DEFAULT_LIMIT);
    boolean follow = args.bool("follow", false);
    try (EventLog log = EventLog.open(database)) {
      List<EventRecord> first = log.query(name, since, 0, limit);
      if (!follow) {
        // The newest that fit in one frame (with room for the envelope), oldest first.
        List<Object> events = new ArrayList<>(first.size());
        long size = 0;
        int keep = first.size();
        while (keep > 0) {
          long next = Json.write(first.get(keep - 1).toJson()).length() + 1L;
          if (size + next > MAX_RESULT_CHARS) {
            break;
          }
          size += next;
          keep--;
        }
        for (EventRecord e : first.subList(keep, first.size())) {
          events.add(e.toJson());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("events", events);
        result.put("truncated", keep > 0);
        exchange.ok(result);
        return;
      }
      exchange.beginStream();
      long last = 0;
      for (EventRecord e : first) {
        exchange.event(EventRecord.STREAM_EVENT, e.toJson());
        last = e.id();
      }
      if (first.isEmpty()) {
        List<EventRecord> newest = log.query(null, null, 0, 1);
        last = newest.isEmpty() ? 0 : newest.get(0).id();
      }
      while (true) {
        for (EventRecord e : log.query(name, since, last, MAX_LIMIT)) {
          exchange.event(EventRecord.STREAM_EVENT, e.toJson());
          last = e.id();
        }
        if (exchange.clientGone()) {
          return;
        }
        if (exchange.awaitServerStop(POLL_MILLIS)) {
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("ended", "the daemon is stopping");
          exchange.ok(result);
          return;
        }
      }
    }
  }
}
