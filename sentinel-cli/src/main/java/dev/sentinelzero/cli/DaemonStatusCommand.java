package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.DaemonInfo;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.SentinelPaths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code sentinel daemon status}: whether the daemon runs, and where its files are. Exits with 3
 * when it does not run, so that scripts can test it; never starts it.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show whether the daemon runs, its pid, version, uptime and paths (exit 3 when"
        + " not running).")
final class DaemonStatusCommand extends ClientCommand {
  DaemonStatusCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Connector connector = connector();
    SentinelPaths paths = connector.paths();
    Map<String, Object> result;
    try (DaemonClient client = connector.tryConnect()) {
      result = client == null ? null : client.call(Commands.DAEMON_STATUS, Map.of(), QUICK_TIMEOUT_MS);
    }
    if (result == null) {
      if (global.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("running", false);
        json.put("home", paths.home().toString());
        json.put("socket", paths.socket().toString());
        json.put("socket_relocated", paths.socketRelocated());
        printJson(json);
      } else {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"daemon", "not running (start it with: " + connector.startHint() + ")"});
        rows.add(new String[] {"home", paths.home().toString()});
        rows.add(new String[] {"socket", socket(paths.socket().toString(), paths.socketRelocated())});
        Text.keyValues(rows, out());
      }
      return ExitCodes.UNREACHABLE;
    }
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    DaemonInfo info = DaemonInfo.fromJson(result);
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"daemon", "running (pid " + info.pid() + ")"});
    rows.add(new String[] {"version", info.version() + " (protocol " + info.protocol() + ")"});
    rows.add(new String[] {"uptime", Units.duration(info.uptimeMs()) + " (since " + info.startedAt() + ")"});
    rows.add(
        new String[] {"processes", info.processes() + " defined, " + info.running() + " running"});
    rows.add(new String[] {"home", info.home()});
    rows.add(new String[] {"socket", socket(info.socket(), info.socketRelocated())});
    rows.add(new String[] {"logs", info.logs()});
    rows.add(new String[] {"database", info.database()});
    if (info.disk() != null) {
      rows.add(new String[] {"disk", disk(info.disk())});
    }
    Text.keyValues(rows, out());
    return ExitCodes.OK;
  }

  /** {@code ok: 1.2 GiB free in DIR}, or in capitals what is wrong and what to do. */
  private static String disk(dev.sentinelzero.protocol.DiskStatus disk) {
    String state = dev.sentinelzero.protocol.DiskStatus.OK.equals(disk.state())
        ? disk.state()
        : disk.state().toUpperCase(java.util.Locale.ROOT);
    return state + ": " + disk.message();
  }

  private static String socket(String socket, boolean relocated) {
    return relocated
        ? socket + " (moved out of the home: the home's path is too long for a socket)"
        : socket;
  }
}
