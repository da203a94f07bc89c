package dev.sentinelzero.daemon.schedule;

import static dev.sentinelzero.daemon.schedule.Fires.instant;
import static dev.sentinelzero.daemon.schedule.Fires.instants;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cron across DST transitions, by cronie's rule: a fixed-time job due in a spring-forward gap runs
 * right after the jump; a fixed-time job runs at the first of two repeated wall-clock times only;
 * wildcard jobs (minute or hour beginning with *) follow the real clock.
 *
 * <p>Europe/Berlin 2026: 03-29 01:00Z, 02:00 CET becomes 03:00 CEST; 10-25 01:00Z, 03:00 CEST
 * becomes 02:00 CET. America/New_York 2026: 03-08 07:00Z, 02:00 EST becomes 03:00 EDT; 11-01
 * 06:00Z, 02:00 EDT becomes 01:00 EST.
 */
class CronDaylightSavingTest {

  @ParameterizedTest(name = "{0} {1} after {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # Berlin, clocks go forward: 02:00-02:59 on 03-29 does not exist
          Europe/Berlin    | 30 2 * * *      | 2026-03-28T12:00Z | 2026-03-29T01:00Z 2026-03-30T00:30Z 2026-03-31T00:30Z
          Europe/Berlin    | 0 2 * * *       | 2026-03-28T12:00Z | 2026-03-29T01:00Z 2026-03-30T00:00Z
          Europe/Berlin    | 0,30 2 * * *    | 2026-03-28T12:00Z | 2026-03-29T01:00Z 2026-03-30T00:00Z 2026-03-30T00:30Z
          Europe/Berlin    | 0 2,3 * * *     | 2026-03-28T12:00Z | 2026-03-29T01:00Z 2026-03-30T00:00Z 2026-03-30T01:00Z
          Europe/Berlin    | 59 1 * * *      | 2026-03-28T12:00Z | 2026-03-29T00:59Z 2026-03-29T23:59Z
          Europe/Berlin    | 0 3 * * *       | 2026-03-28T12:00Z | 2026-03-29T01:00Z 2026-03-30T01:00Z
          Europe/Berlin    | 0 30 2 * * *    | 2026-03-28T12:00Z | 2026-03-29T01:00Z 2026-03-30T00:30Z
          Europe/Berlin    | 30 2 * * *      | 2026-03-29T00:59:59.5Z | 2026-03-29T01:00Z
          Europe/Berlin    | 30 2 * * *      | 2026-03-29T01:00Z | 2026-03-30T00:30Z
          Europe/Berlin    | 30 * * * *      | 2026-03-29T00:00Z | 2026-03-29T00:30Z 2026-03-29T01:30Z 2026-03-29T02:30Z
          Europe/Berlin    | 0 * * * *       | 2026-03-29T00:00Z | 2026-03-29T01:00Z 2026-03-29T02:00Z
          Europe/Berlin    | @hourly         | 2026-03-29T00:00Z | 2026-03-29T01:00Z 2026-03-29T02:00Z
          Europe/Berlin    | */15 * * * *    | 2026-03-29T00:40Z | 2026-03-29T00:45Z 2026-03-29T01:00Z 2026-03-29T01:15Z
          Europe/Berlin    | */15 2 * * *    | 2026-03-28T12:00Z | 2026-03-30T00:00Z 2026-03-30T00:15Z
          # Berlin, clocks go back: 02:00-02:59 on 10-25 happens twice
          Europe/Berlin    | 30 2 * * *      | 2026-10-24T12:00Z | 2026-10-25T00:30Z 2026-10-26T01:30Z
          Europe/Berlin    | 30 2 * * *      | 2026-10-25T00:30Z | 2026-10-26T01:30Z
          Europe/Berlin    | 30 2 * * *      | 2026-10-25T01:15Z | 2026-10-26T01:30Z
          Europe/Berlin    | 0,30 2 * * *    | 2026-10-24T12:00Z | 2026-10-25T00:00Z 2026-10-25T00:30Z 2026-10-26T01:00Z
          Europe/Berlin    | 30 * * * *      | 2026-10-25T00:00Z | 2026-10-25T00:30Z 2026-10-25T01:30Z 2026-10-25T02:30Z
          Europe/Berlin    | 0 * * * *       | 2026-10-24T23:30Z | 2026-10-25T00:00Z 2026-10-25T01:00Z 2026-10-25T02:00Z
          Europe/Berlin    | */15 * * * *    | 2026-10-25T00:40Z | 2026-10-25T00:45Z 2026-10-25T01:00Z 2026-10-25T01:15Z 2026-10-25T01:30Z
          # New York, clocks go forward: 02:00-02:59 on 03-08 does not exist
          America/New_York | 30 2 * * *      | 2026-03-07T12:00Z | 2026-03-08T07:00Z 2026-03-09T06:30Z
          America/New_York | 0 * * * *       | 2026-03-08T06:30Z | 2026-03-08T07:00Z 2026-03-08T08:00Z
          America/New_York | */15 * * * *    | 2026-03-08T06:40Z | 2026-03-08T06:45Z 2026-03-08T07:00Z 2026-03-08T07:15Z
          # New York, clocks go back: 01:00-01:59 on 11-01 happens twice
          America/New_York | 30 1 * * *      | 2026-10-31T12:00Z | 2026-11-01T05:30Z 2026-11-02T06:30Z
          America/New_York | 30 1 * * *      | 2026-11-01T05:50Z | 2026-11-02T06:30Z
          America/New_York | 30 1 * * *      | 2026-11-01T06:10Z | 2026-11-02T06:30Z
          America/New_York | 0 1 * * *       | 2026-11-01T04:00Z | 2026-11-01T05:00Z 2026-11-02T06:00Z
          America/New_York | 0 * * * *       | 2026-11-01T04:30Z | 2026-11-01T05:00Z 2026-11-01T06:00Z 2026-11-01T07:00Z
          America/New_York | 30 * * * *      | 2026-11-01T05:00Z | 2026-11-01T05:30Z 2026-11-01T06:30Z 2026-11-01T07:30Z
          America/New_York | */15 * * * *    | 2026-11-01T05:40Z | 2026-11-01T05:45Z 2026-11-01T06:00Z 2026-11-01T06:15Z
          America/New_York | */15 1 * * *    | 2026-11-01T04:50Z | 2026-11-01T05:00Z 2026-11-01T05:15Z 2026-11-01T05:30Z 2026-11-01T05:45Z 2026-11-01T06:00Z 2026-11-01T06:15Z 2026-11-01T06:30Z 2026-11-01T06:45Z 2026-11-02T06:00Z
          """)
  void nextFireTimes_acrossTransitions(String zone, String expression, String after, String expected)
      throws Exception {
    Trigger trigger = Trigger.parseCron(expression, ZoneId.of(zone));
    List<Instant> want = instants(expected);
    assertThat(Fires.after(trigger, instant(after), want.size())).containsExactlyElementsOf(want);
  }

  /** Over a whole year with both transitions: one run a day, and the real-clock hourly count. */
  @ParameterizedTest(name = "{0} {1}: {2} runs in 2026, at most one a local day: {3}")
  @CsvSource({
    "Europe/Berlin,    30 2 * * *, 365,  true",
    "Europe/Berlin,    0 2 * * *,  365,  true",
    "America/New_York, 30 1 * * *, 365,  true",
    "America/New_York, 30 2 * * *, 365,  true",
    "Europe/Berlin,    0 * * * *,  8760, false",
    "America/New_York, 30 * * * *, 8760, false",
  })
  void overAYear_fixedJobsRunOnceADay_andHourlyJobsEveryRealHour(
      String zone, String expression, int runs, boolean oncePerDay) throws Exception {
    ZoneId id = ZoneId.of(zone);
    Trigger trigger = Trigger.parseCron(expression, id);
    Instant start = LocalDate.of(2026, 1, 1).atStartOfDay(id).toInstant().minusNanos(1);
    Instant end = LocalDate.of(2027, 1, 1).atStartOfDay(id).toInstant().minusNanos(1);
    List<Instant> fires = Fires.between(trigger, start, end);
    assertThat(fires).hasSize(runs).isSorted().doesNotHaveDuplicates();
    if (oncePerDay) {
      Set<LocalDate> days = new TreeSet<>();
      fires.forEach(f -> days.add(f.atZone(id).toLocalDate()));
      assertThat(days).hasSize(365);
    } else {
      for (int i = 1; i < fires.size(); i++) {
        assertThat(fires.get(i).getEpochSecond() - fires.get(i - 1).getEpochSecond())
            .as("gap before %s", fires.get(i))
            .isEqualTo(3600);
      }
    }
  }
}
