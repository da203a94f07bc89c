package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FrameReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.LongSupplier;

/**
 * One accepted connection as the server's rules see it: what it is doing ({@link Phase}), since
 * when, and whether it is in a write. Its streams read and write the channel directly (not through
 * {@code Channels.newInputStream}, which would hold the channel's lock across a blocked read).
 *
 * <p>Threads: the connection's own thread ({@code sentinel-rpc-N}) reads, writes and moves the
 * phase; the acceptor and the timeout watcher read the phase and the times (volatile) and decide,
 * under {@link ConnectionTable}'s lock, to end the connection: they set {@link #farewell} there
 * and then wake the connection's thread by shutting the channel's input (or close the channel, for
 * a write that hangs), and the connection's thread sends the farewell and closes.
 */
final class Connection {
  /** What a connection is doing. */
  enum Phase {
    /** Waiting for a request (or for the rest of one: see {@link FrameReader#inFrame}). */
    WAITING,
    /** A handler runs for one of its requests. */
    HANDLING,
    /** A handler streams to it ({@code follow}): exempt from the idle and write timeouts. */
    STREAMING
  }

  /** Why the server ends a connection, and the error code the client is told. */
  record Farewell(ErrorCode code, String message) {}

  final long number;
  final SocketChannel channel;
  private final LongSupplier ticker;
  private volatile Phase phase = Phase.WAITING;
  private volatile long phaseSince;
  /** The ticker's reading when the write under way began; meaningful while {@link #writing}. */
  private volatile long writingSince;

  private volatile boolean writing;
  /** Set once, under the table's lock, when the server ends this connection. */
  private volatile Farewell farewell;
  private volatile FrameReader reader;

  Connection(long number, SocketChannel channel, LongSupplier ticker) {
    this.number = number;
    this.channel = channel;
    this.ticker = ticker;
    this.phaseSince = ticker.getAsLong();
  }

  /** The connection's own thread, as it moves on. */
  void enter(Phase next) {
    phaseSince = ticker.getAsLong();
    phase = next;
  }

  Phase phase() {
    return phase;
  }

  long phaseSince() {
    return phaseSince;
  }

  /** True while a write to the client is under way. */
  boolean writing() {
    return writing;
  }

  long writingSince() {
    return writingSince;
  }

  /** The reader of this connection's frames, once the connection's thread has made it. */
  FrameReader reader() {
    return reader;
  }

  void reader(FrameReader frames) {
    this.reader = frames;
  }

  Farewell farewell() {
    return farewell;
  }

  /** Called by {@link ConnectionTable} under its lock; the first reason stays. */
  boolean farewell(Farewell why) {
    if (farewell != null) {
      return false;
    }
    farewell = why;
    return true;
  }

  /** Wakes the connection's thread from a blocked read: it then sees end of input. */
  void wake() {
    try {
      channel.shutdownInput();
    } catch (IOException | RuntimeException e) {
      close(); // cannot shut the input (already closed?): close, which wakes it too
    }
  }

  void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  /** Reads straight from the channel, in blocking mode. */
  InputStream input() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return channel.read(ByteBuffer.wrap(b, off, len));
      }
    };
  }

  /** Writes straight to the channel, noting when each write began (for the write timeout). */
  OutputStream output() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        writingSince = ticker.getAsLong();
        writing = true;
        try {
          while (buf.hasRemaining()) {
            channel.write(buf);
          }
        } finally {
          writing = false;
        }
      }
    };
  }
}
