package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.EventRecord;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Response;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code sentinel events}: the daemon's transaction log (what happened to the processes, and who
 * asked for what), and with {@code --follow} the new entries as they come, until ctrl-C or the
 * daemon stops.
 *
 * <p>As text, one line per event: the local time to the millisecond, the process (or {@code -}),
 * the kind and the message. With {@code --json}, the daemon's result as indented JSON, or while
 * following one compact JSON object per event and line.
 */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description = {
      "Show the daemon's log of state changes and requests.",
      "Each line: local time, process (or -), kind (a state, request or daemon), message."
          + " With --follow, the matching recent events and then new ones as they happen.",
    },
    footer = {
      "",
      "TIME is an instant (2026-11-27T10:00:00Z), a local date-time (2026-11-27T10:00 or"
          + " \"2026-11-27 10:00\"), a local date (2026-11-27, from midnight), or a duration ago"
          + " (10m, 1h30m, 2d)."
    })
final class EventsCommand extends ClientCommand {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 10_000;

  static final String SINCE_FORMS =
      "use an instant (2026-11-27T10:00:00Z), a local date-time (2026-11-27T10:00 or 2026-11-27"
          + " 10:00), a local date (2026-11-27) or a duration ago (10m, 1h30m, 2d)";

  /** How long a request summary of a request event may grow before it is cut. */
  private static final int MAX_SUMMARY = 80;

  @Option(names = "--name", paramLabel = "NAME", description = "Only the events of this process.")
  String name;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description = "Only events from TIME on (see below).")
  String since;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_LIMIT,
      description =
          "Show the newest N matching events, oldest first (default: "
              + DEFAULT_LIMIT
              + ", at most "
              + MAX_LIMIT
              + ").")
  int limit;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new events until interrupted.")
  boolean follow;

  EventsCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    if (name != null && name.isBlank()) {
      throw usage("--name is empty");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw usage("--limit must be from 1 to " + MAX_LIMIT + ", got " + limit);
    }
    Map<String, Object> args = new LinkedHashMap<>();
    if (name != null) {
      args.put("name", name);
    }
    if (since != null) {
      try {
        args.put("since", since(since, context.clock()).toString());
      } catch (TypeConversionException e) {
        throw usage("--since " + e.getMessage());
      }
    }
    args.put("limit", limit);
    args.put("follow", follow);
    Printer printer = new Printer();
    if (follow) {
      try (DaemonClient client = connector().connect()) {
        client.stream(Commands.EVENTS, args, printer);
      }
      return ExitCodes.OK;
    }
    Map<String, Object> result = request(Commands.EVENTS, args, QUICK_TIMEOUT_MS);
    Object events = result.get("events");
    if (!(events instanceof List)) {
      throw new ProtocolException(
          ErrorCode.INTERNAL,
          "the daemon's answer has no \"events\" array; are the CLI and daemon the same version?");
    }
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    if (((List<?>) events).isEmpty()) {
      PrintWriter out = out();
      out.println("no events");
      out.flush();
      return ExitCodes.OK;
    }
    for (Object event : (List<?>) events) {
      if (!(event instanceof Map)) {
        throw new ProtocolException(
            ErrorCode.INTERNAL, "the daemon's answer has an event that is not an object");
      }
      printer.print(asMap(event));
    }
    return ExitCodes.OK;
  }

  /**
   * Reads {@code --since}: an instant ({@code 2026-11-27T10:00:00Z}, or with an offset), a local
   * date-time ({@code 2026-11-27T10:00}, {@code 2026-11-27 10:00}, seconds optional) or date
   * ({@code 2026-11-27}, its midnight) in the clock's zone, or a {@link DurationConverter}
   * duration before the clock's now ({@code 10m}). The result is cut to whole milliseconds.
   *
   * @throws TypeConversionException quoting the text and listing the accepted forms
   */
  static Instant since(String text, Clock clock) {
    String iso = text.strip();
    if (iso.length() > 10 && iso.charAt(10) == ' ') {
      iso = iso.substring(0, 10) + 'T' + iso.substring(11);
    }
    ZoneId zone = clock.getZone();
    Instant at = null;
    if (iso.length() >= 10 && isDigit(iso.charAt(0))) {
      at = dateTime(iso, zone);
    }
    if (at == null && !iso.isEmpty() && isDigit(iso.charAt(0))) {
      try {
        at = clock.instant().minus(DurationConverter.parse(iso));
      } catch (TypeConversionException | ArithmeticException | DateTimeException e) {
        at = null;
      }
    }
    if (at == null) {
      throw new TypeConversionException("'" + text + "' is not a time: " + SINCE_FORMS);
    }
    return at.truncatedTo(ChronoUnit.MILLIS);
  }

  /** An instant, local date-time or local date, or null when it is none of them. */
  private static Instant dateTime(String iso, ZoneId zone) {
    try {
      if (iso.length() == 10) {
        return LocalDate.parse(iso).atStartOfDay(zone).toInstant();
      }
      char last = iso.charAt(iso.length() - 1);
      boolean offset =
          last == 'Z' || last == 'z' || iso.indexOf('+', 10) > 0 || iso.indexOf('-', 10) > 0;
      if (offset) {
        return OffsetDateTime.parse(iso).toInstant();
      }
      return LocalDateTime.parse(iso).atZone(zone).toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /**
   * One event as a line of text: {@code 2026-11-27 10:04:05.123  web  failed  gave up: ...}, the
   * time in {@code zone}. A request without a message reads like {@code alice (pid 1234): stop
   * web -> ok}. Line breaks in the message become spaces, so each event stays on one line.
   */
  static String line(EventRecord event, ZoneId zone) {
    StringBuilder line = new StringBuilder(localTime(event.at(), zone));
    line.append("  ").append(blankToDash(event.name()));
    line.append("  ").append(blankToDash(event.kind()));
    String message = event.message();
    if ((message == null || message.isBlank()) && "request".equals(event.kind())) {
      message = requestSummary(event.data());
    }
    if (message != null && !message.isBlank()) {
      line.append("  ").append(oneLine(message));
    }
    return line.toString();
  }

  /** {@code 2026-11-27 10:04:05.123} in {@code zone}, without DateTimeFormatter (start-up time). */
  static String localTime(Instant at, ZoneId zone) {
    LocalDateTime local = LocalDateTime.ofInstant(at, zone);
    int ms = local.getNano() / 1_000_000;
    return local.toLocalDate()
        + " "
        + Units.twoDigits(local.getHour())
        + ":"
        + Units.twoDigits(local.getMinute())
        + ":"
        + Units.twoDigits(local.getSecond())
        + "."
        + (ms < 10 ? "00" : ms < 100 ? "0" : "")
        + ms;
  }

  /**
   * {@code <user> (pid <pid>): <command> <target> -> <outcome>}, the pid being the client's, the
   * target the process name when the request names one, else its arguments as {@code key=value}
   * (the daemon has already replaced secret values with {@code ***}); parts the daemon did not
   * send are left out.
   */
  static String requestSummary(Map<String, Object> data) {
    StringBuilder s = new StringBuilder();
    Object user = data.get("user");
    Object pid = data.get("pid");
    if (user != null && !String.valueOf(user).isEmpty()) {
      s.append(user);
      if (pid instanceof Number) {
        s.append(" (pid ").append(pid).append(')');
      }
      s.append(": ");
    }
    Object command = data.get("command");
    s.append(command == null ? "?" : String.valueOf(command));
    String target = target(data.get("args"));
    if (!target.isEmpty()) {
      s.append(' ').append(target);
    }
    Object outcome = data.get("outcome");
    if (outcome != null) {
      s.append(" -> ").append(outcome instanceof String ? outcome : Json.write(outcome));
    }
    return s.toString();
  }

  private static String target(Object args) {
    if (!(args instanceof Map)) {
      return "";
    }
    Map<?, ?> map = (Map<?, ?>) args;
    Object name = map.get("name");
    if (name instanceof String && !((String) name).isEmpty()) {
      return (String) name;
    }
    StringBuilder s = new StringBuilder();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (entry.getValue() == null) {
        continue;
      }
      if (s.length() > 0) {
        s.append(' ');
      }
      Object value = entry.getValue();
      s.append(entry.getKey())
          .append('=')
          .append(value instanceof String ? value : Json.write(value));
    }
    if (s.length() > MAX_SUMMARY) {
      s.setLength(MAX_SUMMARY - 3);
      s.append("...");
    }
    return s.toString();
  }

  private static String blankToDash(String value) {
    return value == null || value.isBlank() ? "-" : oneLine(value);
  }

  private static String oneLine(String text) {
    return text.strip().replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    return (Map<String, Object>) value;
  }

  /** Prints events as they arrive, flushing each so that a follower sees them at once. */
  private final class Printer implements DaemonClient.EventSink {
    private final PrintWriter out = out();
    private final boolean json = global.json();
    private final ZoneId zone = context.clock().getZone();

    @Override
    public void accept(Response.Event event) throws ProtocolException {
      if (EventRecord.STREAM_EVENT.equals(event.event()) && event.data() != null) {
        print(event.data());
      }
    }

    void print(Map<String, Object> data) throws ProtocolException {
      if (json) {
        out.println(Json.write(data));
      } else {
        EventRecord event;
        try {
          event = EventRecord.fromJson(data);
        } catch (DateTimeException e) {
          throw new ProtocolException(
              ErrorCode.INTERNAL,
              "the daemon sent an event with a malformed time: " + data.get("at"));
        }
        out.println(line(event, zone));
      }
      out.flush();
    }
  }
}
