package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sentinel stop NAME}: returns once the process's whole group is gone. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = "Stop a process: its stop signal, then SIGKILL after its stop timeout.")
final class StopCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", description = "The process.")
  String name;

  StopCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> result = request(Commands.STOP, Map.of("name", name), 0);
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    ProcessStatus process = ProcessView.process(result);
    String exit = ProcessView.shortExit(process.lastExit());
    out().println("stopped " + process.name() + (exit.equals("-") ? "" : " (" + exit + ")"));
    out().flush();
    return ExitCodes.OK;
  }
}
