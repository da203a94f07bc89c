package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sentinel start}: defines a process and starts it, or starts one already defined.
 *
 * <p>A definition sends the {@link ProcessSpec} fields and {@code replace}. The CLI fills in what
 * only it knows: the working directory (absolute: {@code --cwd} resolved against the CLI's own,
 * default the CLI's own) and its {@code PATH}, so that the program is found as the user's shell
 * would find it.
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
      "Durations: 250ms, 5s, 10m, 5h, 1d, or several like 1h30m.",
      "Restart-policy options not given take the defaults: on-failure, retries 5, delay 0s,"
          + " exponential x2 up to 5m, jitter 10%%, min uptime 5s, no cooldown. They apply to a new"
          + " definition, also with --replace; to change the policy of a defined process use"
          + " sentinel restart-policy.",
      "A health check is one of --health-cmd, --health-tcp and --health-http; the other health"
          + " options tune it. To set or remove the check of a defined process use sentinel health.",
      "Resource limits are --max-memory, --max-cpu or both; --limit-for and --limit-action tune"
          + " them (defaults: 30s, restart). Sizes: 512M, 2G, 1.5G or bytes, powers of 1024, at least 1M."
          + " To set or remove the limits of a defined process use sentinel limits.",
      "An env file has KEY=VALUE lines; blank lines, # comments, a leading 'export ' and quotes"
          + " around the value are allowed. --env overrides --env-file."
    })
final class StartCommand extends ClientCommand {

  @Option(names = "--name", paramLabel = "NAME", description = "The process's name.")
  String name;

  @Option(
      names = "--cmd",
      paramLabel = "COMMAND",
      description = "The command line, split into words by the daemon (quotes work as in sh).")
  String cmd;

  @Option(
      names = "--shell",
      description = "Run COMMAND with /bin/sh -c (for pipes, redirections, variables).")
  boolean shell;

  @Option(
      names = "--cwd",
      paramLabel = "DIR",
      description = "The working directory (default: the current one).")
  String cwd;

  @Option(
      names = "--env",
      paramLabel = "KEY=VALUE",
      description = "Set an environment variable; repeatable.")
  List<String> env;

  @Option(
      names = "--env-file",
      paramLabel = "FILE",
      description = "Read environment variables from FILE; repeatable, later files win.")
  List<String> envFiles;

  @Option(names = "--replace", description = "Replace an existing definition of NAME.")
  boolean replace;

  @Option(
      names = "--stop-signal",
      paramLabel = "SIGNAL",
      description = "The signal stop sends first, e.g. INT (default: TERM).")
  String stopSignal;

  @Option(
      names = "--stop-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long stop waits before SIGKILL (default: 10s).")
  Duration stopTimeout;

  @Mixin RestartPolicyOptions restartPolicy;

  @Mixin HealthOptions health;

  @Mixin LimitOptions limits;

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
    List<String> words = positional == null ? List.of() : positional;
    List<String> original = spec.commandLine().getParseResult().originalArgs();
    int dashes = original.indexOf("--");
    int argvCount = dashes < 0 ? 0 : original.size() - dashes - 1;
    List<String> beforeDashes = words.subList(0, words.size() - argvCount);
    List<String> argv = words.subList(words.size() - argvCount, words.size());
    boolean defining =
        name != null
            || cmd != null
            || dashes >= 0
            || shell
            || cwd != null
            || env != null
            || envFiles != null
            || replace
            || stopSignal != null
            || stopTimeout != null;
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
      args = definition(beforeDashes, dashes >= 0, argv);
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

  private Map<String, Object> definition(List<String> beforeDashes, boolean dashes, List<String> argv)
      throws ProtocolException {
    if (name == null) {
      throw usage(
          "give the name with --name to define a process (sentinel start --name NAME --cmd"
              + " COMMAND); sentinel start NAME alone starts a defined one");
    }
    if (!beforeDashes.isEmpty()) {
      throw usage(
          "unexpected argument '"
              + beforeDashes.get(0)
              + "': put the program and its arguments after --, as in"
              + " sentinel start --name "
              + name
              + " -- PROGRAM ARG...");
    }
    if (cmd != null && dashes) {
      throw usage("give the command either with --cmd or after --, not both");
    }
    if (cmd == null && !dashes) {
      throw usage("give the command to run: --cmd \"COMMAND LINE\" or -- PROGRAM ARG...");
    }
    if (dashes && argv.isEmpty()) {
      throw usage("nothing follows --: give the program to run and its arguments");
    }
    if (cmd != null && cmd.isBlank()) {
      throw usage("--cmd is empty: give the command line to run");
    }
    if (shell && cmd == null) {
      throw usage(
          "--shell works with --cmd only: the -- PROGRAM ARG... form runs the program without a"
              + " shell");
    }
    long stopTimeoutMs =
        stopTimeout == null ? ProcessSpec.DEFAULT_STOP_TIMEOUT_MS : stopTimeout.toMillis();
    if (stopTimeoutMs > ProcessSpec.MAX_STOP_TIMEOUT_MS) {
      throw usage(
          "--stop-timeout "
              + Units.exactDuration(stopTimeoutMs)
              + " is too long: at most "
              + Units.exactDuration(ProcessSpec.MAX_STOP_TIMEOUT_MS));
    }
    ProcessSpec spec =
        new ProcessSpec(
            name,
            cmd,
            dashes ? argv : null,
            shell,
            context.cwd().resolve(cwd == null ? "" : cwd).normalize().toString(),
            environment(),
            context.env().get("PATH"),
            signal(),
            stopTimeoutMs);
    Map<String, Object> args = spec.toJson();
    // Only the policy fields given: the daemon applies its defaults to the others.
    args.remove("restart");
    if (restartPolicy.given()) {
      args.put("restart", restartPolicy.toJson());
    }
    // Likewise only the health-check fields given, and no health object without a check.
    args.remove("health");
    if (health.given()) {
      health.validate();
      if (health.kinds().isEmpty()) {
        throw usage(
            health.firstTuningFlag()
                + " tunes a health check: give the check too, with "
                + HealthOptions.CHECK_FLAGS);
      }
      args.put("health", health.toJson());
    }
    // Only the limit fields given, and no limits object without a limit.
    args.remove("limits");
    if (limits.given()) {
      if (!limits.hasLimit()) {
        throw usage(
            limits.firstTuningFlag()
                + " tunes resource limits: give a limit too, with "
                + LimitOptions.LIMIT_FLAGS);
      }
      args.put("limits", limits.toJson());
    }
    args.put("replace", replace);
    return args;
  }

  /** {@code --env-file}s in order, then {@code --env}s, later ones overriding earlier ones. */
  private Map<String, String> environment() throws ProtocolException {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      if (envFiles != null) {
        for (String file : envFiles) {
          EnvFile.read(context.cwd().resolve(file), out);
        }
      }
      if (env != null) {
        for (String assignment : env) {
          EnvFile.parseAssignment(assignment, out);
        }
      }
    } catch (EnvFile.Malformed e) {
      throw usage(e.getMessage());
    }
    return out;
  }

  /** {@code --stop-signal} as the daemon names signals: upper case, without {@code SIG}. */
  private String signal() throws ProtocolException {
    if (stopSignal == null) {
      return ProcessSpec.DEFAULT_STOP_SIGNAL;
    }
    String signal = stopSignal.strip().toUpperCase(Locale.ROOT);
    if (signal.startsWith("SIG")) {
      signal = signal.substring(3);
    }
    if (signal.isEmpty()) {
      throw usage("--stop-signal is empty: give a signal name such as TERM, INT or HUP");
    }
    return signal;
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
