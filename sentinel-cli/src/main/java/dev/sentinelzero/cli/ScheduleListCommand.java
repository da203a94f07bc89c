package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sentinel schedule list [NAME]}: the scheduled jobs as a table ({@link ScheduleView#table}). */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description =
        "List the scheduled jobs: trigger, next and last fire time (local), and the state of"
            + " their runs.")
final class ScheduleListCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", arity = "0..1", description = "Only this job.")
  String name;

  ScheduleListCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> args = new LinkedHashMap<>();
    if (name != null) {
      args.put("name", name);
    }
    Map<String, Object> result = request(Commands.SCHEDULE_LIST, args, QUICK_TIMEOUT_MS);
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    List<ScheduleStatus> schedules = ScheduleView.schedules(result);
    if (name != null && schedules.isEmpty()) {
      throw new ProtocolException(
          ErrorCode.NOT_FOUND, "no scheduled job named " + name + "; see: sentinel schedule list");
    }
    ScheduleView.table(schedules, context.clock().getZone(), out());
    return ExitCodes.OK;
  }
}
