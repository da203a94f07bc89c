package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.Request;
import dev.sentinelzero.protocol.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A thousand supervised processes at once: started, listed, and all gone after the daemon stops. */
class ScaleEndToEndTest {
  static final int PROCESSES = 1000;
  @TempDir Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void aThousandProcesses_runAtOnce_andAllStopWithTheDaemon() throws Exception {
    try (RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home"))) {
      long threadsBefore = threadCount(daemon.pid());
      List<Long> pids = new ArrayList<>();
      try (RunningDaemon.Client c = daemon.client()) {
        // Pipelined over one connection: a writer sends every request while this thread reads
        // the replies, which come back in order.
        java.util.concurrent.CompletableFuture<Void> writer =
            java.util.concurrent.CompletableFuture.runAsync(
                () -> {
                  try {
                    for (int i = 0; i < PROCESSES; i++) {
                      Map<String, Object> args = new LinkedHashMap<>();
                      args.put("name", "s" + i);
                      args.put("argv", List.of("sleep", "1000"));
                      args.put("cwd", "/tmp");
                      args.put("path", "/usr/bin:/bin");
                      c.out.write(Request.of(i, "start", args));
                    }
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
        for (int i = 0; i < PROCESSES; i++) {
          Response r = c.next();
          assertThat(r).as("reply %d: %s", i, r).isInstanceOf(Response.Ok.class);
          Map<String, Object> p = (Map<String, Object>) ((Response.Ok) r).result().get("process");
          pids.add(((Number) p.get("pid")).longValue());
        }
        writer.get(60, java.util.concurrent.TimeUnit.SECONDS);
        Response status = c.call("status", Map.of());
        List<Map<String, Object>> all = (List<Map<String, Object>>) ((Response.Ok) status).result().get("processes");
        assertThat(all).hasSize(PROCESSES).allSatisfy(p -> assertThat(p.get("state")).isEqualTo("running"));
      }
      assertThat(pids).allSatisfy(pid -> assertThat(ProcFs.state(pid)).isIn("S", "R"));
      assertThat(threadCount(daemon.pid()) - threadsBefore)
          .as("threads added for %d processes", PROCESSES)
          .isLessThan(10);

      assertThat(daemon.stop()).isIn(0, 143);
      assertThat(pids).allSatisfy(pid -> assertThat(ProcFs.exists(pid)).as("pid %d", pid).isFalse());
    }
  }

  private static long threadCount(long pid) throws Exception {
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("Threads:")) {
        return Long.parseLong(line.substring(8).trim());
      }
    }
    throw new IllegalStateException("no thread count for " + pid);
  }
}
