package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sentinel status [NAME]}: the table of all processes, or the details of one. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show processes with CPU and memory; with NAME, all about one process and its restarts.")
final class StatusCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", arity = "0..1", description = "One process to show in detail.")
  String name;

  StatusCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> args = new LinkedHashMap<>();
    if (name != null) {
      args.put("name", name);
    }
    Map<String, Object> result = request(Commands.STATUS, args, QUICK_TIMEOUT_MS);
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    List<ProcessStatus> processes = ProcessView.processes(result);
    if (name == null) {
      ProcessView.table(processes, out());
    } else if (processes.isEmpty()) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "no process named " + name);
    } else {
      ProcessView.details(processes.get(0), context.clock(), out());
    }
    return ExitCodes.OK;
  }
}
