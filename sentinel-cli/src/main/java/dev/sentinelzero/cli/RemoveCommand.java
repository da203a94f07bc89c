package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sentinel remove NAME}: forgets a definition (the daemon stops the process first). */
@Command(
    name = "remove",
    mixinStandardHelpOptions = true,
    description = "Stop a process if it runs and delete its definition.")
final class RemoveCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", description = "The process.")
  String name;

  RemoveCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> result = request(Commands.REMOVE, Map.of("name", name), 0);
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
