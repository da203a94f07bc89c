package dev.sentinelzero.daemon.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows one log file from a position on: each {@link #poll} returns the complete lines written
 * since the last one. It notices a file that was truncated or replaced (rotation) and starts over
 * at its beginning. A partial last line is held back until its newline arrives, or until it has
 * waited {@code partialFlushNanos} (a prompt that never ends its line still shows).
 *
 * <p>Thread: used by one connection thread only.
 */
public final class LogFollower {
  private static final int MAX_READ = 256 * 1024;

  private final Path file;
  private final long partialFlushNanos;
  private long position;
  private Object fileKey;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private long partialSince;

  /** Follows from the current end of the file (or its start, once it appears). */
  public LogFollower(Path file, long partialFlushNanos) {
    this.file = file;
    this.partialFlushNanos = partialFlushNanos;
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
      this.position = attrs.size();
      this.fileKey = attrs.fileKey();
    } catch (IOException e) {
      this.position = 0;
      this.fileKey = null;
    }
  }

  /** The byte offset up to which the file has been read. */
  public long position() {
    return position;
  }

  /** Complete lines written since the last call; {@code nowNanos} from a monotonic ticker. */
  public List<String> poll(long nowNanos) throws IOException {
    List<String> lines = new ArrayList<>();
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return lines;
    }
    if (!Objects.equals(attrs.fileKey(), fileKey) || attrs.size() < position) {
      if (partial.size() > 0) {
        lines.add(takePartial()); // the old file's unfinished line stays a line of its own
      }
      fileKey = attrs.fileKey();
      position = 0; // replaced or truncated: the new content starts at 0
    }
    if (attrs.size() > position) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(MAX_READ, attrs.size() - position));
        int n = ch.read(buf, position);
        if (n > 0) {
          position += n;
          byte[] bytes = buf.array();
          int from = 0;
          for (int i = 0; i < n; i++) {
            if (bytes[i] == '\n') {
              partial.write(bytes, from, i - from);
              lines.add(takePartial());
              from = i + 1;
            }
          }
          if (from < n) {
            if (partial.size() == 0) {
              partialSince = nowNanos;
            }
            partial.write(bytes, from, n - from);
          }
        }
      } catch (NoSuchFileException e) {
        return lines;
      }
    }
    if (partial.size() > 0
        && (nowNanos - partialSince >= partialFlushNanos || partial.size() >= LogTail.MAX_LINE_CHARS)) {
      lines.add(takePartial());
    }
    return lines;
  }

  private String takePartial() {
    String line = LogTail.clip(LogTail.stripCr(partial.toString(StandardCharsets.UTF_8)));
    partial.reset();
    return line;
  }
}
