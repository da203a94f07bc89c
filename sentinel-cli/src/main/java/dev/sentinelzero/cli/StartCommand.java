package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ExitInfo;
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
 *
 * <p>A start waits, daemon-side, up to {@link #WINDOW_MS} to see the new run stay up ({@code
 * wait_ms}), as supervisord's {@code startsecs} does (its default is 1 s too): a program that ends
 * within it (a typo in its arguments, a missing file) is reported with how it ended and where its
 * output is, and exits 1; one that ran and exited with a success code its restart mode leaves
 * alone (a one-shot) is not a failure. {@code --no-wait} answers as soon as it is spawned.
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
      "It waits up to 1s to see the process stay up: one that ends within that second (an error in"
          + " its command, a missing file) is reported with how it ended and exits 1; see its output"
          + " with sentinel logs NAME. --no-wait returns as soon as it is spawned. A process that is"
          + " already running is left alone (exit 0); one in backoff or failed is started now, with"
          + " fresh counts; one being stopped is started once the stop is done.",
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

  /** How long a start waits to see the new run stay up (supervisord's default startsecs). */
  static final long WINDOW_MS = 1000;

  @Option(
      names = {"--no-wait", "--detach"},
      description =
          "Return as soon as the process is spawned, without waiting 1s to see it stay up.")
  boolean noWait;

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
    if (!noWait) {
      args.put("wait_ms", WINDOW_MS);
    }
    Map<String, Object> result = request(Commands.START, args, 0);
    ProcessStatus process = ProcessView.process(result);
    String early = earlyFailure(result, process);
    int exit = early != null ? ExitCodes.FAILED : exitFor(result);
    if (global.json()) {
      printJson(result);
      return exit;
    }
    if (early != null) {
      throw new ProtocolException(ErrorCode.LAUNCH_FAILED, early);
    }
    PrintWriter out = out();
    ExitInfo ended = earlyExit(result);
    if (Boolean.FALSE.equals(result.get("changed"))) {
      out.println(
          process.name()
              + " is already running"
              + (process.pid() == null ? "" : " (pid " + process.pid() + ")"));
    } else if (ended != null) {
      out.println(process.name() + " ran and " + ended.message() + " (" + process.state() + ")");
    } else if (process.pid() != null) {
      out.println("started " + process.name() + " (pid " + process.pid() + ")");
    } else {
      out.println(process.name() + ": " + process.state() + reason(process));
    }
    String note = RestartPolicyOptions.adjustedNote(result);
    if (note != null) {
      out.println(note);
    }
    out.flush();
    return exit;
  }

  /** How the run the start waited on ended within the window ({@code early_exit}), or null. */
  @SuppressWarnings("unchecked")
  private static ExitInfo earlyExit(Map<String, Object> result) throws ProtocolException {
    Object early = result.get("early_exit");
    if (!(early instanceof Map) || !(((Map<?, ?>) early).get("exit") instanceof Map)) {
      return null;
    }
    return ExitInfo.fromJson((Map<String, Object>) ((Map<?, ?>) early).get("exit"));
  }

  /**
   * The error line when the new run ended within the window, unless it ran and exited with a
   * success code that its restart mode leaves alone (state {@code exited}: a one-shot did its
   * work); null when it stayed up. Says how it ended, what the daemon did then (restarted it,
   * backs off, gave up), and where its output is.
   */
  static String earlyFailure(Map<String, Object> result, ProcessStatus process) throws ProtocolException {
    ExitInfo ended = earlyExit(result);
    if (ended == null || "exited".equals(process.state())) {
      return null;
    }
    Object ran = ((Map<?, ?>) result.get("early_exit")).get("ran_ms");
    String how = ExitInfo.KILLED.equals(ended.kind()) ? "was " + ended.message() : ended.message();
    return process.name()
        + " "
        + how
        + " within "
        + Units.exactDuration(WINDOW_MS)
        + " of starting"
        + (ran instanceof Number ? " (after " + Units.exactDuration(((Number) ran).longValue()) + ")" : "")
        + ", now "
        + process.state()
        + reason(process)
        + "; see its output: sentinel logs "
        + OptionEcho.shellQuote(process.name());
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
