package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProtocolException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options that describe a process, mixed into {@code start} and {@code schedule}: its command
 * ({@code --cmd} or {@code -- PROGRAM ARG...}), directory, environment, how it is stopped, and the
 * restart-policy, health-check and resource-limit options. {@code --name} and {@code --replace}
 * stay with each command, whose help says what they mean there.
 *
 * <p>{@link #definition} turns them into the {@link ProcessSpec} fields of a request, filling in
 * what only the CLI knows: the working directory made absolute against the CLI's own, and the
 * CLI's {@code PATH}, so that the program is found as the user's shell would find it. The
 * restart, health and limits objects carry only the options given; the daemon fills in the rest.
 */
final class ProcessOptions {
  static final String DURATIONS_HELP = "Durations: 250ms, 5s, 10m, 5h, 1d, or several like 1h30m.";
  static final String HEALTH_HELP =
      "A health check is one of --health-cmd, --health-tcp and --health-http; the other health"
          + " options tune it. To set or remove the check of a defined process use sentinel health.";
  static final String LIMITS_HELP =
      "Resource limits are --max-memory, --max-cpu or both; --limit-for and --limit-action tune"
          + " them (defaults: 30s, restart). Sizes: 512M, 2G, 1.5G or bytes, powers of 1024, at least 1M."
          + " To set or remove the limits of a defined process use sentinel limits.";
  static final String ENV_FILE_HELP =
      "An env file has KEY=VALUE lines; blank lines, # comments, a leading 'export ' and quotes"
          + " around the value are allowed. --env overrides --env-file.";

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

  /**
   * The positional words of a command line split at {@code --}.
   *
   * @param beforeDashes the words before {@code --} (or all of them, without one)
   * @param argv the program and its arguments after {@code --}, or null when there is no {@code
   *     --} (empty when nothing follows it)
   */
  record Words(List<String> beforeDashes, List<String> argv) {
    /** Splits a command's positional words by where {@code --} stood in its original arguments. */
    static Words of(List<String> positional, CommandSpec spec) {
      List<String> words = positional == null ? List.of() : positional;
      List<String> original = spec.commandLine().getParseResult().originalArgs();
      int dashes = original.indexOf("--");
      if (dashes < 0) {
        return new Words(words, null);
      }
      int argvCount = original.size() - dashes - 1;
      return new Words(
          words.subList(0, words.size() - argvCount),
          words.subList(words.size() - argvCount, words.size()));
    }
  }

  /**
   * Whether an option of the process itself was given ({@code --cmd}, {@code --cwd}, ...); the
   * restart-policy, health and limit options are asked separately.
   */
  boolean given() {
    return cmd != null
        || shell
        || cwd != null
        || env != null
        || envFiles != null
        || stopSignal != null
        || stopTimeout != null;
  }

  /**
   * The definition's fields for a request, as {@link ProcessSpec#toJson} names them, with only the
   * restart-policy, health and limit fields given (and no {@code restart}, {@code health} or {@code
   * limits} key when none was given).
   *
   * @param argv the words after {@code --}, or null when there was no {@code --}
   * @throws ProtocolException (invalid_argument, exit 2) when the options do not make a definition
   */
  Map<String, Object> definition(String name, List<String> argv, Context context)
      throws ProtocolException {
    boolean dashes = argv != null;
    if (cmd != null && dashes) {
      throw ClientCommand.usage("give the command either with --cmd or after --, not both");
    }
    if (cmd == null && !dashes) {
      throw ClientCommand.usage(
          "give the command to run: --cmd \"COMMAND LINE\" or -- PROGRAM ARG...");
    }
    if (dashes && argv.isEmpty()) {
      throw ClientCommand.usage("nothing follows --: give the program to run and its arguments");
    }
    if (cmd != null && cmd.isBlank()) {
      throw ClientCommand.usage("--cmd is empty: give the command line to run");
    }
    if (shell && cmd == null) {
      throw ClientCommand.usage(
          "--shell works with --cmd only: the -- PROGRAM ARG... form runs the program without a"
              + " shell");
    }
    long stopTimeoutMs =
        stopTimeout == null ? ProcessSpec.DEFAULT_STOP_TIMEOUT_MS : stopTimeout.toMillis();
    if (stopTimeoutMs > ProcessSpec.MAX_STOP_TIMEOUT_MS) {
      throw ClientCommand.usage(
          "--stop-timeout "
              + Units.exactDuration(stopTimeoutMs)
              + " is too long: at most "
              + Units.exactDuration(ProcessSpec.MAX_STOP_TIMEOUT_MS));
    }
    ProcessSpec spec =
        new ProcessSpec(
            name,
            cmd,
            argv,
            shell,
            context.cwd().resolve(cwd == null ? "" : cwd).normalize().toString(),
            environment(context),
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
        throw ClientCommand.usage(
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
        throw ClientCommand.usage(
            limits.firstTuningFlag()
                + " tunes resource limits: give a limit too, with "
                + LimitOptions.LIMIT_FLAGS);
      }
      args.put("limits", limits.toJson());
    }
    return args;
  }

  /** {@code --env-file}s in order, then {@code --env}s, later ones overriding earlier ones. */
  private Map<String, String> environment(Context context) throws ProtocolException {
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
      throw ClientCommand.usage(e.getMessage());
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
      throw ClientCommand.usage("--stop-signal is empty: give a signal name such as TERM, INT or HUP");
    }
    return signal;
  }
}
