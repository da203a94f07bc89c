package dev.sentinelzero.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

  @Test
  void write_writesOneLinePerMessage_flushingEach() throws Exception {
    List<String> flushedAt = new ArrayList<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) {
            bytes.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
          }

          @Override
          public void flush() {
            flushedAt.add(bytes.toString(UTF_8));
          }
        };
    FrameWriter writer = new FrameWriter(out);

    writer.write(Request.of("1", Commands.PING, Map.of()));
    writer.write(new Response.Event("1", "log", Map.of("text", "multi\nline\r\ntext")));
    writer.write(new Response.Ok("1", Map.of()));

    String written = bytes.toString(UTF_8);
    assertThat(written).endsWith("\n");
    assertThat(written.split("\n", -1)).hasSize(4); // three lines and the empty rest
    assertThat(flushedAt).hasSize(3).allSatisfy(s -> assertThat(s).endsWith("\n"));
  }

  @Test
  void write_producesFramesThatFrameReaderReadsBack() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FrameWriter writer = new FrameWriter(bytes);
    Request request = Request.of(5, Commands.LOGS, Map.of("name", "web", "follow", true));
    Response event = new Response.Event(5, "log", Map.of("text", "line\nwith newline"));
    Response ok = new Response.Ok(5, Map.of("ended", "the daemon is stopping"));

    writer.write(request);
    writer.write(event);
    writer.write(ok);

    FrameReader reader =
        new FrameReader(new ByteArrayInputStream(bytes.toByteArray()), Protocol.MAX_FRAME_BYTES);
    assertThat(Request.fromJson(Json.parseObject(reader.next()))).isEqualTo(request);
    assertThat(Response.parse(reader.next())).isEqualTo(event);
    assertThat(Response.parse(reader.next())).isEqualTo(ok);
    assertThat(reader.next()).isNull();
  }

  @Test
  void write_fromManyThreads_neverInterleavesLines() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // Passes bytes on one at a time, like a stream that is not atomic per write call.
    OutputStream bytewise =
        new OutputStream() {
          @Override
          public void write(int b) {
            bytes.write(b);
          }
        };
    FrameWriter writer = new FrameWriter(bytewise);
    int threads = 4;
    int perThread = 250;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < perThread; i++) {
                    writer.write(
                        new Response.Event(thread + "-" + i, "log", Map.of("text", "x".repeat(i))));
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    Set<Object> ids = new HashSet<>();
    FrameReader reader =
        new FrameReader(new ByteArrayInputStream(bytes.toByteArray()), Protocol.MAX_FRAME_BYTES);
    for (String frame = reader.next(); frame != null; frame = reader.next()) {
      ids.add(Response.parse(frame).id());
    }
    assertThat(ids).hasSize(threads * perThread);
  }

  @Test
  void write_propagatesFailureOfTheStream() {
    FrameWriter writer =
        new FrameWriter(
            new OutputStream() {
              @Override
              public void write(int b) throws IOException {
                throw new IOException("broken pipe");
              }
            });

    assertThatThrownBy(() -> writer.write(new Response.Ok("1", Map.of())))
        .isInstanceOf(IOException.class)
        .hasMessage("broken pipe");
  }
}
