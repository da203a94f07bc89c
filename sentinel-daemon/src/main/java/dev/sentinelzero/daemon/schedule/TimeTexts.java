package dev.sentinelzero.daemon.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneOffsetTransition;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user's words for zones, times and durations, turned into {@code java.time} values or a
 * {@link ScheduleException} whose message shows the accepted forms.
 */
final class TimeTexts {
  private static final String ZONE_EXAMPLE = "Europe/Berlin";
  private static final String DURATION_FORMS =
      "use a number and a unit, like 250ms, 5s, 10m, 5h, 1d or 1h30m";
  private static final String TIME_FORMS =
      "use 2026-12-01T02:00 (local time in the schedule's time zone), 2026-12-01T02:00Z (UTC)"
          + " or 2026-12-01T02:00+01:00; seconds are optional";
  private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");

  private TimeTexts() {}

  /** An IANA zone name (also accepted: {@code UTC} and fixed offsets such as {@code +02:00}). */
  static ZoneId zone(String name) throws ScheduleException {
    String text = name == null ? "" : name.strip();
    if (text.isEmpty()) {
      throw new ScheduleException(
          "time zone is empty: use an IANA name such as " + ZONE_EXAMPLE);
    }
    try {
      return ZoneId.of(text);
    } catch (DateTimeException e) {
      throw new ScheduleException(
          "unknown time zone \"" + text + "\": use an IANA name such as " + closestZone(text));
    }
  }

  /** The known zone nearest to a misspelt name, or a plain example when none is near. */
  private static String closestZone(String text) {
    String wanted = text.toLowerCase(Locale.ROOT);
    String best = ZONE_EXAMPLE;
    int bestDistance = 4; // a suggestion further than 3 edits away is more confusing than helpful
    for (String id : new TreeSet<>(ZoneId.getAvailableZoneIds())) {
      int d = editDistance(wanted, id.toLowerCase(Locale.ROOT), bestDistance);
      if (d < bestDistance) {
        best = id;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance, giving up (returning {@code limit}) once it cannot be below it. */
  private static int editDistance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) >= limit) {
      return limit;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      int rowMin = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
        rowMin = Math.min(rowMin, current[j]);
      }
      if (rowMin >= limit) {
        return limit;
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return Math.min(previous[b.length()], limit);
  }

  /**
   * A one-time instant: {@code 2026-12-01T02:00[:ss]} is local time in {@code zone}, with {@code Z}
   * or an offset such as {@code +01:00} it is absolute. A space may stand for the {@code T}.
   */
  static Instant time(String text, ZoneId zone) throws ScheduleException {
    String s = text == null ? "" : text.strip();
    if (s.length() > 10 && s.charAt(10) == ' ') {
      s = s.substring(0, 10) + 'T' + s.substring(11);
    }
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException notAbsolute) {
      try {
        return atZone(LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME), zone);
      } catch (DateTimeParseException notLocal) {
        throw new ScheduleException("invalid time \"" + text + "\": " + TIME_FORMS);
      }
    }
  }

  /**
   * The instant of a wall-clock time, by the same rule as cron jobs: a time in a spring-forward gap
   * means the first instant after the jump; a time that happens twice means the first occurrence.
   */
  static Instant atZone(LocalDateTime local, ZoneId zone) {
    List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
    if (offsets.isEmpty()) {
      ZoneOffsetTransition gap = zone.getRules().getTransition(local);
      return gap.getInstant();
    }
    return local.toInstant(offsets.get(0)); // the offset before the transition: the earlier instant
  }

  /**
   * A positive duration written as number-unit parts ({@code ms s m h d}) that add up, e.g.
   * {@code 1h30m}.
   *
   * @param what what the duration is for, as the message should name it ("interval")
   */
  static Duration duration(String what, String text) throws ScheduleException {
    String s = text == null ? "" : text.strip();
    Matcher part = DURATION_PART.matcher(s);
    Duration total = Duration.ZERO;
    int at = 0;
    try {
      while (at < s.length()) {
        part.region(at, s.length());
        if (!part.lookingAt()) {
          throw invalid(what, text);
        }
        long count = Long.parseLong(part.group(1));
        total = total.plus(unit(part.group(2)).multipliedBy(count));
        at = part.end();
      }
    } catch (ArithmeticException e) {
      throw new ScheduleException(what + " \"" + text + "\" is too long: " + DURATION_FORMS);
    }
    if (s.isEmpty()) {
      throw invalid(what, text);
    }
    if (total.isZero()) {
      throw new ScheduleException(what + " \"" + text + "\" is zero: " + DURATION_FORMS);
    }
    return total;
  }

  private static ScheduleException invalid(String what, String text) {
    return new ScheduleException("invalid " + what + " \"" + text + "\": " + DURATION_FORMS);
  }

  private static Duration unit(String unit) {
    return switch (unit) {
      case "ms" -> Duration.ofMillis(1);
      case "s" -> Duration.ofSeconds(1);
      case "m" -> Duration.ofMinutes(1);
      case "h" -> Duration.ofHours(1);
      default -> Duration.ofDays(1);
    };
  }
}
