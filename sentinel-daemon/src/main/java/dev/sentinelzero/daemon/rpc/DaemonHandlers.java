package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.DaemonInfo;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The commands about the daemon itself: ping, daemon.status, daemon.stop. Each runs on its
 * connection's thread; {@code daemon.stop} holds that thread until the processes are stopped.
 */
public final class DaemonHandlers {
  /** What these commands need from the daemon. */
  public interface DaemonControl {
    /** The daemon's current facts. */
    DaemonInfo info() throws ProtocolException;

    /**
     * Stops every process, as the daemon's shutdown does, refusing new requests meanwhile, and
     * returns when they are stopped or the shutdown gave up on them. Done once per daemon: a later
     * caller (a second {@code daemon.stop}, the shutdown after it) gets the same outcome.
     *
     * @param keepRunning leave the supervised processes running for the next daemon to adopt; only
     *     stops already under way are waited for
     */
    StopOutcome stopProcesses(boolean keepRunning);

    /** Ends the daemon on another thread: the rest of its shutdown, then the JVM's exit. */
    void exit();
  }

  /**
   * How stopping the processes ended.
   *
   * @param complete every process group is gone (or, keeping them running, every stop under way
   *     finished)
   * @param notStopped the processes whose groups may still have members: name to process group id
   *     (empty when complete, and possibly empty when the shutdown failed in an unforeseen way)
   * @param warning what the user must know though the stop went well (the disk is full, so the
   *     latest changes are not saved), or null
   */
  public record StopOutcome(boolean complete, Map<String, Long> notStopped, String warning) {
    public static final StopOutcome COMPLETE = new StopOutcome(true, Map.of(), null);

    public StopOutcome(boolean complete, Map<String, Long> notStopped) {
      this(complete, notStopped, null);
    }

    public StopOutcome withWarning(String text) {
      return new StopOutcome(complete, notStopped, text);
    }
  }

  private final DaemonControl daemon;

  public DaemonHandlers(DaemonControl daemon) {
    this.daemon = daemon;
  }

  public void registerAll(Dispatcher dispatcher) {
    dispatcher
        .register(
            Commands.PING,
            (r, x) -> {
              r.arguments().allowOnly(Set.of());
              x.ok(daemon.info().toJson());
            })
        .register(
            Commands.DAEMON_STATUS,
            (r, x) -> {
              r.arguments().allowOnly(Set.of());
              x.ok(daemon.info().toJson());
            })
        .register(
            Commands.DAEMON_STOP,
            (r, x) -> {
              r.arguments().allowOnly(Set.of("keep_running"));
              boolean keep = r.arguments().bool("keep_running", false);
              try {
                x.ok(stopResult(keep, daemon.stopProcesses(keep)));
              } finally {
                daemon.exit(); // also when the client has gone: it asked for the stop
              }
            });
  }

  /**
   * The reply to {@code daemon.stop}, sent once the processes are stopped: the daemon's pid (the
   * client waits for it to be gone), whether every process stopped, and those that did not.
   */
  static Map<String, Object> stopResult(boolean keepRunning, StopOutcome outcome) {
    List<Object> left = new ArrayList<>();
    for (Map.Entry<String, Long> e : outcome.notStopped().entrySet()) {
      Map<String, Object> process = new LinkedHashMap<>();
      process.put("name", e.getKey());
      process.put("pgid", e.getValue());
      left.add(process);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("stopping", true);
    result.put("pid", ProcessHandle.current().pid());
    result.put("keep_running", keepRunning);
    result.put("stopped_all", outcome.complete());
    result.put("not_stopped", left);
    if (outcome.warning() != null) {
      result.put("warning", outcome.warning());
    }
    return result;
  }
}
