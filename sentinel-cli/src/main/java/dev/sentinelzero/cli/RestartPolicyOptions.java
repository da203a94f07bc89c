package dev.sentinelzero.cli;

import static dev.sentinelzero.cli.OptionEcho.exact;
import static dev.sentinelzero.cli.OptionEcho.flag;
import static dev.sentinelzero.cli.OptionEcho.putIfGiven;

import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RestartPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The restart-policy options, mixed into {@code start} (for a new definition) and {@code
 * restart-policy} (to change one). Only the options given go on the wire, as the fields of the
 * {@code restart} object: the daemon fills in the rest, from its defaults for a new definition and
 * from the current policy for a change.
 *
 * <p>Each value is checked as it is parsed, by the converters below, so a mistake reads {@code
 * Invalid value for option '--jitter': ...} and exits with 2 before anything is sent; so does a
 * {@code --max-delay} below a {@code --delay} given with it. The daemon's own limits (the most
 * retries, the longest duration, the largest factor) are left to the daemon, whose invalid_argument
 * answer names the field and exits with 2 as well; a {@code --max-delay} below a stored delay is
 * the daemon's to find too, and {@link #inFlags} words its answer with the flags.
 *
 * <p>A {@code --delay} above the cap without {@code --max-delay} raises the cap with it: the rule
 * is the daemon's ({@code RestartPolicy.with}, for every client), and its answer's {@code adjusted}
 * says so, which {@link #adjustedNote} turns into a line of output.
 */
final class RestartPolicyOptions {
  static final String UNLIMITED = "unlimited";
  static final String NONE = "none";

  // The values as given, in wire units (ms, -1 for unlimited); null when not given. Plain options
  // rather than an @ArgGroup (which would give them a help heading): a group silently starts a new
  // instance when an option is repeated, dropping the options before it, where plain options make
  // picocli refuse the repetition.

  @Option(
      names = "--restart",
      paramLabel = "MODE",
      converter = ModeConverter.class,
      description =
          "When to start it again: always, on-failure (not after a success exit code) or never.")
  String mode;

  @Option(
      names = "--success-exit-codes",
      paramLabel = "CODE",
      split = ",",
      converter = ExitCodeConverter.class,
      description = "Exit codes that count as success, separated by commas, e.g. 0,3.")
  List<Integer> successExitCodes;

  @Option(
      names = "--retries",
      paramLabel = "N",
      converter = RetriesConverter.class,
      description =
          "How many times in a row a failed start (a run shorter than --min-uptime) is"
              + " restarted before giving up, or unlimited.")
  Integer retries;

  @Option(
      names = "--delay",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "The delay before the first restart.")
  Duration delay;

  @Option(
      names = "--backoff",
      paramLabel = "KIND",
      converter = BackoffConverter.class,
      description = "exponential (each delay --backoff-factor times the last) or fixed.")
  String backoff;

  @Option(
      names = "--backoff-factor",
      paramLabel = "F",
      converter = FactorConverter.class,
      description = "The exponential factor, 1 or more, e.g. 2 or 1.5.")
  Double backoffFactor;

  @Option(
      names = "--max-delay",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "The longest delay; not shorter than --delay (a --delay above it, given alone, raises it).")
  Duration maxDelay;

  @Option(
      names = "--jitter",
      paramLabel = "FRACTION",
      converter = JitterConverter.class,
      description = "Spread each delay by up to this fraction either way, 0 to 1 (0.1 is 10%%).")
  Double jitter;

  @Option(
      names = "--min-uptime",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "A run at least this long was a good start: it resets retries and delay.")
  Duration minUptime;

  @Option(
      names = "--cooldown",
      paramLabel = "DURATION",
      converter = CooldownConverter.class,
      description = "After the retries run out, try again after this long; none to stay failed.")
  Cooldown cooldown;

  /** {@code --cooldown}: a duration in ms, or null for {@code none}. */
  record Cooldown(Long ms) {}

  /** Whether any restart-policy option was given. */
  boolean given() {
    return mode != null
        || successExitCodes != null
        || retries != null
        || delay != null
        || backoff != null
        || backoffFactor != null
        || maxDelay != null
        || jitter != null
        || minUptime != null
        || cooldown != null;
  }

  /**
   * The {@code restart} object of the request: exactly the fields given, in wire units.
   *
   * @throws ProtocolException (invalid_argument) when {@code --max-delay} is below {@code --delay}
   */
  Map<String, Object> toJson() throws ProtocolException {
    Map<String, Object> json = new LinkedHashMap<>();
    if (delay != null && maxDelay != null && maxDelay.compareTo(delay) < 0) {
      throw ClientCommand.usage(
          "--max-delay "
              + exact(maxDelay)
              + " is shorter than --delay "
              + exact(delay)
              + ": the longest delay must be at least the first one");
    }
    putIfGiven(json, "mode", mode);
    putIfGiven(
        json,
        "success_exit_codes",
        successExitCodes == null ? null : new ArrayList<>(successExitCodes));
    putIfGiven(json, "retries", retries);
    putIfGiven(json, "delay_ms", delay == null ? null : delay.toMillis());
    putIfGiven(json, "backoff", backoff);
    putIfGiven(json, "backoff_factor", backoffFactor);
    putIfGiven(json, "max_delay_ms", maxDelay == null ? null : maxDelay.toMillis());
    putIfGiven(json, "jitter", jitter);
    putIfGiven(json, "min_uptime_ms", minUptime == null ? null : minUptime.toMillis());
    if (cooldown != null) {
      json.put("cooldown_ms", cooldown.ms()); // null (none) is a value here
    }
    return json;
  }

  /**
   * The line that says the daemon moved a field the user did not give ({@code adjusted} in its
   * answer): {@code --max-delay raised from 5m to 5h, to the --delay (give --max-delay to choose
   * the cap)}; null when nothing was.
   */
  static String adjustedNote(Map<String, Object> result) {
    Object adjusted = result.get("adjusted");
    if (!(adjusted instanceof Map) || !(((Map<?, ?>) adjusted).get("max_delay_ms") instanceof Map)) {
      return null;
    }
    Map<?, ?> change = (Map<?, ?>) ((Map<?, ?>) adjusted).get("max_delay_ms");
    if (!(change.get("from") instanceof Number) || !(change.get("to") instanceof Number)) {
      return null;
    }
    return "--max-delay raised from "
        + Units.exactDuration(((Number) change.get("from")).longValue())
        + " to "
        + Units.exactDuration(((Number) change.get("to")).longValue())
        + ", to the --delay (give --max-delay to choose the cap)";
  }

  private static final java.util.regex.Pattern STORED_DELAY =
      java.util.regex.Pattern.compile("max_delay_ms \\d+ is shorter than delay_ms (\\d+)");

  /**
   * The daemon's refusal of a {@code --max-delay} below the delay it has stored (the CLI could not
   * see it), in the flags the user typed: {@code --max-delay 1m is shorter than --delay 5h (the
   * delay of web) ...}; any other failure as it is.
   */
  ProtocolException inFlags(ProtocolException e, String name) {
    java.util.regex.Matcher m = STORED_DELAY.matcher(String.valueOf(e.getMessage()));
    if (e.code() != dev.sentinelzero.protocol.ErrorCode.INVALID_ARGUMENT
        || maxDelay == null
        || delay != null
        || !m.find()) {
      return e;
    }
    return ClientCommand.usage(
        "--max-delay "
            + exact(maxDelay)
            + " is shorter than --delay "
            + Units.exactDuration(Long.parseLong(m.group(1)))
            + " (the delay of "
            + name
            + "): the longest delay must be at least the first one; give a longer --max-delay, or a"
            + " shorter --delay with it");
  }

  /** The options given, written back as they would be typed, e.g. {@code --retries unlimited}. */
  String flags() {
    List<String> words = new ArrayList<>();
    flag(words, "--restart", mode);
    if (successExitCodes != null) {
      List<String> codes = new ArrayList<>();
      for (Integer code : successExitCodes) {
        codes.add(code.toString());
      }
      flag(words, "--success-exit-codes", String.join(",", codes));
    }
    if (retries != null) {
      flag(words, "--retries", retries == RestartPolicy.UNLIMITED ? UNLIMITED : retries.toString());
    }
    flag(words, "--delay", delay == null ? null : exact(delay));
    flag(words, "--backoff", backoff);
    flag(words, "--backoff-factor", backoffFactor == null ? null : Units.plain(backoffFactor));
    flag(words, "--max-delay", maxDelay == null ? null : exact(maxDelay));
    flag(words, "--jitter", jitter == null ? null : Units.plain(jitter));
    flag(words, "--min-uptime", minUptime == null ? null : exact(minUptime));
    if (cooldown != null) {
      Long ms = cooldown.ms();
      flag(words, "--cooldown", ms == null ? NONE : Units.exactDuration(ms));
    }
    return String.join(" ", words);
  }

  // ---- converters: each checks one value and names what it accepts

  static final class ModeConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (value.equals(RestartPolicy.ALWAYS)
          || value.equals(RestartPolicy.ON_FAILURE)
          || value.equals(RestartPolicy.NEVER)) {
        return value;
      }
      throw new TypeConversionException(
          "'" + value + "' is not a restart mode: use always, on-failure or never");
    }
  }

  static final class BackoffConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (value.equals(RestartPolicy.EXPONENTIAL) || value.equals(RestartPolicy.FIXED)) {
        return value;
      }
      throw new TypeConversionException(
          "'" + value + "' is not a backoff: use exponential or fixed");
    }
  }

  /** One exit code of the comma-separated list (picocli splits it). */
  static final class ExitCodeConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      if (isWholeNumber(value) && value.length() <= 3 && Integer.parseInt(value) <= 255) {
        return Integer.parseInt(value);
      }
      throw new TypeConversionException(
          "'" + value + "' is not an exit code: use whole numbers from 0 to 255, separated by"
              + " commas, like 0,3");
    }
  }

  static final class RetriesConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      if (value.equals(UNLIMITED)) {
        return RestartPolicy.UNLIMITED;
      }
      if (isWholeNumber(value) && value.length() <= 9) {
        return Integer.parseInt(value);
      }
      throw new TypeConversionException(
          "'" + value + "' is not a number of retries: use 0 or more, or unlimited");
    }
  }

  static final class FactorConverter implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      Double factor = decimal(value);
      if (factor != null && factor >= 1.0) {
        return factor;
      }
      throw new TypeConversionException(
          "'" + value + "' is not a backoff factor: use a number of 1 or more, like 2 or 1.5");
    }
  }

  static final class JitterConverter implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      Double jitter = decimal(value);
      if (jitter != null && jitter <= 1.0) {
        return jitter;
      }
      throw new TypeConversionException(
          "'" + value + "' is not a jitter: use a fraction from 0 to 1, like 0.1 for 10%");
    }
  }

  static final class CooldownConverter implements ITypeConverter<Cooldown> {
    @Override
    public Cooldown convert(String value) {
      if (value.equals(NONE)) {
        return new Cooldown(null);
      }
      try {
        return new Cooldown(DurationConverter.parse(value).toMillis());
      } catch (TypeConversionException e) {
        throw new TypeConversionException(e.getMessage() + "; or none for no cooldown");
      }
    }
  }

  private static boolean isWholeNumber(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * A plain decimal such as {@code 2}, {@code 1.5} or {@code .25}, or null. Stricter than {@link
   * Double#parseDouble}, which also takes {@code NaN}, {@code 1e3}, {@code 0x1p0} and {@code 2d}.
   */
  private static Double decimal(String text) {
    int dot = text.indexOf('.');
    String whole = dot < 0 ? text : text.substring(0, dot);
    String fraction = dot < 0 ? "" : text.substring(dot + 1);
    boolean ok =
        (whole.isEmpty() || isWholeNumber(whole))
            && (dot < 0 || isWholeNumber(fraction))
            && !(whole.isEmpty() && fraction.isEmpty())
            && text.length() <= 20;
    return ok ? Double.valueOf(text) : null;
  }
}
