package dev.sentinelzero.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations such as {@code 250ms}, {@code 5s}, {@code 10m}, {@code 5h}, {@code 1d} and
 * combinations from the largest unit to the smallest, each unit at most once: {@code 1h30m},
 * {@code 1m30s500ms}. Whole numbers only; no spaces, no bare numbers (is {@code 5} seconds or
 * milliseconds?) except {@code 0}, which is zero in any unit.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  static final String ACCEPTED =
      "use a whole number with a unit: 250ms, 5s, 10m, 5h, 1d, or several from the largest unit"
          + " to the smallest, like 1h30m (or 0)";

  private static final String[] UNITS = {"d", "h", "m", "s", "ms"};
  private static final long[] UNIT_MS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /**
   * @throws TypeConversionException naming the text and listing the accepted forms
   */
  static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw invalid("''");
    }
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    long total = 0;
    int lastUnit = -1;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int start = i;
      while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        i++;
      }
      if (i == start || i - start > 15) {
        throw invalid("'" + text + "'");
      }
      long number = Long.parseLong(text.substring(start, i));
      int unit = unitAt(text, i);
      if (unit < 0 || unit <= lastUnit) {
        throw invalid("'" + text + "'");
      }
      i += UNITS[unit].length();
      lastUnit = unit;
      try {
        total = Math.addExact(total, Math.multiplyExact(number, UNIT_MS[unit]));
      } catch (ArithmeticException e) {
        throw new TypeConversionException("'" + text + "' is too long a duration");
      }
    }
    return Duration.ofMillis(total);
  }

  /** The index in {@link #UNITS} of the unit starting at {@code i}, or -1. */
  private static int unitAt(String text, int i) {
    if (text.startsWith("ms", i)) {
      return 4;
    }
    if (i >= text.length()) {
      return -1;
    }
    switch (text.charAt(i)) {
      case 'd':
        return 0;
      case 'h':
        return 1;
      case 'm':
        return 2;
      case 's':
        return 3;
      default:
        return -1;
    }
  }

  private static TypeConversionException invalid(String quoted) {
    return new TypeConversionException(quoted + " is not a duration: " + ACCEPTED);
  }
}
