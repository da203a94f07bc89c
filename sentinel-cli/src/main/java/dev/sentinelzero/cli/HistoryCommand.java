package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RunRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sentinel history NAME}: the latest runs of a process or scheduled job, oldest first. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
      "Show the latest runs of a process or scheduled job, oldest first.",
      "Each row: when it started (local time) and ended, how long it ran, how it ended, and why"
          + " it started.",
      "Reasons: schedule, catch-up (a missed fire time), manual (a request), retry (its restart"
          + " policy), daemon (started with the daemon). A run that started more than a second"
          + " after its fire time shows when it was due."
    })
final class HistoryCommand extends ClientCommand {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 10_000;

  @Parameters(paramLabel = "NAME", description = "The process or job.")
  String name;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_LIMIT,
      description =
          "Show the newest N runs (default: " + DEFAULT_LIMIT + ", at most " + MAX_LIMIT + ").")
  int limit;

  HistoryCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw usage("--limit must be from 1 to " + MAX_LIMIT + ", got " + limit);
    }
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("limit", limit);
    Map<String, Object> result = request(Commands.HISTORY, args, QUICK_TIMEOUT_MS);
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    List<RunRecord> runs = ScheduleView.runs(result);
    if (runs.isEmpty()) {
      out().println("no runs of " + name + " yet");
      out().flush();
      return ExitCodes.OK;
    }
    ScheduleView.history(runs, context.clock(), out());
    return ExitCodes.OK;
  }
}
