package dev.sentinelzero.daemon.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * When a scheduled job fires: on a cron expression, at a fixed interval, once at a given time, or
 * when the daemon starts. Pure values: every answer comes from the arguments, never from a clock,
 * so the caller passes the current time in and tests pass any instant they like.
 *
 * <p><b>No drift.</b> {@link #nextAfter} computes each fire time from the expression (or the
 * interval's anchor) and the instant it is given, never by adding up delays: a scheduler that
 * wakes late, or whose job ran long, asks again with the current time and lands back on the
 * schedule.
 *
 * <p><b>Cron expressions</b> follow Vixie cron and cronie: five fields (minute, hour, day of month,
 * month, day of week), or six with a leading seconds field; names ({@code JAN}, {@code mon-fri}),
 * lists, ranges and steps; the macros {@code @yearly @annually @monthly @weekly @daily @midnight
 * @hourly}, and {@code @reboot}, which fires only when the daemon starts. When both the day of
 * month and the day of week are restricted (neither field begins with {@code *}), a day matching
 * either one fires: {@code 0 0 13 * FRI} runs on every 13th and on every Friday.
 *
 * <p><b>Daylight saving time</b>, as cronie does it. A cron job is matched against the wall clock
 * of its time zone. Like cronie, we tell two kinds of job apart: a <i>wildcard</i> job has a
 * minute or hour field that begins with {@code *} ({@code *}{@code /15 * * * *}, {@code 30 * * *
 * *}, {@code @hourly}); every other job is a <i>fixed-time</i> job ({@code 30 2 * * *}, {@code 0
 * 9-17 * * 1-5}, {@code @daily}).
 *
 * <ul>
 *   <li><b>Clocks go forward</b> (wall-clock times that do not exist, such as 02:00-02:59 in
 *       Europe/Berlin on 2026-03-29): a fixed-time job due in the gap runs right after the jump, on
 *       that same day ({@code 30 2 * * *} runs at 03:00 CEST, 01:00 UTC); several times in one gap
 *       still give one run. A wildcard job has no run at times that do not exist and carries on at
 *       its next time that does ({@code *}{@code /15 * * * *} runs at 01:45 CET, then 03:00 CEST).
 *   <li><b>Clocks go back</b> (wall-clock times that happen twice, such as 01:00-01:59 in
 *       America/New_York on 2026-11-01): a fixed-time job runs at the first occurrence only ({@code
 *       30 1 * * *} runs at 01:30 EDT, 05:30 UTC, and not again at 01:30 EST). A wildcard job
 *       follows the real clock through both occurrences: {@code 0 * * * *} runs at 01:00 EDT and
 *       again an hour later at 01:00 EST, {@code *}{@code /15 * * * *} keeps running every 15
 *       minutes. No job ever runs twice at the same instant.
 * </ul>
 *
 * <p>A one-time {@code --at} in local time follows the same rule: a time in the gap means the
 * first instant after the jump, a time that happens twice means its first occurrence.
 */
public sealed interface Trigger {
  /**
   * The next fire instant strictly after {@code after}, or empty when there is none (a one-time
   * trigger that has passed, {@code @reboot}, or the end of time).
   */
  Optional<Instant> nextAfter(Instant after);

  /**
   * A cron expression ({@code --cron}) evaluated in {@code zone}: a {@link Cron}, or a {@link
   * Reboot} for {@code @reboot}.
   */
  static Trigger parseCron(String expression, ZoneId zone) throws ScheduleException {
    return CronRule.parse(expression, Objects.requireNonNull(zone, "zone"));
  }

  /**
   * An interval ({@code --every}) such as {@code 250ms}, {@code 15m} or {@code 1h30m}, whose fire
   * times are {@code anchor + k * interval}.
   */
  static Every parseEvery(String interval, Instant anchor) throws ScheduleException {
    return new Every(TimeTexts.duration("interval", interval), anchor);
  }

  /**
   * A one-time instant ({@code --at}): {@code 2026-12-01T02:00} is wall-clock time in {@code zone},
   * {@code 2026-12-01T02:00Z} and {@code 2026-12-01T02:00+01:00} are absolute.
   */
  static At parseAt(String time, ZoneId zone) throws ScheduleException {
    return new At(TimeTexts.time(time, Objects.requireNonNull(zone, "zone")));
  }

  /** A time zone ({@code --tz}): an IANA name such as {@code Europe/Berlin}. */
  static ZoneId parseZone(String name) throws ScheduleException {
    return TimeTexts.zone(name);
  }

  /**
   * Fires when the wall clock of {@code zone} matches a cron expression, by the rules above. Fire
   * times are whole seconds from 1970 to the end of the year 9999.
   */
  record Cron(CronRule rule, ZoneId zone) implements Trigger {
    public Cron {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(zone, "zone");
    }

    /** The expression as the user wrote it (trimmed). */
    public String expression() {
      return rule.expression();
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
      return rule.nextAfter(after, zone);
    }
  }

  /**
   * Fires at {@code anchor + k * interval} for every whole {@code k >= 0}. The anchor is where the
   * grid starts, such as when the schedule was created: the scheduler never adds delays up, so it
   * cannot drift however late it wakes.
   */
  record Every(Duration interval, Instant anchor) implements Trigger {
    public Every {
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(anchor, "anchor");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive: " + interval);
      }
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
      if (after.isBefore(anchor)) {
        return Optional.of(anchor);
      }
      try {
        long k = Duration.between(anchor, after).dividedBy(interval) + 1;
        return Optional.of(anchor.plus(interval.multipliedBy(k)));
      } catch (ArithmeticException | DateTimeException pastTheEndOfTime) {
        return Optional.empty();
      }
    }
  }

  /** Fires once, at {@code instant}. */
  record At(Instant instant) implements Trigger {
    public At {
      Objects.requireNonNull(instant, "instant");
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
      return instant.isAfter(after) ? Optional.of(instant) : Optional.empty();
    }
  }

  /** {@code @reboot}: fires when the daemon starts, which the daemon handles; no fire times. */
  record Reboot() implements Trigger {
    @Override
    public Optional<Instant> nextAfter(Instant after) {
      return Optional.empty();
    }
  }
}
