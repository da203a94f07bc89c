package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON form of schedules, fire times and runs, and what a schedule's shape must be. */
class ScheduleTypesTest {
  private static Map<String, Object> roundTrip(Map<String, Object> json) throws ProtocolException {
    return Json.parseObject(Json.write(json));
  }

  @Test
  void aSchedule_survivesItsJsonForm() throws ProtocolException {
    Schedule s = new Schedule(null, 900_000L, null, "Europe/Berlin", "queue", "none", 3_600_000);

    assertThat(Schedule.fromJson(roundTrip(s.toJson()))).isEqualTo(s);
    assertThat(Schedule.fromJson(roundTrip(Schedule.cron("0 2 * * *", null).toJson())))
        .isEqualTo(new Schedule("0 2 * * *", null, null, null, "skip", "once", Schedule.DEFAULT_CATCH_UP_WINDOW_MS));
  }

  @Test
  void theTriggerReadsForPeople() {
    assertThat(Schedule.cron("0 2 * * *", null).triggerText()).isEqualTo("cron 0 2 * * *");
    assertThat(Schedule.every(5_400_000).triggerText()).isEqualTo("every 1h30m");
    assertThat(Schedule.every(250).triggerText()).isEqualTo("every 250ms");
    assertThat(new Schedule(null, null, "2026-12-01T02:00", null, null, null, 0).triggerText())
        .isEqualTo("at 2026-12-01T02:00");
    assertThat(Schedule.millisText(86_400_000L + 61_000)).isEqualTo("1d1m1s");
  }

  @Test
  void aScheduleWithoutExactlyOneTrigger_isRefused_sayingWhatToGive() {
    assertThatThrownBy(() -> Schedule.fromJson(Map.of("tz", "UTC")))
        .hasMessageContaining("give one of --cron EXPR, --every DURATION or --at TIME");
    assertThatThrownBy(() -> Schedule.fromJson(Map.of("cron", "* * * * *", "at", "2026-12-01T02:00")))
        .hasMessageContaining("only one of");
    assertThatThrownBy(() -> Schedule.fromJson(Map.of("cron", "  ")))
        .hasMessageContaining("empty");
  }

  @Test
  void badValues_areRefused_namingWhatIsAccepted() {
    assertThatThrownBy(() -> Schedule.fromJson(Map.of("every_ms", 50)))
        .hasMessageContaining("every_ms").hasMessageContaining("between 100");
    assertThatThrownBy(() -> Schedule.fromJson(Map.of("cron", "@daily", "overlap", "sometimes")))
        .hasMessageContaining("skip, queue, replace or allow");
    assertThatThrownBy(() -> Schedule.fromJson(Map.of("cron", "@daily", "catch_up", "twice")))
        .hasMessageContaining("once or none");
    assertThatThrownBy(() -> Schedule.fromJson(Map.of("cron", "@daily", "tz", "")))
        .hasMessageContaining("IANA");
    assertThatThrownBy(() -> Schedule.fromJson(Map.of("cron", "@daily", "every", 5)))
        .hasMessageContaining("unknown argument \"every\"");
  }

  @Test
  void aScheduleStatus_survivesItsJsonForm_andIsReadLeniently() throws ProtocolException {
    ProcessSpec spec = new ProcessSpec("backup", "bash b.sh", null, false, "/tmp", Map.of(), null, "TERM", 1000);
    ProcessStatus process =
        new ProcessStatus("backup", "exited", null, null, null, 0, null, "exited with code 0", null, null, "bash b.sh", spec);
    ScheduleStatus s =
        new ScheduleStatus(
            "backup", Schedule.cron("0 2 * * *", "Europe/Berlin"), "Europe/Berlin", true,
            Instant.parse("2026-11-27T01:00:00Z"), Instant.parse("2026-11-28T01:00:00Z"), process);

    Map<String, Object> json = roundTrip(s.toJson());
    assertThat(json.get("trigger")).isEqualTo("cron 0 2 * * *");
    ScheduleStatus back = ScheduleStatus.fromJson(json);
    assertThat(back.schedule()).isEqualTo(s.schedule());
    assertThat(back.nextFire()).isEqualTo(s.nextFire());
    assertThat(back.process().state()).isEqualTo("exited");

    json.put("overlap", "some-future-policy");
    assertThat(ScheduleStatus.fromJson(json).schedule().overlap()).isEqualTo("some-future-policy");
  }

  @Test
  void aFireTime_andARun_surviveTheirJsonForm() throws ProtocolException {
    FireTime f =
        new FireTime(
            "backup", Instant.parse("2026-11-28T01:00:00Z"), OffsetDateTime.parse("2026-11-28T02:00+01:00"),
            "America/New_York", OffsetDateTime.parse("2026-11-27T20:00-05:00"));
    assertThat(FireTime.fromJson(roundTrip(f.toJson()))).isEqualTo(f);

    RunRecord done =
        new RunRecord(
            7, "backup", RunRecord.CATCH_UP, Instant.parse("2026-11-28T01:00:00Z"),
            Instant.parse("2026-11-28T08:00:00.250Z"), Instant.parse("2026-11-28T08:00:01.500Z"), 4242L,
            new ExitInfo(ExitInfo.EXITED, 0, null, Instant.parse("2026-11-28T08:00:01.500Z"), "exited with code 0"));
    Map<String, Object> json = roundTrip(done.toJson());
    assertThat(json.get("duration_ms")).isEqualTo(1250);
    assertThat(RunRecord.fromJson(json)).isEqualTo(done);

    RunRecord running = new RunRecord(8, "backup", RunRecord.MANUAL, null, Instant.parse("2026-11-28T09:00:00Z"), null, 4243L, null);
    assertThat(running.durationMs()).isNull();
    assertThat(RunRecord.fromJson(roundTrip(running.toJson()))).isEqualTo(running);
    assertThat(List.of(RunRecord.SCHEDULE, RunRecord.CATCH_UP, RunRecord.MANUAL, RunRecord.RETRY, RunRecord.DAEMON))
        .containsExactly("schedule", "catch-up", "manual", "retry", "daemon");
  }
}
