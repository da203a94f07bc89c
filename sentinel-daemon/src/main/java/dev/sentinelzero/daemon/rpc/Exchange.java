package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FrameWriter;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One request's side of a connection: where its events and its final reply go. Used by the
 * connection's thread only.
 */
public final class Exchange {
  /** What an exchange needs of its connection and server. */
  record Line(
      Connection connection,
      FrameWriter out,
      ConnectionTable table,
      CountDownLatch serverStopping,
      Function<SocketChannel, Boolean> peerHungUp,
      RpcSettings settings) {}

  private final Object id;
  private final Line line;
  private final String user;
  private final Long clientPid;
  private boolean finished;
  /** The client's input has ended (it half-closed, or closed: {@link #clientGone} tells which). */
  private boolean inputEnded;

  Exchange(Object id, Line line, String user, Long clientPid) {
    this.id = id;
    this.line = line;
    this.user = user;
    this.clientPid = clientPid;
  }

  /** The client's user name (from SO_PEERCRED), or {@code ?} where the platform does not tell. */
  public String user() {
    return user;
  }

  /**
   * The pid of the client process (from {@code SO_PEERCRED} or {@code LOCAL_PEERPID}, as of its
   * connect), or null where it cannot be read.
   */
  public Long clientPid() {
    return clientPid;
  }

  /**
   * Declares this request a stream ({@code follow}): call it before the first event. A stream is
   * exempt from the idle and write timeouts and holds its connection until it ends; at most
   * {@link RpcSettings#maxStreams} run at once, so that the reserve of connections is left for
   * short requests.
   *
   * @throws ProtocolException {@code unavailable} when that many streams run already
   */
  public void beginStream() throws ProtocolException {
    if (!line.table().beginStream(line.connection())) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE,
          "too many streams: "
              + line.settings().maxStreams()
              + " connections follow logs or events already (SENTINEL_RPC_MAX_CONNECTIONS less "
              + "SENTINEL_RPC_RESERVED_CONNECTIONS); end one of them, or try again later");
    }
  }

  /** Sends one stream item. */
  public void event(String event, Map<String, Object> data) throws IOException {
    line.out().write(new Response.Event(id, event, data));
  }

  /** Sends the final, successful reply. */
  public void ok(Map<String, Object> result) throws IOException {
    finished = true;
    line.out().write(new Response.Ok(id, result));
  }

  boolean finished() {
    return finished;
  }

  /**
   * Waits up to {@code millis} for the daemon to begin stopping; true if it did. A streaming
   * handler uses this as its poll delay, so that it ends promptly on shutdown.
   */
  public boolean awaitServerStop(long millis) {
    try {
      return line.serverStopping().await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /**
   * True when the client has closed the connection. A client that only shut down its writing
   * side (a half-close: {@code echo ... | socat - UNIX-CONNECT:...} does that once its input ends)
   * is not gone: it still reads, and a stream goes on to it. Anything the client sends meanwhile
   * is dropped: a streaming request occupies its connection until it ends.
   *
   * <p>Telling the two apart needs the socket's descriptor ({@link
   * dev.sentinelzero.daemon.process.ProcessControl#peerHungUp}); where it cannot be had, the end
   * of the client's input counts as gone, as before.
   */
  public boolean clientGone() {
    Connection c = line.connection();
    if (!inputEnded) {
      try {
        SocketChannel channel = c.channel;
        synchronized (channel.blockingLock()) {
          channel.configureBlocking(false);
          try {
            ByteBuffer probe = ByteBuffer.allocate(256);
            int n;
            while ((n = channel.read(probe)) > 0) {
              probe.clear();
            }
            inputEnded = n < 0;
          } finally {
            channel.configureBlocking(true);
          }
        }
      } catch (IOException e) {
        return true;
      }
      if (!inputEnded) {
        return false;
      }
    }
    if (!c.channel.isOpen()) {
      return true;
    }
    Boolean hungUp;
    try {
      hungUp = line.peerHungUp().apply(c.channel);
    } catch (RuntimeException e) {
      hungUp = null;
    }
    return hungUp == null || hungUp;
  }
}
