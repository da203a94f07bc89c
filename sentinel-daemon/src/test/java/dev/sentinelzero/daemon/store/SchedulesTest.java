package dev.sentinelzero.daemon.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.RunRecord;
import dev.sentinelzero.protocol.Schedule;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled jobs and run history in a real SQLite file. */
class SchedulesTest {
  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private static ProcessSpec spec(String name) {
    return new ProcessSpec(name, "true", null, false, "/tmp", Map.of(), null, "TERM", 1000);
  }

  @Test
  void aSchedule_isSavedAndReadBack_andGoesWithItsProcess() {
    Path file = dir.resolve("s.db");
    Schedule every = new Schedule(null, 900_000L, null, null, "queue", "none", 60_000);
    try (Store store = Store.open(file, Clock.systemUTC())) {
      store.saveProcess(spec("a"), false);
      store.saveProcess(spec("b"), false);
      store.schedules().save(new Schedules.StoredSchedule("a", every, true, T0, null, T0));
      store.schedules().save(new Schedules.StoredSchedule("b", Schedule.cron("0 2 * * *", "Europe/Berlin"), true, T0, null, T0));
      store.schedules().recordFire("a", T0.plusSeconds(900), T0.plusSeconds(901));
      store.schedules().setEnabled("b", false, T0.plusSeconds(5));
    }
    try (Store store = Store.open(file, Clock.systemUTC())) {
      List<Schedules.StoredSchedule> all = store.schedules().load();
      assertThat(all).containsExactly(
          new Schedules.StoredSchedule("a", every, true, T0, T0.plusSeconds(900), T0.plusSeconds(901)),
          new Schedules.StoredSchedule("b", Schedule.cron("0 2 * * *", "Europe/Berlin"), false, T0, null, T0.plusSeconds(5)));
      store.deleteProcess("a");
      assertThat(store.schedules().load()).extracting(Schedules.StoredSchedule::name).containsExactly("b");
    }
  }

  @Test
  void aRun_isOpenUntilItsEndIsRecorded_andHistoryListsTheLatestOldestFirst() {
    try (Store store = Store.open(dir.resolve("s.db"), Clock.systemUTC())) {
      Schedules h = store.schedules();
      long first = h.startRun("job", "schedule", T0, T0.plusMillis(3), 100L, T0.plusMillis(2), null);
      long second = h.startRun("job", "manual", null, T0.plusSeconds(10), 101L, null, null);
      long failed = h.startRun("job", "retry", null, T0.plusSeconds(20), null, null,
          new ExitInfo(ExitInfo.LAUNCH_FAILED, null, null, T0.plusSeconds(20), "no such file"));
      h.endRun(first, T0.plusSeconds(1), new ExitInfo(ExitInfo.EXITED, 0, null, T0.plusSeconds(1), "exited with code 0"));

      assertThat(h.openRuns()).extracting(RunRecord::id).containsExactly(second);
      assertThat(h.startTimeOf(first)).isEqualTo(T0.plusMillis(2));
      List<RunRecord> runs = h.history("job", 2);
      assertThat(runs).extracting(RunRecord::id).containsExactly(second, failed);
      RunRecord done = h.history("job", 3).get(0);
      assertThat(done.durationMs()).isEqualTo(997);
      assertThat(done.exit().code()).isEqualTo(0);
      assertThat(done.scheduledFor()).isEqualTo(T0);
      assertThat(h.history("job", 3).get(2).exit().kind()).isEqualTo(ExitInfo.LAUNCH_FAILED);

      h.endRun(first, T0.plusSeconds(99), new ExitInfo(ExitInfo.UNKNOWN, null, null, T0, "again"));
      assertThat(h.history("job", 3).get(0).exit().code()).as("an end is recorded once").isEqualTo(0);
    }
  }

  @Test
  void prune_dropsOldRuns_butNeverAnOpenRun() {
    try (Store store = Store.open(dir.resolve("s.db"), Clock.systemUTC())) {
      Schedules h = store.schedules();
      ExitInfo ok = new ExitInfo(ExitInfo.EXITED, 0, null, T0, "exited with code 0");
      long open = h.startRun("old", "daemon", null, T0.minusSeconds(86_400 * 60), 5L, null, null);
      long ancient = h.startRun("old", "daemon", null, T0.minusSeconds(86_400 * 60), 6L, null, null);
      h.endRun(ancient, T0.minusSeconds(86_400 * 60), ok);
      store.begin();
      for (int i = 0; i < Schedules.RUNS_KEPT + 5; i++) {
        long id = h.startRun("busy", "schedule", T0, T0.plusSeconds(i), 7L, null, null);
        h.endRun(id, T0.plusSeconds(i), ok);
      }
      store.commit();

      int pruned = h.prune(T0.minusSeconds(86_400 * 30));

      assertThat(pruned).as("only the ancient run: busy was kept to its newest runs as they came").isEqualTo(1);
      assertThat(h.history("busy", 10_000)).hasSize(Schedules.RUNS_KEPT);
      assertThat(h.history("busy", 1).get(0).startedAt()).isEqualTo(T0.plusSeconds(Schedules.RUNS_KEPT + 4));
      assertThat(h.history("old", 10)).extracting(RunRecord::id).containsExactly(open);
    }
  }

  /** Regression (issue 12): a zero-delay crash loop grew one process's history to 27,840 rows a minute. */
  @Test
  void aProcessHistory_isBoundedAtEveryInsert_andOthersAreNotTouched() {
    try (Store store = Store.open(dir.resolve("s.db"), Clock.systemUTC())) {
      Schedules h = store.schedules();
      ExitInfo failed = new ExitInfo(ExitInfo.EXITED, 1, null, T0, "exited with code 1");
      long quiet = h.startRun("quiet", "manual", null, T0, 4L, null, null);
      h.endRun(quiet, T0, failed);
      long live = h.startRun("loop", "manual", null, T0, 5L, null, null); // still running: kept
      for (int i = 0; i < Schedules.RUNS_KEPT * 3; i++) {
        store.begin();
        long id = h.startRun("loop", "retry", null, T0.plusMillis(i), 7L, null, null);
        h.endRun(id, T0.plusMillis(i), failed);
        store.commit();
        if (i % 500 == 0) {
          assertThat(rows(store, "loop")).as("after %d runs", i + 1).isLessThanOrEqualTo(Schedules.RUNS_KEPT + 1);
        }
      }

      assertThat(rows(store, "loop")).isEqualTo(Schedules.RUNS_KEPT + 1);
      assertThat(h.history("loop", 1).get(0).startedAt()).isEqualTo(T0.plusMillis(Schedules.RUNS_KEPT * 3 - 1));
      assertThat(h.openRuns()).extracting(RunRecord::id).containsExactly(live);
      assertThat(h.history("quiet", 10)).extracting(RunRecord::id).containsExactly(quiet);
    }
  }

  private static int rows(Store store, String name) {
    try (java.sql.PreparedStatement st = store.connection().prepareStatement("SELECT count(*) FROM history WHERE name = ?")) {
      st.setString(1, name);
      try (java.sql.ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }
}
