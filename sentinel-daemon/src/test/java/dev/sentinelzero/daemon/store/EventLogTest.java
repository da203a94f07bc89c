package dev.sentinelzero.daemon.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.EventRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Appending to, reading and pruning the transaction log. */
class EventLogTest {
  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  @Test
  void query_filtersByNameSinceAndAfterId_newestLimitOldestFirst() {
    Path db = dir.resolve("s.db");
    try (Store store = Store.open(db, Clock.systemUTC())) {
      for (int i = 0; i < 10; i++) {
        store.appendEvent(T0.plusSeconds(i), i % 2 == 0 ? "even" : "odd", "running", "event " + i, Map.of("i", i));
      }
    }
    try (EventLog log = EventLog.open(db)) {
      List<EventRecord> evens = log.query("even", null, 0, 3);
      assertThat(evens).extracting(EventRecord::message).containsExactly("event 4", "event 6", "event 8");
      assertThat(log.query(null, T0.plusSeconds(7), 0, 100)).extracting(EventRecord::message)
          .containsExactly("event 7", "event 8", "event 9");
      long id5 = log.query(null, null, 0, 100).get(5).id();
      assertThat(log.query(null, null, id5, 100)).hasSize(4);
      assertThat(evens.get(0).data()).containsEntry("i", 4);
    }
  }

  @Test
  void prune_dropsEventsOlderThanTheAge_andBeyondTheCount() {
    Path db = dir.resolve("s.db");
    try (Store store = Store.open(db, Clock.systemUTC())) {
      for (int i = 0; i < 10; i++) {
        store.appendEvent(T0.plusSeconds(i), null, "daemon", "event " + i, Map.of());
      }
      assertThat(store.pruneEvents(T0.plusSeconds(2), 1_000)).isEqualTo(2);
      assertThat(store.pruneEvents(T0, 5)).isEqualTo(3);
    }
    try (EventLog log = EventLog.open(db)) {
      assertThat(log.query(null, null, 0, 100)).extracting(EventRecord::message)
          .containsExactly("event 5", "event 6", "event 7", "event 8", "event 9");
    }
  }

  @Test
  void aTransaction_landsWholeOrNotAtAll() {
    Path db = dir.resolve("s.db");
    try (Store store = Store.open(db, Clock.systemUTC())) {
      store.begin();
      store.appendEvent(T0, null, "daemon", "inside", Map.of());
      try (EventLog log = EventLog.open(db)) {
        assertThat(log.query(null, null, 0, 10)).as("not visible before commit").isEmpty();
      }
      store.commit();
      try (EventLog log = EventLog.open(db)) {
        assertThat(log.query(null, null, 0, 10)).hasSize(1);
      }
    }
  }
}
