package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sentinel schedule remove NAME}: stops its runs and deletes the job and its process. */
@Command(
    name = "remove",
    mixinStandardHelpOptions = true,
    description = "Stop a job's runs and delete the job (and its process). Its log files stay.")
final class ScheduleRemoveCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", description = "The job.")
  String name;

  ScheduleRemoveCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    // No timeout: stopping a run waits up to its stop timeout.
    Map<String, Object> result = request(Commands.SCHEDULE_REMOVE, Map.of("name", name), 0);
    if (global.json()) {
      printJson(result);
    } else {
      Object removed = result.get("removed");
      out().println("removed " + (removed instanceof String ? removed : name));
      out().flush();
    }
    return ExitCodes.OK;
  }
}
