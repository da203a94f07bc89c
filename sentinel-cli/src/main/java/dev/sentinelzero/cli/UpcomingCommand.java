package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.FireTime;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sentinel upcoming [NAME]}: the next fire times of the enabled jobs, soonest first. */
@Command(
    name = "upcoming",
    mixinStandardHelpOptions = true,
    description = {
      "Show the next fire times of the enabled scheduled jobs, soonest first.",
      "Each line: local time, UTC, the job, and the time in the job's zone when it differs."
    })
final class UpcomingCommand extends ClientCommand {
  static final int DEFAULT_COUNT = 10;
  static final int MAX_COUNT = 1_000;

  @Parameters(paramLabel = "NAME", arity = "0..1", description = "Only this job.")
  String name;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_COUNT,
      description =
          "How many fire times to show (default: " + DEFAULT_COUNT + ", at most " + MAX_COUNT + ").")
  int count;

  UpcomingCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    if (count < 1 || count > MAX_COUNT) {
      throw usage("--count must be from 1 to " + MAX_COUNT + ", got " + count);
    }
    Map<String, Object> args = new LinkedHashMap<>();
    if (name != null) {
      args.put("name", name);
    }
    args.put("count", count);
    Map<String, Object> result = request(Commands.UPCOMING, args, QUICK_TIMEOUT_MS);
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    List<FireTime> fires = ScheduleView.fires(result);
    if (fires.isEmpty()) {
      out().println(
          name == null
              ? "no upcoming runs: no enabled job has a next fire time; see: sentinel schedule list"
              : "no upcoming runs of "
                  + name
                  + " (disabled, a one-time job that has run, or @reboot); see: sentinel schedule"
                  + " list "
                  + OptionEcho.shellQuote(name));
      out().flush();
      return ExitCodes.OK;
    }
    ScheduleView.upcoming(fires, context.clock().getZone(), out());
    return ExitCodes.OK;
  }
}
