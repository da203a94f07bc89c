package dev.sentinelzero.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Reads newline-delimited frames (UTF-8, at most {@code maxBytes} each) from a stream. A frame
 * longer than the limit is skipped up to its newline and reported as {@link FrameTooLarge}, so the
 * connection can go on. A trailing {@code \r} is dropped, so {@code nc -C} works too. Not
 * thread-safe: one reader per connection, used by that connection's thread.
 *
 * <p>Memory: a reader keeps an 8 KiB read buffer and a line buffer of at most {@link
 * #SMALL_FRAME_BYTES} for good. A larger frame grows the line buffer only against a shared {@link
 * Budget} (the daemon's bound on the memory of all its connections together); the buffer goes
 * back to its small size as soon as the frame is decoded, and the reservation is returned when
 * the next frame is asked for (by then the caller has handled this one), or on {@link
 * #releaseFrame}. A frame the budget cannot take is skipped up to its newline and reported as
 * {@link FrameRefused}.
 */
public final class FrameReader {
  /** Frame bytes a reader may hold without asking its budget. */
  public static final int SMALL_FRAME_BYTES = 16 * 1024;

  /**
   * The memory that large frames of many readers share, counted in frame bytes. Implementations
   * are thread-safe: every connection's reader calls them from its own thread.
   */
  public interface Budget {
    /** Takes {@code bytes} if that many are free, and says whether it did. */
    boolean tryReserve(long bytes);

    /** Gives back bytes taken by {@link #tryReserve}. */
    void release(long bytes);

    /** No bound: what a client's reader uses. */
    Budget UNBOUNDED =
        new Budget() {
          @Override
          public boolean tryReserve(long bytes) {
            return true;
          }

          @Override
          public void release(long bytes) {}
        };
  }

  /**
   * Thrown for a frame that the shared budget had no room for, after the rest of it was skipped:
   * other connections hold that much in large frames now. The connection can go on.
   */
  public static final class FrameRefused extends IOException {
    FrameRefused(long frameBytesSoFar) {
      super(
          "the daemon is short of memory for large requests just now (a frame of "
              + frameBytesSoFar
              + "+ bytes while other clients' large requests are in flight); try again, or send smaller requests",
          null);
    }
  }
  /** Thrown for a frame over the limit, after the rest of it was skipped. */
  public static final class FrameTooLarge extends IOException {
    FrameTooLarge(int limit) {
      super("frame longer than " + limit + " bytes; send one JSON object per line, smaller", null);
    }
  }

  /** Thrown for a frame that is not valid UTF-8. The connection can go on. */
  public static final class MalformedFrame extends IOException {
    MalformedFrame(String message) {
      super(message);
    }
  }

  private static final int INITIAL_LINE_BYTES = 256;

  private final InputStream in;
  private final int maxBytes;
  private final Budget budget;
  private final byte[] buf = new byte[8192];
  private int pos;
  private int end;
  private byte[] line = new byte[INITIAL_LINE_BYTES];
  /** Bytes taken from the budget for the current frame (beyond {@link #SMALL_FRAME_BYTES}). */
  private long reserved;
  private final LongSupplier ticker;
  /** True from the first byte of a frame until its newline (or end of stream). */
  private volatile boolean inFrame;
  /** {@code ticker}'s reading when the current frame's first byte was read. */
  private volatile long frameStartedAt;

  public FrameReader(InputStream in, int maxBytes) {
    this(in, maxBytes, Budget.UNBOUNDED, () -> 0L);
  }

  /**
   * A reader whose frames above {@link #SMALL_FRAME_BYTES} are held against {@code budget}, and
   * which notes when each frame began by {@code ticker} (monotonic nanoseconds).
   */
  public FrameReader(InputStream in, int maxBytes, Budget budget, LongSupplier ticker) {
    this.in = in;
    this.maxBytes = maxBytes;
    this.budget = budget;
    this.ticker = ticker;
  }

  /**
   * True while a frame has begun (some of its bytes were read) but its newline has not come yet:
   * the daemon's read timeout applies then, its idle timeout otherwise. Any thread may ask (the
   * daemon's timeout watcher does); the answer may be a moment old.
   */
  public boolean inFrame() {
    return inFrame;
  }

  /** The ticker's reading when the frame under way began; meaningful while {@link #inFrame}. */
  public long frameStartedAt() {
    return frameStartedAt;
  }

  private void beginFrame() {
    if (!inFrame) {
      frameStartedAt = ticker.getAsLong();
      inFrame = true;
    }
  }

  /**
   * Gives back what the last frame held of the budget. {@link #next} does it itself before it
   * reads on; call this when the reader is abandoned (the connection closed).
   */
  public void releaseFrame() {
    if (reserved > 0) {
      budget.release(reserved);
      reserved = 0;
    }
  }

  /**
   * The next frame without its newline, or null at end of stream. Bytes after the last newline at
   * end of stream count as a final frame.
   */
  public String next() throws IOException {
    releaseFrame();
    int length = 0;
    boolean tooLarge = false;
    boolean refused = false;
    if (pos < end) {
      beginFrame(); // pipelined: this frame's first bytes are here already
    }
    while (true) {
      if (pos == end) {
        end = in.read(buf, 0, buf.length);
        pos = 0;
        if (end <= 0) {
          end = 0;
          inFrame = false;
          if (tooLarge) {
            throw new FrameTooLarge(maxBytes);
          }
          if (refused) {
            throw new FrameRefused(length);
          }
          if (length == 0) {
            return null;
          }
          return endFrame(length);
        }
        beginFrame();
      }
      int start = pos;
      int newline = -1;
      for (int i = pos; i < end; i++) {
        if (buf[i] == '\n') {
          newline = i;
          break;
        }
      }
      int stop = newline < 0 ? end : newline;
      int chunk = stop - start;
      if (!tooLarge && !refused) {
        if (length + chunk > maxBytes + 1) { // +1 leaves room for a '\r' before the newline
          tooLarge = true;
          shrink();
        } else if (length + chunk > line.length && !grow(length + chunk)) {
          refused = true;
          length += chunk; // counted for the message only
        } else {
          System.arraycopy(buf, start, line, length, chunk);
          length += chunk;
        }
      } else if (refused) {
        length += chunk;
      }
      pos = newline < 0 ? end : newline + 1;
      if (newline >= 0) {
        inFrame = false;
        if (tooLarge) {
          throw new FrameTooLarge(maxBytes);
        }
        if (refused) {
          throw new FrameRefused(length);
        }
        return endFrame(length);
      }
    }
  }

  /**
   * Grows the line buffer to hold {@code needed} bytes, keeping what it holds; what
   * goes beyond {@link #SMALL_FRAME_BYTES} is taken from the budget first. False (and the buffer
   * back at its small size) when the budget has no room.
   */
  private boolean grow(int needed) {
    int capacity = Math.min(Math.max(line.length * 2, needed), maxBytes + 1);
    long beyondSmall = Math.max(0, capacity - SMALL_FRAME_BYTES);
    if (beyondSmall > reserved) {
      if (!budget.tryReserve(beyondSmall - reserved)) {
        shrink();
        return false;
      }
      reserved = beyondSmall;
    }
    line = Arrays.copyOf(line, capacity);
    return true;
  }

  /** Back to the small line buffer (the reservation stays until the frame is released). */
  private void shrink() {
    if (line.length > SMALL_FRAME_BYTES) {
      line = new byte[INITIAL_LINE_BYTES];
    }
  }

  /** Ends a frame of {@code length} bytes: drops a trailing CR, checks the limit, decodes. */
  private String endFrame(int length) throws IOException {
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    if (length > maxBytes) {
      shrink();
      throw new FrameTooLarge(maxBytes);
    }
    try {
      return decode(length);
    } finally {
      shrink(); // the frame lives on as a String; a large buffer is not kept for life
    }
  }

  private String decode(int length) throws MalformedFrame {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(line, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedFrame("the frame is not valid UTF-8 text");
    }
  }
}
