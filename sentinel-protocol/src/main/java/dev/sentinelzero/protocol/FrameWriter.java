package dev.sentinelzero.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes frames: one compact JSON object and a newline, flushed. Thread-safe, so a stream's events
 * and its final message never interleave mid-line.
 */
public final class FrameWriter {
  private final OutputStream out;

  public FrameWriter(OutputStream out) {
    this.out = out;
  }

  public synchronized void write(Map<String, Object> message) throws IOException {
    byte[] bytes = (Json.write(message) + "\n").getBytes(StandardCharsets.UTF_8);
    out.write(bytes);
    out.flush();
  }

  public void write(Response response) throws IOException {
    write(response.toJson());
  }

  public void write(Request request) throws IOException {
    write(request.toJson());
  }
}
