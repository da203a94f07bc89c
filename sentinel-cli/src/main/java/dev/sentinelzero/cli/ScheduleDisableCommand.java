package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sentinel schedule disable NAME}: the job stops firing; a run in progress goes on. */
@Command(
    name = "disable",
    mixinStandardHelpOptions = true,
    description =
        "Stop a job from firing until it is enabled again; a run in progress goes on (sentinel"
            + " stop NAME ends it).")
final class ScheduleDisableCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", description = "The job.")
  String name;

  ScheduleDisableCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> result =
        request(Commands.SCHEDULE_DISABLE, Map.of("name", name), QUICK_TIMEOUT_MS);
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    ScheduleStatus s = ScheduleView.schedule(result);
    boolean changed = !Boolean.FALSE.equals(result.get("changed"));
    String line = changed ? "disabled " + s.name() : s.name() + " was already disabled";
    if (s.process() != null && s.process().pid() != null) {
      line += "; its current run (pid " + s.process().pid() + ") goes on";
    }
    out().println(line);
    out().flush();
    return ExitCodes.OK;
  }
}
