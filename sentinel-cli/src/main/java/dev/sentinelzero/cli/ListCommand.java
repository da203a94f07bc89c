package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code sentinel list}: every process, without resource figures (cheaper than status). */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the defined processes and their states.")
final class ListCommand extends ClientCommand {
  ListCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> result = request(Commands.LIST, Map.of(), QUICK_TIMEOUT_MS);
    if (global.json()) {
      printJson(result);
    } else {
      ProcessView.table(ProcessView.processes(result), out());
    }
    return ExitCodes.OK;
  }
}
