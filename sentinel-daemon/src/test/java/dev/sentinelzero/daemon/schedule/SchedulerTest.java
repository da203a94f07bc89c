package dev.sentinelzero.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduler's bookkeeping against a wall clock the test moves by hand. */
class SchedulerTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private final Scheduler scheduler = new Scheduler();

  private void every(String name, long ms, String catchUp, Instant now) {
    Schedule s = new Schedule(null, ms, null, "UTC", null, catchUp, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
    scheduler.put(name, s, new Trigger.Every(Duration.ofMillis(ms), now), UTC, true, null, now, now);
  }

  private void cron(String name, String expr, Instant checkedUntil, Instant now) throws ScheduleException {
    Schedule s = Schedule.cron(expr, "UTC");
    scheduler.put(name, s, Trigger.parseCron(expr, UTC), UTC, true, null, checkedUntil, now);
  }

  @Test
  void aFireTimeReachedOnTime_firesOnce_withReasonSchedule() {
    every("job", 1000, "once", T0);

    assertThat(scheduler.due(T0.plusMillis(999))).isEmpty();
    List<Scheduler.Fire> fires = scheduler.due(T0.plusMillis(1000));
    assertThat(fires).containsExactly(new Scheduler.Fire("job", T0.plusMillis(1000), "schedule"));
    assertThat(scheduler.due(T0.plusMillis(1500))).isEmpty();
    assertThat(scheduler.view("job").nextFire()).isEqualTo(T0.plusMillis(2000));
  }

  @Test
  void aFireNoticedALittleLate_isStillOnTime_andFoldsTheFireTimesThatPassedMeanwhile() {
    every("job", 1000, "once", T0);

    List<Scheduler.Fire> fires = scheduler.due(T0.plusMillis(2500)); // woke 1.5 s late
    assertThat(fires).containsExactly(new Scheduler.Fire("job", T0.plusMillis(1000), "schedule"));
    assertThat(scheduler.view("job").nextFire()).as("no burst: the 2 s fire time folded in").isEqualTo(T0.plusMillis(3000));
  }

  @Test
  void fireTimesMissedInASleep_areCaughtUpOnce_withTheLatestMissedTime() throws ScheduleException {
    cron("backup", "0 2 * * *", T0, T0);
    Instant wake = Instant.parse("2026-11-30T09:00:00Z"); // slept through three 02:00s

    List<Scheduler.Fire> fires = scheduler.due(wake);

    assertThat(fires).containsExactly(new Scheduler.Fire("backup", Instant.parse("2026-11-30T02:00:00Z"), "catch-up"));
    assertThat(scheduler.view("backup").nextFire()).isEqualTo(Instant.parse("2026-12-01T02:00:00Z"));
    assertThat(scheduler.due(wake.plusSeconds(1))).isEmpty();
  }

  @Test
  void withCatchUpNone_missedFireTimesAreDropped() {
    every("job", 60_000, "none", T0);

    assertThat(scheduler.due(T0.plus(Duration.ofHours(5)))).isEmpty();
    assertThat(scheduler.view("job").nextFire()).isEqualTo(T0.plus(Duration.ofHours(5)).plusSeconds(60));
  }

  @Test
  void aMissedFireTimeOlderThanTheWindow_isNotCaughtUp() throws ScheduleException {
    cron("backup", "0 2 * * *", T0, T0);

    assertThat(scheduler.due(Instant.parse("2026-11-29T03:00:00Z")))
        .as("02:00 today is within 24 h")
        .hasSize(1);
    Scheduler other = new Scheduler();
    Schedule s = new Schedule("0 2 * * *", null, null, "UTC", null, "once", Duration.ofMinutes(30).toMillis());
    other.put("b", s, Trigger.parseCron("0 2 * * *", UTC), UTC, true, null, T0, T0);
    assertThat(other.due(Instant.parse("2026-11-29T03:00:00Z"))).as("an hour late, window 30m").isEmpty();
  }

  @Test
  void atStart_runsRebootJobs_andCatchesUpWhatWasMissedWhileDown() throws ScheduleException {
    cron("boot", "@reboot", T0, T0);
    cron("hourly", "0 * * * *", T0.minus(Duration.ofHours(3)), T0.plusSeconds(30));
    cron("later", "0 23 * * *", T0, T0);

    List<Scheduler.Fire> fires = scheduler.atStart(T0.plusSeconds(30));

    assertThat(fires)
        .containsExactly(
            new Scheduler.Fire("boot", T0.plusSeconds(30), "schedule"),
            new Scheduler.Fire("hourly", T0, "catch-up"));
  }

  @Test
  void aDisabledJob_doesNotFire_andOnEnableDoesNotCatchUpTheTimeItWasOff() {
    every("job", 1000, "once", T0);
    assertThat(scheduler.setEnabled("job", false, T0.plusMillis(500))).isTrue();

    assertThat(scheduler.due(T0.plusSeconds(10))).isEmpty();
    assertThat(scheduler.setEnabled("job", true, T0.plusSeconds(10))).isTrue();
    assertThat(scheduler.due(T0.plusSeconds(10))).isEmpty();
    assertThat(scheduler.due(T0.plusSeconds(11))).hasSize(1);
    assertThat(scheduler.setEnabled("job", true, T0.plusSeconds(11))).as("already on").isFalse();
  }

  @Test
  void whenTheClockStepsBack_anIntervalJobReplans_butACronJobDoesNotRunATimeAgain() throws ScheduleException {
    every("interval", 60_000, "once", T0);
    cron("daily", "5 10 * * *", T0, T0);
    assertThat(scheduler.due(T0.plusSeconds(300))).extracting(Scheduler.Fire::name).containsExactly("interval", "daily");

    Instant back = T0.plusSeconds(60); // NTP sets the clock back four minutes
    assertThat(scheduler.due(back)).isEmpty();

    assertThat(scheduler.view("interval").nextFire()).isEqualTo(T0.plusSeconds(120));
    assertThat(scheduler.view("daily").nextFire()).isEqualTo(Instant.parse("2026-11-28T10:05:00Z"));
  }

  @Test
  void nextWake_isTheNextFireTime_butNeverMoreThanATick() {
    every("job", 250, "once", T0);
    assertThat(scheduler.nextWake(T0.plusMillis(100))).isEqualTo(Duration.ofMillis(150));
    every("job", 3_600_000, "once", T0);
    assertThat(scheduler.nextWake(T0)).isEqualTo(Scheduler.TICK);
    assertThat(scheduler.nextWake(T0.plus(Duration.ofHours(2)))).isEqualTo(Duration.ZERO);
  }

  @Test
  void upcoming_mergesTheJobs_soonestFirst() throws ScheduleException {
    cron("a", "0 * * * *", T0, T0);
    every("b", 25 * 60_000, "once", T0);

    assertThat(scheduler.upcoming(null, 4))
        .extracting(u -> u.name() + "@" + u.at())
        .containsExactly(
            "b@2026-11-27T10:25:00Z", "b@2026-11-27T10:50:00Z", "a@2026-11-27T11:00:00Z", "b@2026-11-27T11:15:00Z");
    assertThat(scheduler.upcoming("a", 2)).extracting(Scheduler.Upcoming::at)
        .containsExactly(Instant.parse("2026-11-27T11:00:00Z"), Instant.parse("2026-11-27T12:00:00Z"));
  }

  @Test
  void aOneTimeJob_firesOnce_thenHasNoNextFire() throws ScheduleException {
    Schedule s = new Schedule(null, null, "2026-11-27T10:00:05Z", "UTC", null, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
    scheduler.put("once", s, Trigger.parseAt("2026-11-27T10:00:05Z", UTC), UTC, true, null, T0, T0);

    assertThat(scheduler.due(T0.plusSeconds(5))).hasSize(1);
    assertThat(scheduler.view("once").nextFire()).isNull();
    assertThat(scheduler.due(T0.plusSeconds(3600))).isEmpty();
  }

  @Test
  void aOneTimeJobThatRan_doesNotRunAgain_whenTheClockGoesBackMoreThanThreeHours() throws ScheduleException {
    Instant at = Instant.parse("2026-11-27T11:00:00Z");
    Schedule s = new Schedule(null, null, "2026-11-27T11:00Z", "UTC", null, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
    scheduler.put("once", s, Trigger.parseAt("2026-11-27T11:00Z", UTC), UTC, true, null, T0, T0);
    every("interval", 60_000, "once", T0);
    assertThat(scheduler.due(at)).extracting(Scheduler.Fire::name).contains("once");

    assertThat(scheduler.due(at.minus(Duration.ofHours(4)))).isEmpty(); // the clock is set back four hours
    assertThat(scheduler.view("once").nextFire()).isNull();

    Instant again = at.minus(Duration.ofHours(4));
    while (again.isBefore(at.plusSeconds(2))) { // and ticks on, past 11:00 once more
      again = again.plusSeconds(60);
      assertThat(scheduler.due(again)).extracting(Scheduler.Fire::name).doesNotContain("once");
    }
  }

  @Test
  void aClockThatWentBackWhileTheDaemonWasDown_isReplannedAtStart_asIfItWentBackWhileItRan() throws ScheduleException {
    Instant future = T0.plus(Duration.ofDays(30)); // the last daemon ran with a clock a month ahead
    Schedule s = new Schedule(null, 60_000L, null, "UTC", null, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
    scheduler.put("interval", s, new Trigger.Every(Duration.ofMinutes(1), T0.minusSeconds(3600)), UTC, true, future, future, T0);
    cron("daily", "0 12 * * *", future, T0);
    cron("close", "0 12 * * *", T0.plusSeconds(600), T0); // ten minutes: a cron job keeps its time

    assertThat(scheduler.atStart(T0)).isEmpty();

    assertThat(scheduler.view("interval").nextFire()).isEqualTo(T0.plusSeconds(60));
    assertThat(scheduler.view("daily").nextFire()).isEqualTo(Instant.parse("2026-11-27T12:00:00Z"));
    assertThat(scheduler.view("close").nextFire()).isEqualTo(Instant.parse("2026-11-27T12:00:00Z"));
    assertThat(scheduler.due(Instant.parse("2026-11-27T12:00:00Z"))).extracting(Scheduler.Fire::name).contains("daily");
  }
}
