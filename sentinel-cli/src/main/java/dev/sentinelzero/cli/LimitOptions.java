package dev.sentinelzero.cli;

import static dev.sentinelzero.cli.OptionEcho.flag;
import static dev.sentinelzero.cli.OptionEcho.putIfGiven;

import dev.sentinelzero.protocol.ResourceLimits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The resource-limit options, mixed into {@code start} (for a new definition) and {@code limits}
 * (to set or replace the limits of a defined process). Only the options given go on the wire, as
 * the fields of the {@code limits} object; the daemon fills in its defaults for the rest ({@code
 * limit_for_ms} 30000, {@code action} restart). Limits are a memory limit, a CPU limit or both:
 * {@code --limit-for} and {@code --limit-action} only tune them.
 *
 * <p>What is cheap to check is checked as it is parsed, by the converters below (a size of at
 * least 1M, a CPU percentage above 0, the action), so a mistake reads {@code Invalid value for
 * option '--max-memory': ...} and exits with 2 before anything is sent. The daemon's own limits
 * (the largest CPU percentage, the longest {@code --limit-for}) are left to the daemon, whose
 * invalid_argument answer exits with 2 as well.
 */
final class LimitOptions {
  static final String LIMIT_FLAGS = "--max-memory SIZE, --max-cpu PERCENT or both";

  /** The smallest memory limit, as the daemon takes it: 1 MiB. */
  static final long MIN_MEMORY_BYTES = 1024L * 1024;

  @Option(
      names = "--max-memory",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "Resident memory of the process group over SIZE is a breach at once: bytes, or with"
              + " K, M, G or T (powers of 1024), like 512M, 1.5G; at least 1M.")
  Long maxMemory;

  @Option(
      names = "--max-cpu",
      paramLabel = "PERCENT",
      converter = CpuConverter.class,
      description =
          "CPU of the process group over PERCENT of one core (250 is 2.5 cores) for the whole"
              + " --limit-for is a breach.")
  Double maxCpu;

  @Option(
      names = "--limit-for",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long CPU must stay over --max-cpu to be a breach (default: 30s).")
  Duration limitFor;

  @Option(
      names = "--limit-action",
      paramLabel = "ACTION",
      converter = ActionConverter.class,
      description =
          "What a breach does: restart (under its restart policy), stop or log (only an event)"
              + " (default: restart).")
  String action;

  /** Whether any limit option was given. */
  boolean given() {
    return maxMemory != null || maxCpu != null || firstTuningFlag() != null;
  }

  /** Whether a limit ({@code --max-memory} or {@code --max-cpu}) was given. */
  boolean hasLimit() {
    return maxMemory != null || maxCpu != null;
  }

  /** The first tuning option given, {@code --limit-for} or {@code --limit-action}, or null. */
  String firstTuningFlag() {
    if (limitFor != null) {
      return "--limit-for";
    }
    if (action != null) {
      return "--limit-action";
    }
    return null;
  }

  /**
   * The {@code limits} object of the request: exactly the fields given, in wire units. Only when
   * a limit was given ({@link #hasLimit}).
   */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    putIfGiven(json, "max_memory_bytes", maxMemory);
    putIfGiven(json, "max_cpu_percent", maxCpu);
    putIfGiven(json, "limit_for_ms", limitFor == null ? null : limitFor.toMillis());
    putIfGiven(json, "action", action);
    return json;
  }

  /** The options given, written back as they would be typed, e.g. {@code --max-memory 512M}. */
  String flags() {
    List<String> words = new ArrayList<>();
    flag(words, "--max-memory", maxMemory == null ? null : size(maxMemory));
    flag(words, "--max-cpu", maxCpu == null ? null : Units.plain(maxCpu));
    flag(words, "--limit-for", limitFor == null ? null : Units.exactDuration(limitFor.toMillis()));
    flag(words, "--limit-action", action);
    return String.join(" ", words);
  }

  /** A size in the form {@link SizeConverter} reads, exact: {@code 512M}, {@code 1536K}. */
  static String size(long bytes) {
    String[] units = {"T", "G", "M", "K"};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << (10 * (units.length - i));
      if (bytes >= unit && bytes % unit == 0) {
        return bytes / unit + units[i];
      }
    }
    return Long.toString(bytes);
  }

  // ---- converters: each checks one value and names what it accepts

  /**
   * {@code --max-memory}: a size ({@link #parse}) of at least {@link #MIN_MEMORY_BYTES}, the
   * smallest memory limit the daemon takes.
   */
  static final class SizeConverter implements ITypeConverter<Long> {
    static final String ACCEPTED =
        "use a number of bytes, or one with a unit K, M, G or T (powers of 1024; a trailing B or"
            + " iB is allowed), like 512M, 2G, 1.5G or 1536KiB; at least 1M";

    private static final String UNITS = "KMGT";

    @Override
    public Long convert(String value) {
      long bytes = parse(value);
      if (bytes < MIN_MEMORY_BYTES) {
        throw new TypeConversionException(
            "'" + value + "' is below the smallest memory limit, 1M: " + ACCEPTED);
      }
      return bytes;
    }

    /**
     * A size: a number of bytes, or a number (a fraction allowed) with a unit K, M, G or T,
     * powers of 1024, in either case, optionally followed by {@code B} or {@code iB}: {@code
     * 512M}, {@code 2g}, {@code 1.5G}, {@code 800KiB}, {@code 10MB}, {@code 1048576}. A fraction
     * of a byte rounds to the nearest byte. No sign, no spaces, no exponent.
     *
     * @throws TypeConversionException naming the text and listing the accepted forms
     */
    static long parse(String text) {
      if (text.length() > 30) {
        throw invalid(text);
      }
      int i = 0;
      int n = text.length();
      while (i < n && (isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
        i++;
      }
      String number = text.substring(0, i);
      String suffix = text.substring(i);
      if (!isDecimal(number)) {
        throw invalid(text);
      }
      int unit = -1; // K = 0 ... T = 3
      String rest = suffix;
      if (!rest.isEmpty() && UNITS.indexOf(Character.toUpperCase(rest.charAt(0))) >= 0) {
        unit = UNITS.indexOf(Character.toUpperCase(rest.charAt(0)));
        rest = rest.substring(1);
      }
      boolean suffixOk =
          rest.isEmpty()
              || rest.equalsIgnoreCase("b")
              || (unit >= 0 && rest.equalsIgnoreCase("ib"));
      if (!suffixOk || (unit < 0 && number.indexOf('.') >= 0)) {
        throw invalid(text);
      }
      BigDecimal bytes = new BigDecimal(number);
      if (unit >= 0) {
        bytes = bytes.multiply(BigDecimal.valueOf(1L << (10 * (unit + 1))));
      }
      bytes = bytes.setScale(0, RoundingMode.HALF_UP);
      if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
        throw new TypeConversionException("'" + text + "' is too large a size: " + ACCEPTED);
      }
      return bytes.longValueExact();
    }

    /** Digits, with at most one dot that has digits on both sides. */
    private static boolean isDecimal(String text) {
      int dot = text.indexOf('.');
      if (dot < 0) {
        return !text.isEmpty();
      }
      return dot > 0 && dot < text.length() - 1 && text.indexOf('.', dot + 1) < 0;
    }

    private static TypeConversionException invalid(String text) {
      return new TypeConversionException("'" + text + "' is not a size: " + ACCEPTED);
    }
  }

  /** A percentage of one core above 0, like {@code 150}, {@code 50.5} or {@code 250%}. */
  static final class CpuConverter implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      String number = value.endsWith("%") ? value.substring(0, value.length() - 1) : value;
      Double percent = decimal(number);
      if (percent != null && percent > 0) {
        return percent;
      }
      throw new TypeConversionException(
          "'" + value + "' is not a CPU percentage: use a number above 0, in percent of one core"
              + " (250 is 2.5 cores), like 50, 150 or 250%");
    }

    /** Digits with an optional fraction ({@code 2}, {@code 1.5}), or null. */
    private static Double decimal(String text) {
      if (text.isEmpty() || text.length() > 20 || !SizeConverter.isDecimal(text)) {
        return null;
      }
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) != '.' && !isDigit(text.charAt(i))) {
          return null;
        }
      }
      return Double.valueOf(text);
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static final class ActionConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (value.equals(ResourceLimits.RESTART)
          || value.equals(ResourceLimits.STOP)
          || value.equals(ResourceLimits.LOG)) {
        return value;
      }
      throw new TypeConversionException(
          "'" + value + "' is not a limit action: use restart, stop or log");
    }
  }
}
