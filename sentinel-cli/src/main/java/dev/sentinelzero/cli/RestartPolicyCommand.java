package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sentinel restart-policy --name NAME [OPTIONS]}: changes fields of a defined process's
 * restart policy and prints the whole policy as it now is. Only the options given are sent; the
 * daemon keeps the other fields.
 */
@Command(
    name = "restart-policy",
    mixinStandardHelpOptions = true,
    description =
        "Change when and how fast a defined process is started again after it ends by itself.",
    customSynopsis = "sentinel restart-policy --name NAME OPTION [OPTION...]",
    footer = {
      "",
      "Give at least one restart-policy option; the others keep their values. A --delay longer"
          + " than the current --max-delay, without --max-delay, raises --max-delay with it.",
      "Durations: 250ms, 5s, 10m, 5h, 1d, or several like 1h30m.",
      "Example: sentinel restart-policy --name web --restart always --retries unlimited"
    })
final class RestartPolicyCommand extends ClientCommand {
  @Option(
      names = "--name",
      required = true,
      paramLabel = "NAME",
      description = "The defined process whose policy changes.")
  String name;

  @Mixin RestartPolicyOptions restartPolicy;

  RestartPolicyCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    if (!restartPolicy.given()) {
      throw usage(
          "give at least one restart-policy option to change, e.g. --restart always or --retries 5"
              + " (see: sentinel restart-policy --help)");
    }
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("restart", restartPolicy.toJson());
    Map<String, Object> result;
    try {
      result = request(Commands.RESTART_POLICY, args, QUICK_TIMEOUT_MS);
    } catch (ProtocolException e) {
      throw restartPolicy.inFlags(e, name);
    }
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    ProcessStatus process = ProcessView.process(result);
    String unchanged = Boolean.FALSE.equals(result.get("changed")) ? " (unchanged)" : "";
    out().println(
        "restart policy of "
            + process.name()
            + unchanged
            + ": "
            + ProcessView.policy(process.spec().restart()));
    String note = RestartPolicyOptions.adjustedNote(result);
    if (note != null) {
      out().println(note);
    }
    out().flush();
    return ExitCodes.OK;
  }
}
