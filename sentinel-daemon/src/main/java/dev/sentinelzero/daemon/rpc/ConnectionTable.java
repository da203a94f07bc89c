package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.daemon.rpc.Connection.Farewell;
import dev.sentinelzero.daemon.rpc.Connection.Phase;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FrameReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules that keep a few clients from locking out the rest: how many connections may be open,
 * how many of them may stream, which one makes room for a newcomer, and which have waited too
 * long. Decisions only: they take the ticker's reading ({@code now}, monotonic nanoseconds) as an
 * argument and say what to do; {@link RpcServer} does it.
 *
 * <ul>
 *   <li>At most {@code maxConnections} are open. A newcomer beyond that takes the place of the
 *       connection that has waited longest for its client (idle, or in the middle of a request),
 *       which is told why and closed. If every connection is busy (a handler runs, or it streams),
 *       the newcomer is refused with {@code unavailable}.
 *   <li>At most {@code maxConnections - reservedConnections} stream at once, so at least the reserve
 *       is always busy only briefly or waiting, and so can make room: a CLI's connection is served
 *       unless the reserve's worth of requests are being handled at that very moment.
 *   <li>A connection that waited longer than the idle timeout for a request, or longer than the
 *       read timeout for the rest of one it began, is told so and closed; one whose reply has been
 *       stuck longer than the write timeout (its client does not read) is closed. Streams are exempt
 *       from the idle and write timeouts: following is waiting on purpose.
 *   <li>Connections being ended still hold a thread until they are gone: together with the open
 *       ones they may not exceed {@code maxConnections + reservedConnections}; past that a newcomer
 *       is refused.
 * </ul>
 *
 * <p>Thread-safe: the acceptor, the timeout watcher and every connection's thread call in; each
 * method holds the table's lock. The connections' phases and times are their own threads' to set
 * (volatile); a decision may act on a phase a moment old, which is harmless (a connection told to
 * go while its next request arrived still answers that request, then says goodbye).
 */
final class ConnectionTable {
  /** What to do with a newcomer. */
  sealed interface Admission {}

  /** Serve it; {@code evicted} (or null) was told to make room and must be woken. */
  record Admitted(Connection evicted) implements Admission {}

  /** Refuse it with this message. */
  record Refused(String message) implements Admission {}

  /** A connection whose time is up: wake it to say goodbye, or close it outright. */
  record Expired(Connection connection, boolean closeNow) {}

  private final RpcSettings settings;
  /** Open connections, oldest first; guarded by {@code this}. */
  private final Set<Connection> open = new LinkedHashSet<>();
  private int streams;
  private int ending;

  ConnectionTable(RpcSettings settings) {
    this.settings = settings;
  }

  /** Takes a newcomer in, making room if it must. */
  synchronized Admission admit(Connection newcomer, long now) {
    int serving = open.size() - ending;
    if (open.size() >= settings.maxConnections() + settings.reservedConnections()) {
      return new Refused(full("and " + ending + " more are closing"));
    }
    Connection evicted = null;
    if (serving >= settings.maxConnections()) {
      evicted = longestWaiting();
      if (evicted == null) {
        return new Refused(full("all busy with requests or streams"));
      }
      end(
          evicted,
          new Farewell(
              ErrorCode.UNAVAILABLE,
              "closed to make room for another client: the daemon is at its limit of "
                  + settings.maxConnections()
                  + " connections (SENTINEL_RPC_MAX_CONNECTIONS) and this one had waited longest for a request"));
    }
    open.add(newcomer);
    return new Admitted(evicted);
  }

  private String full(String detail) {
    return "the daemon is at its limit of "
        + settings.maxConnections()
        + " connections (SENTINEL_RPC_MAX_CONNECTIONS), "
        + detail
        + "; try again shortly";
  }

  /** The waiting connection that has waited longest, not already ending; or null. */
  private Connection longestWaiting() {
    Connection best = null;
    for (Connection c : open) {
      if (c.farewell() == null
          && c.phase() == Phase.WAITING
          && (best == null || c.phaseSince() - best.phaseSince() < 0)) {
        best = c;
      }
    }
    return best;
  }

  /** A connection's thread is done with it. */
  synchronized void remove(Connection c) {
    if (open.remove(c)) {
      if (c.farewell() != null) {
        ending--;
      }
      if (c.phase() == Phase.STREAMING) {
        streams--;
      }
    }
  }

  /**
   * A handler wants to stream on {@code c}: true (and {@code c} is streaming) unless the streams
   * are at their limit.
   */
  synchronized boolean beginStream(Connection c) {
    if (c.phase() == Phase.STREAMING) {
      return true;
    }
    if (streams >= settings.maxStreams()) {
      return false;
    }
    streams++;
    c.enter(Phase.STREAMING);
    return true;
  }

  /** The stream on {@code c} ended; its connection goes on. */
  synchronized void endStream(Connection c) {
    if (c.phase() == Phase.STREAMING) {
      streams--;
      c.enter(Phase.HANDLING);
    }
  }

  synchronized int streams() {
    return streams;
  }

  /** Runs {@code action} on each open connection (a copy of the set: it may call back in). */
  void forEach(java.util.function.Consumer<Connection> action) {
    List<Connection> copy;
    synchronized (this) {
      copy = new ArrayList<>(open);
    }
    copy.forEach(action);
  }

  /** Connections open (those being ended included). */
  synchronized int size() {
    return open.size();
  }

  /** The connections whose time is up at {@code now}, each marked with its farewell. */
  synchronized List<Expired> expired(long now) {
    List<Expired> out = new ArrayList<>();
    for (Connection c : open) {
      boolean stuckWriting =
          c.writing()
              && c.phase() != Phase.STREAMING
              && now - c.writingSince() > millis(settings.writeTimeoutMs());
      if (stuckWriting) {
        // Its client does not read: no goodbye can reach it.
        end(c, new Farewell(ErrorCode.UNAVAILABLE, "the client did not read its reply"));
        out.add(new Expired(c, true));
        continue;
      }
      if (c.farewell() != null || c.phase() != Phase.WAITING) {
        continue;
      }
      FrameReader reader = c.reader();
      if (reader != null && reader.inFrame()) {
        if (now - reader.frameStartedAt() > millis(settings.readTimeoutMs())) {
          end(
              c,
              new Farewell(
                  ErrorCode.INVALID_REQUEST,
                  "the request did not arrive whole within "
                      + seconds(settings.readTimeoutMs())
                      + " of its first byte (SENTINEL_RPC_READ_TIMEOUT_MS); send each request as one line, at once"));
          out.add(new Expired(c, false));
        }
      } else if (now - c.phaseSince() > millis(settings.idleTimeoutMs())) {
        end(
            c,
            new Farewell(
                ErrorCode.UNAVAILABLE,
                "closed after "
                    + seconds(settings.idleTimeoutMs())
                    + " without a request (SENTINEL_RPC_IDLE_TIMEOUT_MS); connect again to send more"));
        out.add(new Expired(c, false));
      }
    }
    return out;
  }

  private void end(Connection c, Farewell why) {
    if (c.farewell(why)) {
      ending++;
    }
  }

  private static long millis(long ms) {
    return ms * 1_000_000L;
  }

  static String seconds(long ms) {
    if (ms % 1000 == 0) {
      return ms / 1000 + " s";
    }
    return ms + " ms";
  }
}
