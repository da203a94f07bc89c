package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sentinel health --name NAME CHECK [OPTION...] | --none}: sets (or replaces) the health
 * check of a defined process, or removes it, and prints the check as it now is. A check is sent
 * whole: its kind and target, and the tuning options given; the daemon applies its defaults to the
 * tuning options not given.
 */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description = "Set, replace or remove the health check of a defined process.",
    customSynopsis = {
      "sentinel health --name NAME CHECK [OPTION...]",
      "sentinel health --name NAME --none",
    },
    footer = {
      "",
      "CHECK is one of --health-cmd COMMAND, --health-tcp HOST:PORT and --health-http URL; the"
          + " other health options tune it.",
      "The check is replaced whole: tuning options not given take the defaults (interval 30s,"
          + " timeout 5s, 3 retries, start period 0, action restart).",
      "Durations: 250ms, 5s, 10m, 5h, 1d, or several like 1h30m.",
      "Example: sentinel health --name web --health-http http://localhost:8080/health"
          + " --health-interval 10s"
    })
final class HealthCommand extends ClientCommand {
  @Option(
      names = "--name",
      required = true,
      paramLabel = "NAME",
      description = "The defined process whose health check changes.")
  String name;

  @Option(names = "--none", description = "Remove the health check.")
  boolean none;

  @Mixin HealthOptions health;

  HealthCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    if (none) {
      if (health.given()) {
        throw usage(
            "--none removes the health check: give it alone, or a check to set without --none");
      }
      args.put("health", null);
    } else {
      health.validate();
      if (health.kinds().isEmpty()) {
        throw usage(
            "give the health check to set, with "
                + HealthOptions.CHECK_FLAGS
                + ", or --none to remove it (see: sentinel health --help)");
      }
      args.put("health", health.toJson());
    }
    return sendSetting(
        Commands.HEALTH,
        args,
        "health check",
        spec -> spec.health() == null ? null : ProcessView.healthCheck(spec.health()));
  }
}
