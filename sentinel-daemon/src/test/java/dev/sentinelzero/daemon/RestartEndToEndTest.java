package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restart policies with real processes and a real daemon (issue 3). */
class RestartEndToEndTest {
  @TempDir Path tmp;
  private RunningDaemon daemon;
  private RunningDaemon.Client client;

  @BeforeEach
  void start() throws Exception {
    daemon = RunningDaemon.start(tmp.resolve("home"));
    client = daemon.client();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    daemon.close();
  }

  private Map<String, Object> define(String name, String cmd, Map<String, Object> restart) throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("cmd", cmd);
    args.put("shell", true);
    args.put("cwd", "/tmp");
    args.put("path", "/usr/bin:/bin");
    args.put("restart", restart);
    Response r = client.call("start", args);
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    return status(name);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> status(String name) throws Exception {
    Response r = client.call("status", Map.of("name", name));
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    return ((List<Map<String, Object>>) ((Response.Ok) r).result().get("processes")).get(0);
  }

  @Test
  void aProcessThatExitsAtOnce_isRestartedWithGrowingDelays_thenFails() throws Exception {
    define("crashy", "exit 1", Map.of("retries", 3, "jitter", 0));

    await().atMost(Duration.ofSeconds(30)).until(() -> status("crashy").get("state").equals("failed"));

    Map<String, Object> s = status("crashy");
    assertThat(s.get("reason_code")).isEqualTo("gave_up");
    assertThat((String) s.get("reason")).contains("exited with code 1").contains("4 failed starts");
    assertThat(((Number) s.get("restarts")).intValue()).isEqualTo(3);
    assertThat(daemon.log())
        .as("the delays grow: at once, then 200 ms, then 400 ms")
        .contains("restarting in 200ms")
        .contains("restarting in 400ms");
  }

  @Test
  @SuppressWarnings("unchecked")
  void restartPolicy_aDelayAboveTheCapWithoutMaxDelay_raisesTheCap_andTheAnswerSaysSo() throws Exception {
    define("my-script", "exec sleep 1000", Map.of());

    Response r = client.call("restart-policy", Map.of("name", "my-script", "restart", Map.of("retries", 3, "delay_ms", 18_000_000)));

    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    Map<String, Object> result = ((Response.Ok) r).result();
    assertThat(result.get("adjusted")).isEqualTo(Map.of("max_delay_ms", Map.of("from", 300_000, "to", 18_000_000)));
    Map<String, Object> restart = (Map<String, Object>) status("my-script").get("restart");
    assertThat(((Number) restart.get("max_delay_ms")).longValue()).isEqualTo(18_000_000L);

    Response refused = client.call("restart-policy", Map.of("name", "my-script", "restart", Map.of("max_delay_ms", 60_000)));
    assertThat(refused).isInstanceOf(Response.Failure.class);
    assertThat(((Response.Failure) refused).message()).contains("max_delay_ms 60000 is shorter than delay_ms 18000000");
  }

  @Test
  @SuppressWarnings("unchecked")
  void start_withWaitMs_answersWithTheEarlyExit_andAnOutOfRangeWaitIsRefused() throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "dies");
    args.put("cmd", "exit 4");
    args.put("shell", true);
    args.put("cwd", "/tmp");
    args.put("wait_ms", 1000);

    Response r = client.call("start", args);

    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    Map<String, Object> early = (Map<String, Object>) ((Response.Ok) r).result().get("early_exit");
    assertThat((Map<String, Object>) early.get("exit")).containsEntry("code", 4);
    Response tooLong = client.call("start", Map.of("name", "dies", "wait_ms", 3_600_000));
    assertThat(tooLong).isInstanceOf(Response.Failure.class);
    assertThat(((Response.Failure) tooLong).message()).contains("wait_ms");
  }

  @Test
  void aCleanExit_underOnFailure_isNotRestarted() throws Exception {
    define("once", "exit 0", Map.of());

    await().atMost(Duration.ofSeconds(20)).until(() -> status("once").get("state").equals("exited"));
    assertThat(((Number) status("once").get("restarts")).intValue()).isZero();
  }

  @Test
  void aProcessKilledFromOutside_isRestarted() throws Exception {
    long first = ((Number) define("victim", "exec sleep 1000", Map.of()).get("pid")).longValue();

    new ProcessBuilder("kill", "-KILL", Long.toString(first)).start().waitFor();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status("victim").get("pid") != null && ((Number) status("victim").get("pid")).longValue() != first);
    Map<String, Object> s = status("victim");
    assertThat(s.get("state")).isEqualTo("running");
    assertThat((String) s.get("reason")).contains("killed by SIGKILL");
    assertThat(ProcFs.zombieChildren(daemon.pid())).isEmpty();
  }

  @Test
  void aHealthCommandThatStartsFailing_getsItsProcessRestarted_andLeavesNoZombies() throws Exception {
    java.nio.file.Path flag = java.nio.file.Files.writeString(tmp.resolve("healthy"), "yes");
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "svc");
    args.put("argv", List.of("sleep", "1000"));
    args.put("cwd", "/tmp");
    args.put("path", "/usr/bin:/bin");
    args.put("health", Map.of(
        "kind", "cmd", "target", "sh -c 'test -f " + flag + " || { echo flag missing; exit 1; }'",
        "interval_ms", 200, "timeout_ms", 2000, "retries", 2));
    Response r = client.call("start", args);
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    long first = ((Number) status("svc").get("pid")).longValue();
    await().atMost(Duration.ofSeconds(20)).until(() -> "healthy".equals(status("svc").get("health")));

    java.nio.file.Files.delete(flag);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status("svc").get("pid") != null && ((Number) status("svc").get("pid")).longValue() != first);
    Map<String, Object> s = status("svc");
    assertThat((String) s.get("reason")).contains("unhealthy: flag missing");
    assertThat(ProcFs.exists(first)).isFalse();
    // A check that has just ended is a zombie until the group reaper's next pass (checks run every
    // 200 ms here): what must not happen is one that stays.
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcFs.zombieChildren(daemon.pid()).isEmpty());
  }

  @Test
  void aProcessThatAllocatesPastItsMemoryLimit_isRestartedWithTheMemoryReason() throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "hog");
    args.put("argv", List.of("tail", "/dev/zero")); // tail keeps the endless "line" in memory
    args.put("cwd", "/tmp");
    args.put("path", "/usr/bin:/bin");
    args.put("limits", Map.of("max_memory_bytes", 64 * 1024 * 1024, "action", "restart"));
    args.put("restart", Map.of("mode", "always", "min_uptime_ms", 0));
    Response r = client.call("start", args);
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    long first = ((Number) status("hog").get("pid")).longValue();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status("hog").get("pid") != null && ((Number) status("hog").get("pid")).longValue() != first);

    assertThat((String) status("hog").get("reason")).contains("memory limit");
    assertThat(client.call("stop", Map.of("name", "hog"))).isInstanceOf(Response.Ok.class);
  }

  @Test
  void aHealthCheckStillRunning_whenTheDaemonStops_isNotLeftBehind() throws Exception {
    String marker = Long.toString(300_000 + new java.util.Random().nextInt(600_000));
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "svc");
    args.put("argv", List.of("sleep", "1000"));
    args.put("cwd", "/tmp");
    args.put("path", "/usr/bin:/bin");
    args.put("health", Map.of("kind", "cmd", "target", "sleep " + marker, "interval_ms", 100, "timeout_ms", 60_000));
    assertThat(client.call("start", args)).isInstanceOf(Response.Ok.class);
    await().atMost(Duration.ofSeconds(20)).until(() -> !liveWithArgs("sleep\0" + marker + "\0").isEmpty());

    assertThat(daemon.stop()).isIn(0, 143);

    await().atMost(Duration.ofSeconds(10)).until(() -> liveWithArgs("sleep\0" + marker + "\0").isEmpty());
  }

  private static List<Long> liveWithArgs(String cmdline) throws java.io.IOException {
    List<Long> out = new java.util.ArrayList<>();
    try (java.nio.file.DirectoryStream<java.nio.file.Path> dirs =
        java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc"), "[0-9]*")) {
      for (java.nio.file.Path dir : dirs) {
        try {
          long pid = Long.parseLong(dir.getFileName().toString());
          if (java.nio.file.Files.readString(dir.resolve("cmdline")).equals(cmdline) && !"Z".equals(ProcFs.state(pid))) {
            out.add(pid);
          }
        } catch (java.io.IOException e) {
          // gone meanwhile
        }
      }
    }
    return out;
  }
}
