package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;

/**
 * {@code sentinel daemon stop}: asks the daemon to stop its processes and exit, and waits until its
 * pid is gone (or, when the pid cannot be watched, until its socket stops answering). A daemon that
 * is not running is no failure.
 */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = "Stop every process, then the daemon; waits until the daemon has exited.")
final class DaemonStopCommand extends ClientCommand {
  /** After this long, say once on stderr what we are waiting for. */
  private static final long PATIENCE_MS = 5_000;

  private static final long POLL_MS = 100;

  /** How often the daemon's pid is checked while it stops. */
  private static final long ALIVE_POLL_MS = 10;

  @picocli.CommandLine.Option(
      names = "--keep-running",
      description =
          "Leave the processes running: the next daemon adopts them (same pids, uptime goes on),"
              + " so the daemon can be upgraded without stopping services.")
  boolean keepRunning;

  DaemonStopCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    Connector connector = connector();
    Map<String, Object> result;
    try (DaemonClient client = connector.tryConnect()) {
      if (client == null) {
        if (global.json()) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("running", false);
          printJson(json);
        } else {
          out().println("not running");
          out().flush();
        }
        return ExitCodes.OK;
      }
      result =
          client.call(
              Commands.DAEMON_STOP,
              keepRunning ? Map.of("keep_running", true) : Map.of(),
              QUICK_TIMEOUT_MS);
    }
    Object pidValue = result.get("pid");
    long pid = pidValue instanceof Number ? ((Number) pidValue).longValue() : -1;
    awaitExit(connector, pid);
    if (global.json()) {
      printJson(result);
    } else {
      out().println(
          "stopped the daemon"
              + (pid > 0 ? " (pid " + pid + ")" : "")
              + (keepRunning ? "; its processes keep running for the next daemon to adopt" : ""));
      out().flush();
    }
    return ExitCodes.OK;
  }

  private void awaitExit(Connector connector, long pid) throws ProtocolException {
    Optional<ProcessHandle> handle = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
    long start = System.nanoTime();
    boolean told = false;
    while (true) {
      if (handle.isPresent()) {
        // Not onExit(): for a process that is not our child the JDK polls it about every 2 s.
        if (!handle.get().isAlive() || isZombie(pid)) {
          return;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ALIVE_POLL_MS));
      } else {
        try (DaemonClient client = connector.tryConnect()) {
          if (client == null || !answers(client)) {
            return;
          }
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
      }
      if (!told && System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS)) {
        err().println(
            "sentinel: waiting for the daemon" + (pid > 0 ? " (pid " + pid + ")" : "")
                + " to stop its processes...");
        err().flush();
        told = true;
      }
    }
  }

  /**
   * True when the pid has exited but its parent has not reaped it yet. A daemon started by {@code
   * daemon start} is reparented to init, and some inits (containers) reap late; it has stopped.
   * Linux only: elsewhere this says false and the wait relies on isAlive.
   */
  private static boolean isZombie(long pid) {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean answers(DaemonClient client) {
    try {
      DaemonLauncher.ping(client);
      return true;
    } catch (ProtocolException e) {
      return false;
    }
  }
}
