package dev.sentinelzero.cli;

import picocli.CommandLine.Command;

/**
 * {@code sentinel daemon run}: the daemon in the foreground, for launchd, systemd or a terminal.
 * bin/sentinel execs the daemon JVM directly for this; only a CLI started some other way gets
 * here, and runs the daemon as a child, passing SIGINT/SIGTERM on and exiting with its code.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the daemon in the foreground (for launchd, systemd or a terminal).")
final class DaemonRunCommand extends ClientCommand {
  DaemonRunCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws Exception {
    return new DaemonLauncher(connector()).runInForeground();
  }
}
