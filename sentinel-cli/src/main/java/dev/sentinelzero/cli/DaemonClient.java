package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FrameReader;
import dev.sentinelzero.protocol.FrameWriter;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import dev.sentinelzero.protocol.Response;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * One connection to the daemon's socket. Requests are sent one at a time, each waiting for its
 * final response; the thread that calls {@link #call} or {@link #stream} does all the reading and
 * writing. Failures arrive as {@link ProtocolException}s: the daemon's own error codes, or {@link
 * ErrorCode#UNAVAILABLE} when the connection breaks or an answer takes too long.
 */
final class DaemonClient implements Closeable {

  /** Receives the events of a streaming request, on the calling thread, in arrival order. */
  interface EventSink {
    void accept(Response.Event event) throws ProtocolException;
  }

  private final SocketChannel channel;
  private final FrameReader reader;
  private final FrameWriter writer;
  private int nextId = 1;

  private DaemonClient(SocketChannel channel) {
    this.channel = channel;
    this.reader = new FrameReader(Channels.newInputStream(channel), Protocol.MAX_FRAME_BYTES);
    this.writer = new FrameWriter(Channels.newOutputStream(channel));
  }

  /**
   * Connects to a socket.
   *
   * @throws IOException as the JDK reports it: {@link java.net.ConnectException} when nobody
   *     listens on the socket
   */
  static DaemonClient connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return new DaemonClient(channel);
  }

  /**
   * Sends a request and returns its result.
   *
   * @param timeoutMs how long to wait for the answer, or 0 to wait as long as it takes (for
   *     commands whose duration depends on the processes, such as {@code stop})
   */
  Map<String, Object> call(String command, Map<String, Object> args, long timeoutMs)
      throws ProtocolException {
    return exchange(command, args, timeoutMs, null);
  }

  /** Sends a streaming request; events go to {@code sink} until the final result. */
  Map<String, Object> stream(String command, Map<String, Object> args, EventSink sink)
      throws ProtocolException {
    return exchange(command, args, 0, sink);
  }

  private Map<String, Object> exchange(
      String command, Map<String, Object> args, long timeoutMs, EventSink sink)
      throws ProtocolException {
    Watchdog watchdog = timeoutMs > 0 ? Watchdog.start(channel, timeoutMs) : null;
    try {
      try {
        writer.write(Request.of(Integer.toString(nextId++), command, args));
      } catch (IOException e) {
        throw answerLeftBehind(command, e);
      }
      while (true) {
        String frame = reader.next();
        if (frame == null) {
          throw new ProtocolException(
              ErrorCode.UNAVAILABLE,
              "the daemon closed the connection before answering \"" + command + "\"");
        }
        Response response = Response.parse(frame);
        if (response instanceof Response.Ok) {
          return ((Response.Ok) response).result();
        }
        if (response instanceof Response.Failure) {
          Response.Failure failure = (Response.Failure) response;
          throw new ProtocolException(failure.code(), failure.message());
        }
        if (sink != null) {
          sink.accept((Response.Event) response);
        }
      }
    } catch (ProtocolException e) {
      if (watchdog != null && watchdog.fired()) {
        throw timedOut(command, timeoutMs);
      }
      throw e;
    } catch (IOException e) {
      if (watchdog != null && watchdog.fired()) {
        throw timedOut(command, timeoutMs);
      }
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE, "lost the connection to the daemon: " + e.getMessage());
    } finally {
      if (watchdog != null) {
        watchdog.cancel();
      }
    }
  }

  /**
   * The request could not be written: the daemon closed the connection (or shut its reading
   * side). It does that after answering why (at its connection limit, shutting down, a timeout),
   * and that answer is still there to read: report it rather than the write's "Broken pipe".
   */
  private ProtocolException answerLeftBehind(String command, IOException writeFailure) {
    try {
      String frame = reader.next();
      if (frame != null) {
        Response response = Response.parse(frame);
        if (response instanceof Response.Failure) {
          Response.Failure failure = (Response.Failure) response;
          return new ProtocolException(failure.code(), failure.message());
        }
      }
    } catch (IOException | ProtocolException e) {
      writeFailure.addSuppressed(e);
    }
    return new ProtocolException(
        ErrorCode.UNAVAILABLE,
        "the daemon closed the connection before taking \""
            + command
            + "\" ("
            + writeFailure.getMessage()
            + "); try again");
  }

  private static ProtocolException timedOut(String command, long timeoutMs) {
    return new ProtocolException(
        ErrorCode.UNAVAILABLE,
        "the daemon did not answer \""
            + command
            + "\" within "
            + Units.exactDuration(timeoutMs)
            + "; its log (sentinel daemon status shows where) may say why");
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing was pending on it; closing cannot lose anything we still need.
    }
  }

  /**
   * Closes the channel when an answer takes too long, which wakes the blocked reader. A thread of
   * its own because a blocking channel's read has no timeout; it exists only while a request with
   * a timeout is waiting.
   */
  private static final class Watchdog implements Runnable {
    private final SocketChannel channel;
    private final long deadline;
    private final Thread thread;
    private volatile boolean cancelled;
    private volatile boolean fired;

    private Watchdog(SocketChannel channel, long timeoutMs) {
      this.channel = channel;
      this.deadline = System.nanoTime() + timeoutMs * 1_000_000L;
      this.thread = new Thread(this, "sentinel-client-watchdog");
      thread.setDaemon(true);
    }

    static Watchdog start(SocketChannel channel, long timeoutMs) {
      Watchdog watchdog = new Watchdog(channel, timeoutMs);
      watchdog.thread.start();
      return watchdog;
    }

    @Override
    public void run() {
      long left;
      while (!cancelled && (left = deadline - System.nanoTime()) > 0) {
        LockSupport.parkNanos(this, left);
      }
      if (!cancelled) {
        fired = true;
        try {
          channel.close();
        } catch (IOException e) {
          // The reader wakes up either way.
        }
      }
    }

    boolean fired() {
      return fired;
    }

    void cancel() {
      cancelled = true;
      LockSupport.unpark(thread);
    }
  }
}
