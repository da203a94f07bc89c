package dev.sentinelzero.daemon.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A cron expression compiled by cron-utils, and its next fire time in a zone by cronie's rules
 * (see {@link Trigger} for the rules in words).
 *
 * <p>cron-utils does the parsing and the calendar search, but only on the wall clock: expressions
 * are evaluated in UTC, which has no daylight saving time, so cron-utils answers "the next
 * wall-clock time that matches". Turning wall-clock times into instants, gaps and repeated hours
 * included, is done here, because cron-utils 9.2.1 gets it wrong both ways: it skips the
 * spring-forward day for {@code 30 2 * * *} and runs {@code 30 1 * * *} a second time on the
 * fall-back night.
 *
 * <p>Two further corrections make cron-utils behave like Vixie cron and cronie:
 *
 * <ul>
 *   <li>Day of month and day of week are OR-ed only when neither field begins with {@code *}
 *       (cronie's {@code DOM_STAR}/{@code DOW_STAR} test the field's first character), so {@code 0
 *       0 *}{@code /2 * 1} means odd days that are Mondays. cron-utils OR-s whenever both fields
 *       are other than a bare {@code *}; we pick between two definitions, one that OR-s and one
 *       that AND-s ({@code matchDayOfWeekAndDayOfMonth}).
 *   <li>cron-utils reads the name {@code SUN} as 7, which makes {@code SUN-SAT} a backwards range;
 *       weekday names are turned into numbers first (SUN is 0, or 7 at the end of a range).
 * </ul>
 *
 * <p>Immutable; cron-utils' {@code ExecutionTime} keeps no state between calls.
 */
final class CronRule {
  /** The macros cronie knows, in the order the error message lists them. */
  private static final List<String> MACROS =
      List.of(
          "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
          "@reboot");

  private static final CronParser FIVE_EITHER_DAY = new CronParser(definition(false, true));
  private static final CronParser FIVE_BOTH_DAYS = new CronParser(definition(false, false));
  private static final CronParser SIX_EITHER_DAY = new CronParser(definition(true, true));
  private static final CronParser SIX_BOTH_DAYS = new CronParser(definition(true, false));

  /**
   * Fire times lie in [1970, 10000): this keeps every computation far from the ends of java.time,
   * and cron-utils from searching through millions of years for an absurd instant.
   */
  private static final Instant START_OF_TIME = Instant.EPOCH;

  private static final Instant END_OF_TIME = Instant.parse("+10000-01-01T00:00:00Z");

  private static final Pattern RANGE_TO_SUNDAY =
      Pattern.compile("\\b(\\w+)-SUN\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern WEEKDAY_NAME =
      Pattern.compile("\\b(SUN|MON|TUE|WED|THU|FRI|SAT)\\b", Pattern.CASE_INSENSITIVE);
  private static final List<String> WEEKDAYS =
      List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  /** What each field is called and accepts, for error messages. */
  private enum Field {
    SECOND("second", "0-59", "*/10"),
    MINUTE("minute", "0-59", "*/15"),
    HOUR("hour", "0-23", "9-17/2"),
    DAY_OF_MONTH("day of month", "1-31", "1-15/2"),
    MONTH("month", "1-12 or JAN-DEC", "*/3"),
    DAY_OF_WEEK("day of week", "0-7 (0 and 7 are Sunday) or SUN-SAT", "MON-FRI");

    final String label;
    final String accepts;
    final String example;

    Field(String label, String accepts, String example) {
      this.label = label;
      this.accepts = accepts;
      this.example = example;
    }
  }

  private static final Field[] FIVE_FIELDS = {
    Field.MINUTE, Field.HOUR, Field.DAY_OF_MONTH, Field.MONTH, Field.DAY_OF_WEEK
  };
  private static final Field[] SIX_FIELDS = {
    Field.SECOND, Field.MINUTE, Field.HOUR, Field.DAY_OF_MONTH, Field.MONTH, Field.DAY_OF_WEEK
  };

  private final String expression;
  private final ExecutionTime wallClock;
  private final boolean wildcard;

  private CronRule(String expression, ExecutionTime wallClock, boolean wildcard) {
    this.expression = expression;
    this.wallClock = wallClock;
    this.wildcard = wildcard;
  }

  /** The expression as the user wrote it, trimmed. */
  String expression() {
    return expression;
  }

  /**
   * Whether cronie would call this a wildcard job: its minute or hour field begins with {@code *}
   * ({@code @hourly} is one). Every other job is a fixed-time job.
   */
  boolean wildcard() {
    return wildcard;
  }

  /**
   * A cron expression: five fields, six with a leading seconds field, or a macro; {@code @reboot}
   * gives {@link Trigger.Reboot}.
   */
  static Trigger parse(String text, ZoneId zone) throws ScheduleException {
    String s = text == null ? "" : text.strip();
    if (s.isEmpty()) {
      throw new ScheduleException(
          "cron expression is empty: use five fields such as \"0 2 * * *\" or a macro such as"
              + " @daily");
    }
    if (s.startsWith("@")) {
      return macro(s, zone);
    }
    String[] fields = s.split("\\s+");
    if (fields.length != 5 && fields.length != 6) {
      throw new ScheduleException(
          "cron expression \""
              + s
              + "\" has "
              + fields.length
              + (fields.length == 1 ? " field" : " fields")
              + ": use 5 (minute hour day-of-month month day-of-week), 6 with a leading seconds"
              + " field, or a macro such as @daily");
    }
    int shift = fields.length - 5; // 1 when there is a seconds field
    String minute = fields[shift];
    String hour = fields[shift + 1];
    String dayOfMonth = fields[shift + 2];
    String dayOfWeek = fields[shift + 4];
    boolean eitherDay = !dayOfMonth.startsWith("*") && !dayOfWeek.startsWith("*");
    CronParser parser =
        shift == 0
            ? (eitherDay ? FIVE_EITHER_DAY : FIVE_BOTH_DAYS)
            : (eitherDay ? SIX_EITHER_DAY : SIX_BOTH_DAYS);
    String[] normalized = fields.clone();
    normalized[shift + 4] = weekdayNumbers(dayOfWeek);
    Cron cron;
    try {
      cron = parser.parse(String.join(" ", normalized));
    } catch (IllegalArgumentException e) {
      throw explain(parser, fields, normalized, e);
    }
    boolean wildcard = minute.startsWith("*") || hour.startsWith("*");
    CronRule rule = new CronRule(String.join(" ", fields), ExecutionTime.forCron(cron), wildcard);
    if (rule.firstAtOrAfter(LocalDateTime.of(2000, 1, 1, 0, 0)).isEmpty()) {
      throw new ScheduleException(
          "cron expression \""
              + rule.expression
              + "\" never fires: its days of month never occur in its months");
    }
    return new Trigger.Cron(rule, zone);
  }

  private static Trigger macro(String s, ZoneId zone) throws ScheduleException {
    if (!MACROS.contains(s)) {
      throw new ScheduleException(
          "unknown cron macro \""
              + s
              + "\": use "
              + String.join(", ", MACROS.subList(0, MACROS.size() - 1))
              + " or "
              + MACROS.get(MACROS.size() - 1));
    }
    // Each macro stands for five fields with a bare * in a day field, so the AND definition fits.
    Cron cron = FIVE_BOTH_DAYS.parse(s);
    if (s.equals("@reboot")) {
      return new Trigger.Reboot(); // cron-utils parses it but gives it no execution times
    }
    String[] fields = cron.asString().split(" "); // the expansion: @hourly is "0 * * * *"
    boolean wildcard = fields[0].startsWith("*") || fields[1].startsWith("*");
    return new Trigger.Cron(new CronRule(s, ExecutionTime.forCron(cron), wildcard), zone);
  }

  /** Weekday names as numbers, read the Vixie way: SUN is 0, and 7 when it ends a range. */
  static String weekdayNumbers(String field) {
    String sundayEnds =
        RANGE_TO_SUNDAY
            .matcher(field)
            .replaceAll(
                m -> {
                  String start = m.group(1);
                  boolean fromSunday = start.equals("0") || start.equalsIgnoreCase("SUN");
                  return start + (fromSunday ? "-0" : "-7");
                });
    return WEEKDAY_NAME
        .matcher(sundayEnds)
        .replaceAll(m -> String.valueOf(WEEKDAYS.indexOf(m.group(1).toUpperCase(Locale.ROOT))));
  }

  /** Finds the bad field by parsing each one alone (the others as *), and says what it accepts. */
  private static ScheduleException explain(
      CronParser parser, String[] fields, String[] normalized, IllegalArgumentException whole) {
    Field[] names = fields.length == 6 ? SIX_FIELDS : FIVE_FIELDS;
    for (int i = 0; i < fields.length; i++) {
      String[] probe = new String[fields.length];
      Arrays.fill(probe, "*");
      probe[i] = normalized[i];
      try {
        parser.parse(String.join(" ", probe));
      } catch (IllegalArgumentException e) {
        Field field = names[i];
        return new ScheduleException(
            "cron field "
                + (i + 1)
                + " ("
                + field.label
                + ") \""
                + fields[i]
                + "\" "
                + reason(String.valueOf(e.getMessage()))
                + ": use "
                + field.accepts
                + ", lists, ranges and steps like "
                + field.example);
      }
    }
    return new ScheduleException(
        "invalid cron expression \"" + String.join(" ", fields) + "\": " + whole.getMessage());
  }

  /** Our words for cron-utils' (9.2.1) messages. */
  private static String reason(String detail) {
    if (detail.contains("Period")) {
      return "has a step out of range"; // "Period 0 not in range [0, 59]"
    }
    if (detail.contains("not in range")) {
      return "is out of range"; // "Value 25 not in range [0, 23]"
    }
    if (detail.contains("Invalid range")) {
      return "has a range that runs backwards"; // "Invalid range! [22,2]"
    }
    return "is not valid";
  }

  /**
   * The next fire instant strictly after {@code after}, by cronie's DST rules.
   *
   * <p>How: the zone's time line is cut at its offset transitions; within one piece wall clock and
   * instants map one to one, so the first matching wall-clock time in the piece is the answer. At a
   * spring-forward transition, the wall-clock times of the gap are searched too, and a match there
   * gives the transition instant itself (fixed-time jobs only). After a fall-back transition, a
   * fixed-time job's search starts where the earlier piece's wall clock ended, so the repeated
   * times are not matched twice. Each step either answers or moves on to the next transition, so a
   * yearly job costs about three cron-utils look-ups.
   */
  Optional<Instant> nextAfter(Instant after, ZoneId zone) {
    if (!after.isBefore(END_OF_TIME)) {
      return Optional.empty();
    }
    Instant from =
        after.isBefore(START_OF_TIME)
            ? START_OF_TIME
            : after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1); // fire times: whole seconds
    return firstFireFrom(from, zone.getRules()).filter(fire -> fire.isBefore(END_OF_TIME));
  }

  /** The first fire instant at or after {@code from} (a whole second). */
  private Optional<Instant> firstFireFrom(Instant from, ZoneRules rules) {
    while (true) {
      ZoneOffset offset = rules.getOffset(from);
      LocalDateTime start = LocalDateTime.ofInstant(from, offset);
      ZoneOffsetTransition last = rules.previousTransition(from.plusNanos(1)); // at or before from
      boolean gapEndsHere = false;
      if (!wildcard && last != null) {
        if (last.isOverlap() && start.isBefore(last.getDateTimeBefore())) {
          start = last.getDateTimeBefore(); // these wall times had their first occurrence already
        } else if (last.isGap() && last.getInstant().equals(from)) {
          start = last.getDateTimeBefore(); // wall times in the gap run at the end of the gap: now
          gapEndsHere = true;
        }
      }
      Optional<LocalDateTime> match = firstAtOrAfter(start);
      if (match.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime wall = match.get();
      if (gapEndsHere && wall.isBefore(last.getDateTimeAfter())) {
        return Optional.of(from);
      }
      ZoneOffsetTransition next = rules.nextTransition(from);
      if (next == null || wall.isBefore(next.getDateTimeBefore())) {
        return Optional.of(wall.toInstant(offset));
      }
      from = next.getInstant();
    }
  }

  /** The first wall-clock time at or after {@code wall} (whole seconds) that matches. */
  private Optional<LocalDateTime> firstAtOrAfter(LocalDateTime wall) {
    return wallClock
        .nextExecution(wall.minusSeconds(1).atZone(ZoneOffset.UTC))
        .map(ZonedDateTime::toLocalDateTime);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CronRule other && other.expression.equals(expression);
  }

  @Override
  public int hashCode() {
    return expression.hashCode();
  }

  @Override
  public String toString() {
    return expression;
  }

  /** The Unix crontab fields of cron-utils' {@code CronType.UNIX}, optionally after seconds. */
  private static CronDefinition definition(boolean seconds, boolean eitherDay) {
    CronDefinitionBuilder builder = CronDefinitionBuilder.defineCron();
    if (seconds) {
      builder = builder.withSeconds().withValidRange(0, 59).withStrictRange().and();
    }
    builder =
        builder
            .withMinutes().withValidRange(0, 59).withStrictRange().and()
            .withHours().withValidRange(0, 23).withStrictRange().and()
            .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
            .withMonth().withValidRange(1, 12).withStrictRange().and()
            .withDayOfWeek()
            .withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange()
            .and();
    if (!eitherDay) {
      builder = builder.matchDayOfWeekAndDayOfMonth();
    }
    if (!seconds) {
      builder =
          builder
              .withSupportedNicknameYearly()
              .withSupportedNicknameAnnually()
              .withSupportedNicknameMonthly()
              .withSupportedNicknameWeekly()
              .withSupportedNicknameDaily()
              .withSupportedNicknameMidnight()
              .withSupportedNicknameHourly()
              .withSupportedNicknameReboot();
    }
    return builder.instance();
  }
}
