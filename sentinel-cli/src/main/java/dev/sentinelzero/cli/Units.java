package dev.sentinelzero.cli;

/**
 * Numbers for people: uptimes, exact durations, sizes and percentages. Hand-written rather than
 * {@code String.format}, whose first use costs more start-up time than the whole rendering.
 */
final class Units {
  private static final long SECOND = 1000;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  private Units() {}

  /**
   * An approximate duration in at most two units, the second zero-padded: {@code 42s}, {@code
   * 5m03s}, {@code 1h02m}, {@code 3d04h}. Under a second reads {@code 0s}.
   */
  static String duration(long ms) {
    if (ms < 0) {
      ms = 0;
    }
    if (ms < MINUTE) {
      return ms / SECOND + "s";
    }
    if (ms < HOUR) {
      return ms / MINUTE + "m" + twoDigits(ms % MINUTE / SECOND) + "s";
    }
    if (ms < DAY) {
      return ms / HOUR + "h" + twoDigits(ms % HOUR / MINUTE) + "m";
    }
    return ms / DAY + "d" + twoDigits(ms % DAY / HOUR) + "h";
  }

  /**
   * An exact duration in the form {@link DurationConverter} reads: {@code 250ms}, {@code 10s},
   * {@code 1h30m}, {@code 0s}.
   */
  static String exactDuration(long ms) {
    if (ms <= 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long[] sizes = {DAY, HOUR, MINUTE, SECOND, 1};
    String[] names = {"d", "h", "m", "s", "ms"};
    long left = ms;
    for (int i = 0; i < sizes.length; i++) {
      long n = left / sizes[i];
      if (n > 0) {
        out.append(n).append(names[i]);
        left -= n * sizes[i];
      }
    }
    return out.toString();
  }

  /** A size in binary units with one decimal: {@code 512 B}, {@code 12.3 MiB}. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    if (Math.round(value * 10) >= 10240 && unit < units.length - 1) {
      value /= 1024; // 1023.96 KiB would round to "1024.0 KiB"
      unit++;
    }
    return oneDecimal(value) + " " + units[unit];
  }

  /** A percentage with one decimal: {@code 12.5%}. */
  static String percent(double value) {
    return oneDecimal(value) + "%";
  }

  static String oneDecimal(double value) {
    long tenths = Math.round(value * 10);
    String sign = tenths < 0 ? "-" : "";
    tenths = Math.abs(tenths);
    return sign + tenths / 10 + "." + tenths % 10;
  }

  /**
   * A number as short as it reads, to at most three decimals: {@code 2}, {@code 1.5}, {@code
   * 0.125}.
   */
  static String plain(double value) {
    long thousandths = Math.round(value * 1000);
    String sign = thousandths < 0 ? "-" : "";
    thousandths = Math.abs(thousandths);
    long fraction = thousandths % 1000;
    if (fraction == 0) {
      return sign + thousandths / 1000;
    }
    String digits = Long.toString(1000 + fraction).substring(1);
    while (digits.endsWith("0")) {
      digits = digits.substring(0, digits.length() - 1);
    }
    return sign + thousandths / 1000 + "." + digits;
  }

  static String twoDigits(long n) {
    return n < 10 ? "0" + n : Long.toString(n);
  }
}
