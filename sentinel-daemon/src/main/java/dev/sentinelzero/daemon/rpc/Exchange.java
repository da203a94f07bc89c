package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.protocol.FrameWriter;
import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One request's side of a connection: where its events and its final reply go. Used by the
 * connection's thread only.
 */
public final class Exchange {
  private final Object id;
  private final FrameWriter out;
  private final SocketChannel channel;
  private final CountDownLatch serverStopping;
  private final String user;
  private final Long clientPid;
  private boolean finished;

  Exchange(
      Object id,
      FrameWriter out,
      SocketChannel channel,
      CountDownLatch serverStopping,
      String user,
      Long clientPid) {
    this.id = id;
    this.user = user;
    this.clientPid = clientPid;
    this.out = out;
    this.channel = channel;
    this.serverStopping = serverStopping;
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

  /** Sends one stream item. */
  public void event(String event, Map<String, Object> data) throws IOException {
    out.write(new Response.Event(id, event, data));
  }

  /** Sends the final, successful reply. */
  public void ok(Map<String, Object> result) throws IOException {
    finished = true;
    out.write(new Response.Ok(id, result));
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
      return serverStopping.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /**
   * True when the client has closed its side of the connection. Anything it sent meanwhile is
   * dropped: a streaming request occupies its connection until it ends.
   */
  public boolean clientGone() {
    try {
      synchronized (channel.blockingLock()) {
        channel.configureBlocking(false);
        try {
          ByteBuffer probe = ByteBuffer.allocate(256);
          int n;
          while ((n = channel.read(probe)) > 0) {
            probe.clear();
          }
          return n < 0;
        } finally {
          channel.configureBlocking(true);
        }
      }
    } catch (IOException e) {
      return true;
    }
  }
}
