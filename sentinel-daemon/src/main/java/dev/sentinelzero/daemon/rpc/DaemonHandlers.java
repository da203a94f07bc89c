package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.DaemonInfo;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The commands about the daemon itself: ping, daemon.status, daemon.stop. */
public final class DaemonHandlers {
  /** What these commands need from the daemon. */
  public interface DaemonControl {
    /** The daemon's current facts. */
    DaemonInfo info() throws ProtocolException;

    /**
     * Begins a graceful shutdown on another thread, after the reply has been sent.
     *
     * @param keepRunning leave the supervised processes running for the next daemon to adopt
     */
    void requestStop(boolean keepRunning);
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
              Map<String, Object> result = new LinkedHashMap<>();
              result.put("stopping", true);
              result.put("pid", ProcessHandle.current().pid());
              result.put("keep_running", keep);
              x.ok(result);
              daemon.requestStop(keep);
            });
  }
}
