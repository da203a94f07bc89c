package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * is not running is no failure. The daemon answers once its processes are stopped; when some could
 * not be, the command says which on stderr and exits 1.
 */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = "Stop every process, then the daemon; waits until the daemon has exited.")
final class DaemonStopCommand extends ClientCommand {
  /** After this long, say once on stderr what we are waiting for. */
  private static final long PATIENCE_MS = 5_000;

  private static final long POLL_MS = 100;

  /**
   * How long the answer may take: it comes once every process is stopped, each within its own
   * stop timeout, and the daemon gives up on them after 10 minutes.
   */
  private static final long ANSWER_TIMEOUT_MS = 11 * 60_000;

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
    long pid;
    Patience patience = null;
    try {
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
        patience = new Patience(err(), PATIENCE_MS);
        result =
            client.call(
                Commands.DAEMON_STOP,
                keepRunning ? Map.of("keep_running", true) : Map.of(),
                ANSWER_TIMEOUT_MS);
      }
      warn(result);
      Object pidValue = result.get("pid");
      pid = pidValue instanceof Number ? ((Number) pidValue).longValue() : -1;
      awaitExit(connector, pid);
    } finally {
      if (patience != null) {
        patience.cancel();
      }
    }
    if (global.json()) {
      printJson(result);
    } else {
      out().println(
          "stopped the daemon"
              + (pid > 0 ? " (pid " + pid + ")" : "")
              + (keepRunning ? "; its processes keep running for the next daemon to adopt" : ""));
      out().flush();
    }
    String failure = notStopped(result, connector);
    if (failure != null) {
      err().println("sentinel: " + failure);
      err().flush();
      return ExitCodes.FAILED;
    }
    return ExitCodes.OK;
  }

  /**
   * What to tell the user when the daemon could not stop every process (its answer has {@code
   * "stopped_all":false}), as one line; null when all stopped. A daemon from before this field
   * existed says nothing, and counts as success.
   */
  static String notStopped(Map<String, Object> result, Connector connector) {
    if (!Boolean.FALSE.equals(result.get("stopped_all"))) {
      return null;
    }
    List<String> names = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    Object left = result.get("not_stopped");
    if (left instanceof List) {
      for (Object entry : (List<?>) left) {
        if (entry instanceof Map) {
          Object name = ((Map<?, ?>) entry).get("name");
          Object pgid = ((Map<?, ?>) entry).get("pgid");
          names.add(name + (pgid instanceof Number ? " (process group " + pgid + ")" : ""));
          if (pgid instanceof Number) {
            groups.add(String.valueOf(pgid));
          }
        }
      }
    }
    if (names.isEmpty()) {
      return "the daemon stopped, but could not tell whether every process stopped; its log says"
          + " more: "
          + connector.logHint();
    }
    String which =
        names.size() == 1
            ? names.get(0)
            : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    StringBuilder line =
        new StringBuilder("the daemon stopped, but could not stop ").append(which);
    if (!groups.isEmpty()) {
      line.append(": they may still be running; list them with: pgrep -g ")
          .append(String.join(",", groups))
          .append("; end them with: kill -KILL -- -")
          .append(String.join(" -", groups))
          .append("; or run ")
          .append(connector.startHint())
          .append(", which takes them over again");
    }
    return line.toString();
  }

  /**
   * Says once on stderr, after {@code delayMs}, that the stop is taking a while. Its own thread,
   * because the reply is awaited in a blocking read; it writes through the command's (synchronized)
   * error writer.
   */
  private static final class Patience implements Runnable {
    private final PrintWriter err;
    private final long deadline;
    private final Thread thread;
    private volatile boolean cancelled;

    Patience(PrintWriter err, long delayMs) {
      this.err = err;
      this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
      this.thread = new Thread(this, "sentinel-stop-patience");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void run() {
      long left;
      while (!cancelled && (left = deadline - System.nanoTime()) > 0) {
        LockSupport.parkNanos(this, left);
      }
      if (!cancelled) {
        err.println("sentinel: waiting for the daemon to stop its processes...");
        err.flush();
      }
    }

    void cancel() {
      cancelled = true;
      LockSupport.unpark(thread);
    }
  }

  private void awaitExit(Connector connector, long pid) throws ProtocolException {
    Optional<ProcessHandle> handle = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
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
