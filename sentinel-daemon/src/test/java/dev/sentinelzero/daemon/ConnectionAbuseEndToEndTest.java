package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Response;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection abuse against a real daemon with its shipped heap (issue 12, "Hostile or careless
 * clients"): 256 idle or dripping connections, 200 connections sending 1 MiB frames. Other
 * clients are served throughout, and supervision goes on.
 */
@EnabledOnOs(OS.LINUX)
class ConnectionAbuseEndToEndTest {
  @TempDir Path tmp;

  private static Map<String, Object> sleeper(String name) {
    return Map.of("name", name, "argv", List.of("/bin/sleep", "1000"), "cwd", "/tmp");
  }

  private static SocketChannel open(RunningDaemon daemon) throws Exception {
    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
    c.connect(UnixDomainSocketAddress.of(daemon.paths.socket()));
    return c;
  }

  @Test
  void twoHundredFiftySixIdleOrDrippingConnections_doNotLockOutAClient() throws Exception {
    try (RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home"), Map.of(), "-Xmx128m")) {
      List<SocketChannel> held = new ArrayList<>();
      ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
      try {
        for (int i = 0; i < 256; i++) {
          SocketChannel c = open(daemon);
          if (i % 2 == 1) {
            c.write(ByteBuffer.wrap("{\"v\":1,".getBytes(StandardCharsets.UTF_8)));
          }
          held.add(c);
        }
        drip.scheduleAtFixedRate(
            () -> {
              for (int i = 1; i < held.size(); i += 2) {
                try {
                  held.get(i).write(ByteBuffer.wrap(new byte[] {' '})); // a byte a second
                } catch (Exception e) {
                  // closed by the daemon to make room: expected for some
                }
              }
            },
            0,
            1,
            TimeUnit.SECONDS);

        for (int round = 0; round < 5; round++) {
          try (RunningDaemon.Client c = daemon.client()) {
            Response r = c.call("status", Map.of());
            assertThat(r).as("round %d: %s", round, r).isInstanceOf(Response.Ok.class);
          }
        }
      } finally {
        drip.shutdownNow();
        for (SocketChannel c : held) {
          c.close();
        }
      }
    }
  }

  @Test
  void twoHundredConnectionsOfOneMebibyteFrames_leaveSmallRequestsAndSupervisionWorking()
      throws Exception {
    try (RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home"), Map.of(), "-Xmx128m");
        RunningDaemon.Client c = daemon.client()) {
      assertThat(c.call("start", sleeper("web"))).isInstanceOf(Response.Ok.class);
      long webPid = pid(c, "web");
      byte[] frame =
          ("{\"v\":1,\"id\":\"big\",\"cmd\":\"ping\",\"args\":{\"pad\":\"" + "x".repeat((1 << 20) - 100) + "\"}}\n")
              .getBytes(StandardCharsets.UTF_8);
      ExecutorService senders = Executors.newFixedThreadPool(20);
      List<Future<String>> outcomes = new ArrayList<>();
      List<RunningDaemon.Client> held = java.util.Collections.synchronizedList(new ArrayList<>());
      try {
        for (int i = 0; i < 200; i++) {
          outcomes.add(
              senders.submit(
                  () -> {
                    RunningDaemon.Client big = daemon.client(); // held open to the end, as an attacker would
                    held.add(big);
                    for (int k = 0; k < 3; k++) {
                      big.sendRaw(frame);
                    }
                    String codes = "";
                    for (int k = 0; k < 3; k++) {
                      Response r = big.next();
                      codes += r instanceof Response.Failure ? ((Response.Failure) r).code().wireName() + " " : "ok ";
                    }
                    return codes;
                  }));
        }
        // Meanwhile: small requests and supervision.
        for (int i = 0; i < 20; i++) {
          assertThat(c.call("status", Map.of("name", "web"))).isInstanceOf(Response.Ok.class);
        }
        List<String> codes = new ArrayList<>();
        for (Future<String> f : outcomes) {
          codes.add(f.get(5, TimeUnit.MINUTES));
        }
        assertThat(String.join("", codes))
            .as("each large frame answered: invalid_argument (ping takes no pad) or unavailable")
            .doesNotContain("internal", "ok");
        assertThat(c.call("status", Map.of("name", "web"))).isInstanceOf(Response.Ok.class);
      } finally {
        senders.shutdownNow();
        for (RunningDaemon.Client h : held) {
          h.close();
        }
      }
      assertThat(daemon.process().isAlive()).isTrue();
      assertThat(daemon.log()).doesNotContain("OutOfMemoryError");
      // Supervision went on: kill web, and it is restarted.
      Runtime.getRuntime().exec(new String[] {"kill", "-9", Long.toString(webPid)}).waitFor();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> pid(c, "web") != webPid && "running".equals(state(c, "web")));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> process(RunningDaemon.Client c, String name) throws Exception {
    Response r = c.call("status", Map.of("name", name));
    assertThat(r).isInstanceOf(Response.Ok.class);
    return ((List<Map<String, Object>>) ((Response.Ok) r).result().get("processes")).get(0);
  }

  private static long pid(RunningDaemon.Client c, String name) throws Exception {
    Object pid = process(c, name).get("pid");
    return pid == null ? -1 : ((Number) pid).longValue();
  }

  private static String state(RunningDaemon.Client c, String name) throws Exception {
    return (String) process(c, name).get("state");
  }
}
