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

    /** Begins a graceful shutdown on another thread, after the reply has been sent. */
    void requestStop();
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
              r.arguments().allowOnly(Set.of());
              Map<String, Object> result = new LinkedHashMap<>();
              result.put("stopping", true);
              result.put("pid", ProcessHandle.current().pid());
              x.ok(result);
              daemon.requestStop();
            });
  }
}
