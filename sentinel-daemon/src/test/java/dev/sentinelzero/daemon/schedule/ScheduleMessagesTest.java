package dev.sentinelzero.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input is refused with one line that points at the bad part and says what is accepted. */
class ScheduleMessagesTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static void parse(String kind, String text) throws ScheduleException {
    switch (kind) {
      case "cron" -> Trigger.parseCron(text, BERLIN);
      case "zone" -> Trigger.parseZone(text);
      case "at" -> Trigger.parseAt(text, BERLIN);
      case "every" -> Trigger.parseEvery(text, Instant.EPOCH);
      case "window" -> CatchUp.parseWindow(text);
      case "catch-up" -> CatchUp.Mode.parse(text);
      case "overlap" -> Overlap.parse(text);
      default -> throw new IllegalArgumentException(kind);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      textBlock =
          """
          cron     | 0 25 * * *       | cron field 2 (hour) "25" is out of range: use 0-23, lists, ranges and steps like 9-17/2
          cron     | 60 0 * * *       | cron field 1 (minute) "60" is out of range: use 0-59, lists, ranges and steps like */15
          cron     | 0 0 32 * *       | cron field 3 (day of month) "32" is out of range: use 1-31, lists, ranges and steps like 1-15/2
          cron     | 0 0 0 * *        | cron field 3 (day of month) "0" is out of range: use 1-31, lists, ranges and steps like 1-15/2
          cron     | 0 0 * 13 *       | cron field 4 (month) "13" is out of range: use 1-12 or JAN-DEC, lists, ranges and steps like */3
          cron     | 0 0 * JANUARY *  | cron field 4 (month) "JANUARY" is not valid: use 1-12 or JAN-DEC, lists, ranges and steps like */3
          cron     | 0 0 * * 8        | cron field 5 (day of week) "8" is out of range: use 0-7 (0 and 7 are Sunday) or SUN-SAT, lists, ranges and steps like MON-FRI
          cron     | 0 0 * * FOO      | cron field 5 (day of week) "FOO" is not valid: use 0-7 (0 and 7 are Sunday) or SUN-SAT, lists, ranges and steps like MON-FRI
          cron     | 0 0 * * 1#2      | cron field 5 (day of week) "1#2" is not valid: use 0-7 (0 and 7 are Sunday) or SUN-SAT, lists, ranges and steps like MON-FRI
          cron     | 0 0 L * *        | cron field 3 (day of month) "L" is not valid: use 1-31, lists, ranges and steps like 1-15/2
          cron     | 0 0 ? * *        | cron field 3 (day of month) "?" is not valid: use 1-31, lists, ranges and steps like 1-15/2
          cron     | */0 * * * *      | cron field 1 (minute) "*/0" has a step out of range: use 0-59, lists, ranges and steps like */15
          cron     | 0 22-2 * * *     | cron field 2 (hour) "22-2" has a range that runs backwards: use 0-23, lists, ranges and steps like 9-17/2
          cron     | x 0 * * *        | cron field 1 (minute) "x" is not valid: use 0-59, lists, ranges and steps like */15
          cron     | 60 0 0 * * *     | cron field 1 (second) "60" is out of range: use 0-59, lists, ranges and steps like */10
          cron     | 0 60 0 * * *     | cron field 2 (minute) "60" is out of range: use 0-59, lists, ranges and steps like */15
          cron     | 0 0 0 * * 9      | cron field 6 (day of week) "9" is out of range: use 0-7 (0 and 7 are Sunday) or SUN-SAT, lists, ranges and steps like MON-FRI
          cron     | 0 0 * *          | cron expression "0 0 * *" has 4 fields: use 5 (minute hour day-of-month month day-of-week), 6 with a leading seconds field, or a macro such as @daily
          cron     | 0 0 0 * * * 2026 | cron expression "0 0 0 * * * 2026" has 7 fields: use 5 (minute hour day-of-month month day-of-week), 6 with a leading seconds field, or a macro such as @daily
          cron     | daily            | cron expression "daily" has 1 field: use 5 (minute hour day-of-month month day-of-week), 6 with a leading seconds field, or a macro such as @daily
          cron     | @fortnightly     | unknown cron macro "@fortnightly": use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @reboot
          cron     | @DAILY           | unknown cron macro "@DAILY": use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @reboot
          cron     | ~~               | cron expression is empty: use five fields such as "0 2 * * *" or a macro such as @daily
          cron     | 0 0 30 2 *       | cron expression "0 0 30 2 *" never fires: its days of month never occur in its months
          zone     | Europe/Berln     | unknown time zone "Europe/Berln": use an IANA name such as Europe/Berlin
          zone     | america/new_york | unknown time zone "america/new_york": use an IANA name such as America/New_York
          zone     | Mars/Olympus     | unknown time zone "Mars/Olympus": use an IANA name such as Europe/Berlin
          zone     | ~~               | time zone is empty: use an IANA name such as Europe/Berlin
          at       | 2026-13-01T02:00 | invalid time "2026-13-01T02:00": use 2026-12-01T02:00 (local time in the schedule's time zone), 2026-12-01T02:00Z (UTC) or 2026-12-01T02:00+01:00; seconds are optional
          at       | 2026-02-30T02:00 | invalid time "2026-02-30T02:00": use 2026-12-01T02:00 (local time in the schedule's time zone), 2026-12-01T02:00Z (UTC) or 2026-12-01T02:00+01:00; seconds are optional
          at       | 2026-12-01       | invalid time "2026-12-01": use 2026-12-01T02:00 (local time in the schedule's time zone), 2026-12-01T02:00Z (UTC) or 2026-12-01T02:00+01:00; seconds are optional
          at       | tomorrow         | invalid time "tomorrow": use 2026-12-01T02:00 (local time in the schedule's time zone), 2026-12-01T02:00Z (UTC) or 2026-12-01T02:00+01:00; seconds are optional
          every    | 15x              | invalid interval "15x": use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m
          every    | 15               | invalid interval "15": use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m
          every    | 1.5h             | invalid interval "1.5h": use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m
          every    | -5m              | invalid interval "-5m": use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m
          every    | 1h 30m           | invalid interval "1h 30m": use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m
          every    | ~~               | invalid interval "": use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m
          every    | 0s               | interval "0s" is zero: use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m
          every    | 999999999999999999d | interval "999999999999999999d" is too long: use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m
          window   | 1 day            | invalid catch-up window "1 day": use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m
          catch-up | twice            | unknown catch-up mode "twice": use none or once
          overlap  | kill             | unknown overlap policy "kill": use skip, queue, replace or allow
          """)
  void refused_withAMessageThatPointsAtTheBadPart(String kind, String text, String message) {
    assertThatThrownBy(() -> parse(kind, text))
        .isInstanceOf(ScheduleException.class)
        .hasMessage(message);
  }
}
