package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sentinel restart NAME}: stops the process as {@code stop} does, then starts it. */
@Command(
    name = "restart",
    mixinStandardHelpOptions = true,
    description = "Stop a process (if running) and start it again.")
final class RestartCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", description = "The process.")
  String name;

  RestartCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> result = request(Commands.RESTART, Map.of("name", name), 0);
    if (global.json()) {
      printJson(result);
      return StartCommand.exitFor(result);
    }
    ProcessStatus process = ProcessView.process(result);
    out().println(
        process.pid() != null
            ? "restarted " + process.name() + " (pid " + process.pid() + ")"
            : process.name() + ": " + process.state() + StartCommand.reason(process));
    out().flush();
    return StartCommand.exitFor(result);
  }
}
