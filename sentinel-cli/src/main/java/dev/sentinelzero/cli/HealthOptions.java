package dev.sentinelzero.cli;

import static dev.sentinelzero.cli.OptionEcho.exact;
import static dev.sentinelzero.cli.OptionEcho.flag;
import static dev.sentinelzero.cli.OptionEcho.putIfGiven;
import static dev.sentinelzero.cli.OptionEcho.shellQuote;

import dev.sentinelzero.protocol.HealthCheck;
import dev.sentinelzero.protocol.ProtocolException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The health-check options, mixed into {@code start} (for a new definition) and {@code health}
 * (to set or replace the check of a defined process), with Docker HEALTHCHECK's semantics. A
 * check is one of {@code --health-cmd}, {@code --health-tcp} and {@code --health-http}; the tuning
 * options go on the wire only when given, as fields of the {@code health} object, and the daemon
 * fills in its defaults for the rest.
 *
 * <p>What is cheap to check is checked as it is parsed, by the converters below ({@code HOST:PORT}
 * with a port from 1 to 65535, an {@code http://} or {@code https://} URL, retries of 1 or more,
 * the action), so a mistake reads {@code Invalid value for option '--health-tcp': ...} and exits
 * with 2 before anything is sent. The daemon's own limits (the shortest interval and timeout, the
 * most retries, the longest duration) are left to the daemon, whose invalid_argument answer exits
 * with 2 as well.
 */
final class HealthOptions {
  static final String CHECK_FLAGS =
      "--health-cmd COMMAND, --health-tcp HOST:PORT or --health-http URL";

  /** A word that needs no quoting in sh. */

  @Option(
      names = "--health-cmd",
      paramLabel = "COMMAND",
      description =
          "Check health by running COMMAND (split into words, without a shell unless"
              + " --health-shell): healthy when it exits with 0.")
  String cmd;

  @Option(names = "--health-shell", description = "Run the --health-cmd COMMAND with /bin/sh -c.")
  boolean shell;

  @Option(
      names = "--health-tcp",
      paramLabel = "HOST:PORT",
      converter = TcpConverter.class,
      description = "Check health by connecting to HOST:PORT: healthy when it connects.")
  String tcp;

  @Option(
      names = "--health-http",
      paramLabel = "URL",
      converter = HttpConverter.class,
      description = "Check health with a GET of URL: healthy on a 2xx or 3xx answer.")
  String http;

  @Option(
      names = "--health-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Time from the start to the first check and between checks (default: 30s).")
  Duration interval;

  @Option(
      names = "--health-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "A check that takes longer fails (default: 5s).")
  Duration timeout;

  @Option(
      names = "--health-retries",
      paramLabel = "N",
      converter = RetriesConverter.class,
      description = "Failures in a row that make the process unhealthy, 1 or more (default: 3).")
  Integer retries;

  @Option(
      names = "--health-start-period",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Failures this soon after the start do not count (default: 0).")
  Duration startPeriod;

  @Option(
      names = "--health-action",
      paramLabel = "ACTION",
      converter = ActionConverter.class,
      description =
          "What happens when it becomes unhealthy: restart (under its restart policy), stop or"
              + " none (default: restart).")
  String action;

  /** Whether any health option was given. */
  boolean given() {
    return shell || !kinds().isEmpty() || firstTuningFlag() != null;
  }

  /** The check options given ({@code --health-cmd}, ...), in a fixed order. */
  List<String> kinds() {
    List<String> kinds = new ArrayList<>();
    if (cmd != null) {
      kinds.add("--health-cmd");
    }
    if (tcp != null) {
      kinds.add("--health-tcp");
    }
    if (http != null) {
      kinds.add("--health-http");
    }
    return kinds;
  }

  /** The first tuning option given, like {@code --health-interval}, or null. */
  String firstTuningFlag() {
    if (interval != null) {
      return "--health-interval";
    }
    if (timeout != null) {
      return "--health-timeout";
    }
    if (retries != null) {
      return "--health-retries";
    }
    if (startPeriod != null) {
      return "--health-start-period";
    }
    if (action != null) {
      return "--health-action";
    }
    return null;
  }

  /**
   * Checks how the options combine: at most one check, {@code --health-shell} with {@code
   * --health-cmd} only, a command that is not empty. Whether a check is required is the command's
   * to say.
   */
  void validate() throws ProtocolException {
    List<String> kinds = kinds();
    if (kinds.size() > 1) {
      throw ClientCommand.usage(
          "a process has one health check: give one of --health-cmd, --health-tcp and"
              + " --health-http, not "
              + String.join(" and ", kinds));
    }
    if (cmd != null && cmd.isBlank()) {
      throw ClientCommand.usage("--health-cmd is empty: give the command line that checks health");
    }
    if (shell && cmd == null) {
      throw ClientCommand.usage("--health-shell works with --health-cmd only");
    }
  }

  /**
   * The {@code health} object of the request: {@code kind}, {@code target}, {@code shell} and
   * exactly the tuning fields given, in wire units. Call {@link #validate} first, and only when a
   * check was given.
   */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    if (cmd != null) {
      json.put("kind", HealthCheck.CMD);
      json.put("target", cmd);
    } else if (tcp != null) {
      json.put("kind", HealthCheck.TCP);
      json.put("target", tcp);
    } else {
      json.put("kind", HealthCheck.HTTP);
      json.put("target", http);
    }
    json.put("shell", shell);
    putIfGiven(json, "interval_ms", interval == null ? null : interval.toMillis());
    putIfGiven(json, "timeout_ms", timeout == null ? null : timeout.toMillis());
    putIfGiven(json, "retries", retries);
    putIfGiven(json, "start_period_ms", startPeriod == null ? null : startPeriod.toMillis());
    putIfGiven(json, "action", action);
    return json;
  }

  /**
   * The options given, written back as they would be typed in sh, e.g. {@code --health-cmd 'curl
   * -f localhost' --health-retries 2}.
   */
  String flags() {
    List<String> words = new ArrayList<>();
    flag(words, "--health-cmd", cmd == null ? null : shellQuote(cmd));
    if (shell) {
      words.add("--health-shell");
    }
    flag(words, "--health-tcp", tcp == null ? null : shellQuote(tcp));
    flag(words, "--health-http", http == null ? null : shellQuote(http));
    flag(words, "--health-interval", interval == null ? null : exact(interval));
    flag(words, "--health-timeout", timeout == null ? null : exact(timeout));
    flag(words, "--health-retries", retries == null ? null : retries.toString());
    flag(words, "--health-start-period", startPeriod == null ? null : exact(startPeriod));
    flag(words, "--health-action", action);
    return String.join(" ", words);
  }

  // ---- converters: each checks one value and names what it accepts

  /** {@code HOST:PORT}; the last colon separates them, so {@code [::1]:5432} works. */
  static final class TcpConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      int colon = value.lastIndexOf(':');
      if (colon > 0 && !value.substring(0, colon).isBlank() && isPort(value.substring(colon + 1))) {
        return value;
      }
      throw new TypeConversionException(
          "'" + value + "' is not HOST:PORT: use a host and a port from 1 to 65535, like"
              + " localhost:5432");
    }

    private static boolean isPort(String text) {
      if (text.isEmpty() || text.length() > 5) {
        return false;
      }
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) < '0' || text.charAt(i) > '9') {
          return false;
        }
      }
      int port = Integer.parseInt(text);
      return port >= 1 && port <= 65535;
    }
  }

  static final class HttpConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String rest =
          value.startsWith("http://")
              ? value.substring("http://".length())
              : value.startsWith("https://") ? value.substring("https://".length()) : null;
      if (rest != null
          && !rest.isEmpty()
          && !rest.startsWith("/")
          && rest.chars().noneMatch(Character::isWhitespace)) {
        return value;
      }
      throw new TypeConversionException(
          "'" + value + "' is not an http URL: use one starting with http:// or https:// and a"
              + " host, like http://localhost:8080/health");
    }
  }

  static final class RetriesConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      boolean digits = !value.isEmpty() && value.length() <= 9;
      for (int i = 0; digits && i < value.length(); i++) {
        digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
      }
      if (digits && Integer.parseInt(value) >= 1) {
        return Integer.parseInt(value);
      }
      throw new TypeConversionException(
          "'" + value + "' is not a number of health retries: use a whole number of 1 or more");
    }
  }

  static final class ActionConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (value.equals(HealthCheck.RESTART)
          || value.equals(HealthCheck.STOP)
          || value.equals(HealthCheck.NONE)) {
        return value;
      }
      throw new TypeConversionException(
          "'" + value + "' is not a health action: use restart, stop or none");
    }
  }
}
