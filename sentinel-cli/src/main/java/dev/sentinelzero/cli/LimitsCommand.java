package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sentinel limits --name NAME LIMIT [OPTION...] | --none}: sets (or replaces) the resource
 * limits of a defined process, or removes them, and prints the limits as they now are. Limits are
 * sent whole: the limits given and the tuning options given; the daemon applies its defaults to
 * the tuning options not given.
 */
@Command(
    name = "limits",
    mixinStandardHelpOptions = true,
    description = "Set, replace or remove the resource limits of a defined process.",
    customSynopsis = {
      "sentinel limits --name NAME LIMIT [OPTION...]",
      "sentinel limits --name NAME --none",
    },
    footer = {
      "",
      "LIMIT is --max-memory SIZE, --max-cpu PERCENT or both; --limit-for and --limit-action"
          + " tune them.",
      "The limits are replaced whole: a limit not given is removed, tuning options not given take"
          + " the defaults (limit for 30s, action restart).",
      "Sizes: a number of bytes, or one with K, M, G or T (powers of 1024), like 512M, 2G, 1.5G"
          + " or 1536K; at least 1M. CPU: percent of one core, so 250 is 2.5 cores.",
      "Durations: 250ms, 5s, 10m, 5h, 1d, or several like 1h30m.",
      "Example: sentinel limits --name web --max-memory 512M --max-cpu 150 --limit-for 1m"
    })
final class LimitsCommand extends ClientCommand {
  @Option(
      names = "--name",
      required = true,
      paramLabel = "NAME",
      description = "The defined process whose limits change.")
  String name;

  @Option(names = "--none", description = "Remove the resource limits.")
  boolean none;

  @Mixin LimitOptions limits;

  LimitsCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    if (none) {
      if (limits.given()) {
        throw usage(
            "--none removes the resource limits: give it alone, or limits to set without --none");
      }
      args.put("limits", null);
    } else {
      if (!limits.hasLimit()) {
        throw usage(
            "give the limits to set, with "
                + LimitOptions.LIMIT_FLAGS
                + ", or --none to remove them (see: sentinel limits --help)");
      }
      args.put("limits", limits.toJson());
    }
    return sendSetting(
        Commands.LIMITS, args, "limits", spec -> spec.limits() == null ? null : ProcessView.limits(spec.limits()));
  }
}
