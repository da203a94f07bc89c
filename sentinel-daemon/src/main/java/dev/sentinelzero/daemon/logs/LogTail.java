package dev.sentinelzero.daemon.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads the last lines of a log file without reading the whole file: it scans backwards from the
 * end in blocks until it has seen enough newlines. Bytes that are not UTF-8 become U+FFFD; a line
 * longer than {@link #MAX_LINE_CHARS} is cut, so that one runaway line cannot fill a frame.
 */
public final class LogTail {
  public static final int MAX_LINE_CHARS = 16 * 1024;
  private static final int BLOCK = 64 * 1024;
  /** At most this much of a file's end is read, however few newlines it has. */
  static final long MAX_SCAN_BYTES = 8L * 1024 * 1024;

  private LogTail() {}

  /** The file's last {@code count} lines, oldest first; empty when the file does not exist. */
  public static List<String> lastLines(Path file, int count) throws IOException {
    return lastLines(file, count, Long.MAX_VALUE);
  }

  /** The last {@code count} lines of the file's first {@code limit} bytes. */
  public static List<String> lastLines(Path file, int count, long limit) throws IOException {
    if (count <= 0) {
      return List.of();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long end = Math.min(limit, ch.size());
      long pos = end;
      int newlines = 0;
      long floor = Math.max(0, end - MAX_SCAN_BYTES);
      long start = floor;
      ByteBuffer buf = ByteBuffer.allocate(BLOCK);
      boolean skipFinalNewline = true;
      outer:
      while (pos > floor) {
        int len = (int) Math.min(BLOCK, pos - floor);
        pos -= len;
        buf.clear().limit(len);
        ch.read(buf, pos);
        for (int i = len - 1; i >= 0; i--) {
          if (buf.get(i) == '\n') {
            if (skipFinalNewline && pos + i == end - 1) {
              continue; // the newline ending the last line does not start a new one
            }
            newlines++;
            if (newlines == count) {
              start = pos + i + 1;
              break outer;
            }
          }
        }
        skipFinalNewline = false;
      }
      int length = (int) Math.min(Integer.MAX_VALUE - 16, end - start);
      ByteBuffer all = ByteBuffer.allocate(length);
      while (all.hasRemaining() && ch.read(all, start + all.position()) > 0) {
        // read until full
      }
      return splitLines(new String(all.array(), 0, all.position(), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  static List<String> splitLines(String text) {
    List<String> out = new ArrayList<>();
    int from = 0;
    while (from < text.length()) {
      int nl = text.indexOf('\n', from);
      int to = nl < 0 ? text.length() : nl;
      out.add(clip(stripCr(text.substring(from, to))));
      from = to + 1;
    }
    return out;
  }

  static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  static String clip(String line) {
    return line.length() <= MAX_LINE_CHARS
        ? line
        : line.substring(0, MAX_LINE_CHARS) + " [line cut at " + MAX_LINE_CHARS + " characters]";
  }

  /** Keeps the newest lines whose total size fits {@code maxChars}; drops older ones. */
  public static <T> List<T> newestWithin(List<T> lines, int maxChars, java.util.function.ToIntFunction<T> size) {
    Deque<T> kept = new ArrayDeque<>();
    int total = 0;
    for (int i = lines.size() - 1; i >= 0; i--) {
      int s = size.applyAsInt(lines.get(i)) + 64;
      if (total + s > maxChars) {
        break;
      }
      total += s;
      kept.addFirst(lines.get(i));
    }
    return new ArrayList<>(kept);
  }
}
