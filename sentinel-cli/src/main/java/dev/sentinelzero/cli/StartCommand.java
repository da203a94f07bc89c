package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sentinel start}: defines a process and starts it, or starts one already defined.
 *
 * <p>A definition sends the process's fields ({@link ProcessOptions}, shared with {@code
 * schedule}) and {@code replace}.
 *
 * <p>The restart-policy options ({@link RestartPolicyOptions}) belong to a definition: the request
 * carries only those given, and the daemon fills in its defaults for the rest. To change the policy
 * of a process already defined there is {@code sentinel restart-policy}. The health-check options
 * ({@link HealthOptions}) likewise belong to a definition, sent as the {@code health} object with
 * the tuning fields given; {@code sentinel health} sets or removes the check of a defined process.
 * So do the resource-limit options ({@link LimitOptions}), sent as the {@code limits} object with
 * the fields given, and only when some are; {@code sentinel limits} sets or removes the limits of
 * a defined process.
 */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description =
        "Define a process (with its restart policy, health check and resource limits) and start"
            + " it, or start a defined one.",
    customSynopsis = {
      "sentinel start --name NAME --cmd COMMAND [OPTIONS]",
      "sentinel start --name NAME [OPTIONS] -- PROGRAM [ARG...]",
      "sentinel start NAME",
    },
    footer = {
      "",
      ProcessOptions.DURATIONS_HELP,
      "Restart-policy options not given take the defaults: on-failure, retries 5, delay 0s,"
          + " exponential x2 up to 5m, jitter 10%%, min uptime 5s, no cooldown. They apply to a new"
          + " definition, also with --replace; to change the policy of a defined process use"
          + " sentinel restart-policy.",
      ProcessOptions.HEALTH_HELP,
      ProcessOptions.LIMITS_HELP,
      ProcessOptions.ENV_FILE_HELP
    })
final class StartCommand extends ClientCommand {

  @Option(names = "--name", paramLabel = "NAME", description = "The process's name.")
  String name;

  @Option(names = "--replace", description = "Replace an existing definition of NAME.")
  boolean replace;

  @Mixin ProcessOptions process;

  @Parameters(
      paramLabel = "NAME | PROGRAM ARG",
      arity = "0..*",
      description = "A defined process to start, or (after --) the program and its arguments.")
  List<String> positional;

  StartCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    ProcessOptions.Words words = ProcessOptions.Words.of(positional, spec);
    List<String> beforeDashes = words.beforeDashes();
    boolean defining = name != null || words.argv() != null || replace || process.given();
    RestartPolicyOptions restartPolicy = process.restartPolicy;
    HealthOptions health = process.health;
    LimitOptions limits = process.limits;
    if (restartPolicy.given() && !defining) {
      String target = beforeDashes.size() == 1 ? beforeDashes.get(0) : "NAME";
      throw usage(
          "restart-policy options belong to a definition (sentinel start --name NAME --cmd COMMAND"
              + " ...); to change the policy of a defined process use: sentinel restart-policy"
              + " --name "
              + target
              + " "
              + restartPolicy.flags());
    }
    if (health.given() && !defining) {
      String target = beforeDashes.size() == 1 ? beforeDashes.get(0) : "NAME";
      String check = health.kinds().isEmpty() ? "(" + HealthOptions.CHECK_FLAGS + ") " : "";
      throw usage(
          "health-check options belong to a definition (sentinel start --name NAME --cmd COMMAND"
              + " ...); to set the health check of a defined process use: sentinel health --name "
              + OptionEcho.shellQuote(target)
              + " "
              + check
              + health.flags());
    }
    if (limits.given() && !defining) {
      String target = beforeDashes.size() == 1 ? beforeDashes.get(0) : "NAME";
      String limit = limits.hasLimit() ? "" : "(" + LimitOptions.LIMIT_FLAGS + ") ";
      throw usage(
          "resource-limit options belong to a definition (sentinel start --name NAME --cmd"
              + " COMMAND ...); to set the limits of a defined process use: sentinel limits --name "
              + OptionEcho.shellQuote(target)
              + " "
              + limit
              + limits.flags());
    }
    Map<String, Object> args;
    if (defining) {
      args = definition(words);
    } else {
      args = new LinkedHashMap<>();
      args.put("name", existingName(beforeDashes));
    }
    Map<String, Object> result = request(Commands.START, args, 0);
    if (global.json()) {
      printJson(result);
      return exitFor(result);
    }
    ProcessStatus process = ProcessView.process(result);
    PrintWriter out = out();
    if (process.pid() != null) {
      out.println("started " + process.name() + " (pid " + process.pid() + ")");
    } else {
      out.println(process.name() + ": " + process.state() + reason(process));
    }
    String note = RestartPolicyOptions.adjustedNote(result);
    if (note != null) {
      out.println(note);
    }
    out.flush();
    return exitFor(result);
  }

  private static String existingName(List<String> words) throws ProtocolException {
    if (words.isEmpty()) {
      throw usage(
          "give the name of a defined process (sentinel start NAME), or define one:"
              + " sentinel start --name NAME --cmd COMMAND");
    }
    if (words.size() > 1) {
      throw usage(
          "start takes one NAME; to run a program with arguments use:"
              + " sentinel start --name NAME -- PROGRAM ARG...");
    }
    return words.get(0);
  }

  private Map<String, Object> definition(ProcessOptions.Words words) throws ProtocolException {
    if (name == null) {
      throw usage(
          "give the name with --name to define a process (sentinel start --name NAME --cmd"
              + " COMMAND); sentinel start NAME alone starts a defined one");
    }
    if (!words.beforeDashes().isEmpty()) {
      throw usage(
          "unexpected argument '"
              + words.beforeDashes().get(0)
              + "': put the program and its arguments after --, as in"
              + " sentinel start --name "
              + name
              + " -- PROGRAM ARG...");
    }
    Map<String, Object> args = process.definition(name, words.argv(), context);
    args.put("replace", replace);
    return args;
  }

  /** 1 when the process ended up {@code failed} (it could not be launched), else 0. */
  static int exitFor(Map<String, Object> result) {
    Object process = result.get("process");
    boolean failed = process instanceof Map && "failed".equals(((Map<?, ?>) process).get("state"));
    return failed ? ExitCodes.FAILED : ExitCodes.OK;
  }

  static String reason(ProcessStatus process) {
    return process.reason() == null || process.reason().isEmpty() ? "" : " (" + process.reason() + ")";
  }
}
