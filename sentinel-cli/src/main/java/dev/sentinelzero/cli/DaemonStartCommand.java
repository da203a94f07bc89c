package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.ProtocolException;
import picocli.CommandLine.Command;

/** {@code sentinel daemon start}: starts the daemon in the background; fine when it runs. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = "Start the daemon in the background and wait until it answers.")
final class DaemonStartCommand extends ClientCommand {
  DaemonStartCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Connector connector = connector();
    DaemonLauncher.Answer answer;
    boolean started = false;
    try (DaemonClient client = connector.tryConnect()) {
      answer = client == null ? null : DaemonLauncher.ping(client);
    }
    if (answer == null) {
      answer = new DaemonLauncher(connector).startInBackground();
      started = true;
    }
    if (global.json()) {
      printJson(answer.json());
    } else {
      out().println(
          (started ? "started the daemon" : "already running")
              + " (pid "
              + answer.info().pid()
              + ")");
      out().flush();
    }
    return ExitCodes.OK;
  }
}
