package dev.sentinelzero.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads newline-delimited frames (UTF-8, at most {@code maxBytes} each) from a stream. A frame
 * longer than the limit is skipped up to its newline and reported as {@link FrameTooLarge}, so the
 * connection can go on. A trailing {@code \r} is dropped, so {@code nc -C} works too. Not
 * thread-safe: one reader per connection, used by that connection's thread.
 */
public final class FrameReader {
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

  private final InputStream in;
  private final int maxBytes;
  private final byte[] buf = new byte[8192];
  private int pos;
  private int end;
  private byte[] line = new byte[256];

  public FrameReader(InputStream in, int maxBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
  }

  /**
   * The next frame without its newline, or null at end of stream. Bytes after the last newline at
   * end of stream count as a final frame.
   */
  public String next() throws IOException {
    int length = 0;
    boolean tooLarge = false;
    while (true) {
      if (pos == end) {
        end = in.read(buf, 0, buf.length);
        pos = 0;
        if (end <= 0) {
          end = 0;
          if (tooLarge) {
            throw new FrameTooLarge(maxBytes);
          }
          if (length == 0) {
            return null;
          }
          return endFrame(length);
        }
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
      if (!tooLarge) {
        if (length + chunk > maxBytes + 1) { // +1 leaves room for a '\r' before the newline
          tooLarge = true;
        } else {
          if (length + chunk > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + chunk));
          }
          System.arraycopy(buf, start, line, length, chunk);
          length += chunk;
        }
      }
      pos = newline < 0 ? end : newline + 1;
      if (newline >= 0) {
        if (tooLarge) {
          throw new FrameTooLarge(maxBytes);
        }
        return endFrame(length);
      }
    }
  }

  /** Ends a frame of {@code length} bytes: drops a trailing CR, checks the limit, decodes. */
  private String endFrame(int length) throws IOException {
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    if (length > maxBytes) {
      throw new FrameTooLarge(maxBytes);
    }
    return decode(length);
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
