package dev.sentinelzero.daemon.schedule;

import static dev.sentinelzero.daemon.schedule.Fires.instant;
import static dev.sentinelzero.daemon.schedule.Fires.instants;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cron fire times away from DST, in UTC so that the wall clock reads as the instant. 2026-04-01 is
 * a Wednesday.
 */
class CronTriggerTest {
  private static final ZoneId UTC = ZoneOffset.UTC;

  @ParameterizedTest(name = "{0} after {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # every field, steps, ranges, lists
          * * * * *            | 2026-04-01T00:00Z | 2026-04-01T00:01Z 2026-04-01T00:02Z 2026-04-01T00:03Z
          */15 * * * *         | 2026-04-01T00:00Z | 2026-04-01T00:15Z 2026-04-01T00:30Z 2026-04-01T00:45Z 2026-04-01T01:00Z
          5,35 * * * *         | 2026-04-01T00:00Z | 2026-04-01T00:05Z 2026-04-01T00:35Z 2026-04-01T01:05Z
          10-12 * * * *        | 2026-04-01T00:00Z | 2026-04-01T00:10Z 2026-04-01T00:11Z 2026-04-01T00:12Z 2026-04-01T01:10Z
          0 9-17/2 * * *       | 2026-04-01T00:00Z | 2026-04-01T09:00Z 2026-04-01T11:00Z 2026-04-01T13:00Z 2026-04-01T15:00Z 2026-04-01T17:00Z 2026-04-02T09:00Z
          0 0 1,15 * *         | 2026-04-01T00:00Z | 2026-04-15T00:00Z 2026-05-01T00:00Z 2026-05-15T00:00Z
          0 0 1-31/10 * *      | 2026-04-01T00:00Z | 2026-04-11T00:00Z 2026-04-21T00:00Z 2026-05-01T00:00Z 2026-05-11T00:00Z 2026-05-21T00:00Z 2026-05-31T00:00Z
          0 0 1 */4 *          | 2026-04-01T00:00Z | 2026-05-01T00:00Z 2026-09-01T00:00Z 2027-01-01T00:00Z
          # month and weekday names, any case
          0 0 1 JAN,jul *      | 2026-04-01T00:00Z | 2026-07-01T00:00Z 2027-01-01T00:00Z
          0 0 1 FEB-APR/2 *    | 2026-04-01T00:00Z | 2027-02-01T00:00Z 2027-04-01T00:00Z
          0 12 * * mon-fri     | 2026-04-01T00:00Z | 2026-04-01T12:00Z 2026-04-02T12:00Z 2026-04-03T12:00Z 2026-04-06T12:00Z
          0 12 * * SAT,SUN     | 2026-04-01T00:00Z | 2026-04-04T12:00Z 2026-04-05T12:00Z 2026-04-11T12:00Z
          0 12 * * SUN-TUE     | 2026-04-01T00:00Z | 2026-04-05T12:00Z 2026-04-06T12:00Z 2026-04-07T12:00Z 2026-04-12T12:00Z
          0 12 * * FRI-SUN     | 2026-04-01T00:00Z | 2026-04-03T12:00Z 2026-04-04T12:00Z 2026-04-05T12:00Z 2026-04-10T12:00Z
          0 12 * * 0           | 2026-04-01T00:00Z | 2026-04-05T12:00Z 2026-04-12T12:00Z
          0 12 * * 7           | 2026-04-01T00:00Z | 2026-04-05T12:00Z 2026-04-12T12:00Z
          0 12 * * */2         | 2026-04-01T00:00Z | 2026-04-02T12:00Z 2026-04-04T12:00Z 2026-04-05T12:00Z 2026-04-07T12:00Z
          # day of month OR day of week when both are restricted (neither begins with *)
          0 0 13 * FRI         | 2026-04-01T00:00Z | 2026-04-03T00:00Z 2026-04-10T00:00Z 2026-04-13T00:00Z 2026-04-17T00:00Z 2026-04-24T00:00Z 2026-05-01T00:00Z 2026-05-08T00:00Z 2026-05-13T00:00Z
          0 0 1,15 * 1         | 2026-04-01T00:00Z | 2026-04-06T00:00Z 2026-04-13T00:00Z 2026-04-15T00:00Z 2026-04-20T00:00Z 2026-04-27T00:00Z 2026-05-01T00:00Z
          0 0 10,* * 2         | 2026-04-01T00:00Z | 2026-04-02T00:00Z 2026-04-03T00:00Z 2026-04-04T00:00Z
          # ... and AND when either begins with *, as cronie reads the first character
          0 0 */2 * 1          | 2026-04-01T00:00Z | 2026-04-13T00:00Z 2026-04-27T00:00Z 2026-05-11T00:00Z 2026-05-25T00:00Z 2026-06-01T00:00Z
          0 0 *,10 * 2         | 2026-04-01T00:00Z | 2026-04-07T00:00Z 2026-04-14T00:00Z 2026-04-21T00:00Z
          0 0 1 * */3          | 2026-04-01T00:00Z | 2026-07-01T00:00Z 2026-08-01T00:00Z 2026-11-01T00:00Z
          # macros
          @yearly              | 2026-04-01T00:00Z | 2027-01-01T00:00Z 2028-01-01T00:00Z
          @annually            | 2026-04-01T00:00Z | 2027-01-01T00:00Z 2028-01-01T00:00Z
          @monthly             | 2026-04-01T00:00Z | 2026-05-01T00:00Z 2026-06-01T00:00Z
          @weekly              | 2026-04-01T00:00Z | 2026-04-05T00:00Z 2026-04-12T00:00Z
          @daily               | 2026-04-01T00:00Z | 2026-04-02T00:00Z 2026-04-03T00:00Z
          @midnight            | 2026-04-01T00:00Z | 2026-04-02T00:00Z 2026-04-03T00:00Z
          @hourly              | 2026-04-01T00:00Z | 2026-04-01T01:00Z 2026-04-01T02:00Z
          # six fields: a leading seconds field
          */20 * * * * *       | 2026-04-01T00:00Z | 2026-04-01T00:00:20Z 2026-04-01T00:00:40Z 2026-04-01T00:01:00Z
          30 0 12 * * *        | 2026-04-01T00:00Z | 2026-04-01T12:00:30Z 2026-04-02T12:00:30Z
          15,45 */30 * * * *   | 2026-04-01T00:00Z | 2026-04-01T00:00:15Z 2026-04-01T00:00:45Z 2026-04-01T00:30:15Z
          0 0 0 13 * FRI       | 2026-04-01T00:00Z | 2026-04-03T00:00Z 2026-04-10T00:00Z 2026-04-13T00:00Z
          0 0 0 */2 * 1        | 2026-04-01T00:00Z | 2026-04-13T00:00Z 2026-04-27T00:00Z
          # leap years (2100 is not one) and the ends of months
          0 0 29 2 *           | 2026-04-01T00:00Z | 2028-02-29T00:00Z 2032-02-29T00:00Z
          0 0 29 2 *           | 2096-03-01T00:00Z | 2104-02-29T00:00Z
          0 0 31 * *           | 2026-04-01T00:00Z | 2026-05-31T00:00Z 2026-07-31T00:00Z 2026-08-31T00:00Z 2026-10-31T00:00Z 2026-12-31T00:00Z 2027-01-31T00:00Z
          0 0 30 * *           | 2027-01-15T00:00Z | 2027-01-30T00:00Z 2027-03-30T00:00Z
          # extra spaces are fine
          '  0   2 *  * * '    | 2026-04-01T00:00Z | 2026-04-01T02:00Z 2026-04-02T02:00Z
          """)
  void nextFireTimes_inUtc(String expression, String after, String expected) throws Exception {
    Trigger trigger = Trigger.parseCron(expression, UTC);
    var want = instants(expected);
    assertThat(Fires.after(trigger, instant(after), want.size())).containsExactlyElementsOf(want);
  }

  @ParameterizedTest(name = "after {0} -> {1}")
  @CsvSource({
    "2026-04-01T00:15:00Z,           2026-04-01T00:30:00Z",
    "2026-04-01T00:14:59.999999999Z, 2026-04-01T00:15:00Z",
    "2026-04-01T00:15:00.000000001Z, 2026-04-01T00:30:00Z",
  })
  void nextAfter_isStrictlyAfter_toTheNanosecond(String after, String expected) throws Exception {
    Trigger trigger = Trigger.parseCron("*/15 * * * *", UTC);
    assertThat(trigger.nextAfter(Instant.parse(after))).contains(Instant.parse(expected));
  }

  @Test
  void wallClockOfTheGivenZone_isMatched() throws Exception {
    // 02:00 in Tokyo (UTC+9, no DST) is 17:00 UTC the day before.
    Trigger trigger = Trigger.parseCron("0 2 * * *", ZoneId.of("Asia/Tokyo"));
    assertThat(Fires.after(trigger, instant("2026-04-01T00:00Z"), 2))
        .containsExactlyElementsOf(instants("2026-04-01T17:00Z 2026-04-02T17:00Z"));
  }

  @Test
  void reboot_isItsOwnTrigger_withNoFireTimes() throws Exception {
    Trigger trigger = Trigger.parseCron("@reboot", UTC);
    assertThat(trigger).isInstanceOf(Trigger.Reboot.class);
    assertThat(trigger.nextAfter(instant("2026-04-01T00:00Z"))).isEmpty();
  }

  @Test
  void cron_keepsTheExpressionAsWritten_andItsZone() throws Exception {
    Trigger trigger = Trigger.parseCron(" 0 2 * * mon-fri ", ZoneId.of("Europe/Berlin"));
    assertThat(trigger).isInstanceOfSatisfying(
        Trigger.Cron.class,
        cron -> {
          assertThat(cron.expression()).isEqualTo("0 2 * * mon-fri");
          assertThat(cron.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        });
  }

  @Test
  void atTheEndsOfTime_answersStayInsideTheSupportedYears_withoutException() throws Exception {
    Trigger trigger = Trigger.parseCron("0 0 * * *", UTC);
    assertThat(trigger.nextAfter(Instant.MAX)).isEmpty();
    assertThat(trigger.nextAfter(instant("9999-12-31T00:00Z"))).isEmpty();
    assertThat(trigger.nextAfter(Instant.MIN)).contains(Instant.EPOCH);
  }

  @ParameterizedTest(name = "{0} is wildcard: {1}")
  @CsvSource({
    "*/15 * * * *,   true",
    "30 * * * *,     true",
    "*/15 2 * * *,   true",
    "@hourly,        true",
    "0 */2 * * *,    true",
    "30 2 * * *,     false",
    "0 9-17 * * 1-5, false",
    "@daily,         false",
    "* 30 2 * * *,   false",
  })
  void wildcardJobs_areThoseWhoseMinuteOrHourBeginsWithAStar(String expression, boolean wildcard)
      throws Exception {
    Trigger.Cron cron = (Trigger.Cron) Trigger.parseCron(expression, UTC);
    assertThat(cron.rule().wildcard()).isEqualTo(wildcard);
  }
}
