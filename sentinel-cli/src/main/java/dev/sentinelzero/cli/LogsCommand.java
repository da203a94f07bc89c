package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.LogLine;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Response;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sentinel logs NAME}: the last lines of a process's output, and with {@code --follow} the
 * new ones as they come, until ctrl-C or the daemon stops.
 *
 * <p>As text, stdout lines go to stdout and stderr lines to stderr, so that {@code 2>/dev/null}
 * keeps one stream. With {@code --json}, every line is one compact JSON object on stdout.
 */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = "Show a process's output; --follow keeps printing new lines.")
final class LogsCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", description = "The process.")
  String name;

  @Option(
      names = "--tail",
      paramLabel = "N",
      defaultValue = "20",
      description = "How many past lines of each stream to show (default: 20).")
  int tail;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines until interrupted.")
  boolean follow;

  @Option(names = "--stdout", description = "Only the standard output.")
  boolean stdoutOnly;

  @Option(names = "--stderr", description = "Only the standard error.")
  boolean stderrOnly;

  LogsCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    if (tail < 0) {
      throw usage("--tail must be 0 or more, got " + tail);
    }
    if (stdoutOnly && stderrOnly) {
      throw usage("give --stdout or --stderr, not both (neither shows both streams)");
    }
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("tail", tail);
    args.put("follow", follow);
    if (stdoutOnly || stderrOnly) {
      args.put("stream", stdoutOnly ? LogLine.STDOUT : LogLine.STDERR);
    }
    if (follow) {
      try (DaemonClient client = connector().connect()) {
        client.stream(Commands.LOGS, args, new Printer());
      }
      return ExitCodes.OK;
    }
    Map<String, Object> result = request(Commands.LOGS, args, QUICK_TIMEOUT_MS);
    Object lines = result.get("lines");
    if (!(lines instanceof List)) {
      throw new ProtocolException(ErrorCode.INTERNAL, "the daemon's answer has no \"lines\" array");
    }
    Printer printer = new Printer();
    for (Object line : (List<?>) lines) {
      if (line instanceof Map) {
        printer.print(asMap(line));
      }
    }
    return ExitCodes.OK;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    return (Map<String, Object>) value;
  }

  /** Prints lines as they arrive, flushing each so that a follower sees them at once. */
  private final class Printer implements DaemonClient.EventSink {
    private final PrintWriter out = out();
    private final PrintWriter err = err();
    private final boolean json = global.json();

    @Override
    public void accept(Response.Event event) throws ProtocolException {
      if (LogLine.EVENT.equals(event.event())) {
        print(event.data());
      }
    }

    void print(Map<String, Object> data) throws ProtocolException {
      if (json) {
        out.println(Json.write(data));
        out.flush();
        return;
      }
      LogLine line = LogLine.fromJson(data);
      PrintWriter to = LogLine.STDERR.equals(line.stream()) ? err : out;
      to.println(line.text());
      to.flush();
    }
  }
}
