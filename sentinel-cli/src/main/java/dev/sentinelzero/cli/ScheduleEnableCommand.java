package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sentinel schedule enable NAME}: the job fires again, from its next fire time on. */
@Command(
    name = "enable",
    mixinStandardHelpOptions = true,
    description =
        "Let a disabled job fire again, from its next fire time on (times missed while it was"
            + " disabled are not caught up).")
final class ScheduleEnableCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", description = "The job.")
  String name;

  ScheduleEnableCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> result =
        request(Commands.SCHEDULE_ENABLE, Map.of("name", name), QUICK_TIMEOUT_MS);
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    ScheduleStatus s = ScheduleView.schedule(result);
    String next = ScheduleView.nextRun(s, context.clock().getZone());
    boolean changed = !Boolean.FALSE.equals(result.get("changed"));
    out().println(
        changed ? "enabled " + s.name() + ": " + next : s.name() + " was already enabled: " + next);
    out().flush();
    return ExitCodes.OK;
  }
}
