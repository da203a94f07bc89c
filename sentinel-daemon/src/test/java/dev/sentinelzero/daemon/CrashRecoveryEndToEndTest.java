package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon killed with SIGKILL: its processes live on, and the next daemon adopts them. */
class CrashRecoveryEndToEndTest {
  @TempDir Path tmp;

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(RunningDaemon.Client c, String name) throws Exception {
    Response r = c.call("status", Map.of("name", name));
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    return ((List<Map<String, Object>>) ((Response.Ok) r).result().get("processes")).get(0);
  }

  private static long pid(Map<String, Object> p) {
    return ((Number) p.get("pid")).longValue();
  }

  @Test
  void afterSigkill_theNextDaemonAdoptsTheSamePids_stopsTheirTrees_andRestartsOnesThatEnd() throws Exception {
    try (RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home"))) {
      List<Long> pids = new ArrayList<>();
      try (RunningDaemon.Client c = daemon.client()) {
        for (String name : List.of("a", "b", "tree")) {
          Map<String, Object> args = new LinkedHashMap<>();
          args.put("name", name);
          args.put("cmd", name.equals("tree") ? "sleep 1000 & sleep 1000 & wait" : "sleep 1000");
          args.put("shell", name.equals("tree"));
          args.put("cwd", "/tmp");
          args.put("path", "/usr/bin:/bin");
          assertThat(c.call("start", args)).isInstanceOf(Response.Ok.class);
          pids.add(pid(status(c, name)));
        }
      }
      long treeGroup = pids.get(2);
      await().atMost(Duration.ofSeconds(10)).until(() -> ProcFs.liveInGroup(treeGroup).size() == 3);

      daemon.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(pids).allSatisfy(p -> assertThat(ProcFs.state(p)).as("pid %d lives on", p).isIn("S", "R"));

      daemon.launch();

      try (RunningDaemon.Client c = daemon.client()) {
        assertThat(pid(status(c, "a"))).isEqualTo(pids.get(0));
        assertThat(pid(status(c, "b"))).isEqualTo(pids.get(1));
        assertThat(status(c, "a").get("state")).isEqualTo("running");
        assertThat((String) status(c, "a").get("reason")).contains("adopted");

        // stop reaches the whole group of an adopted process
        assertThat(c.call("stop", Map.of("name", "tree"))).isInstanceOf(Response.Ok.class);
        assertThat(ProcFs.liveInGroup(treeGroup)).isEmpty();

        // an adopted process that ends is noticed and restarted by its policy
        new ProcessBuilder("kill", "-TERM", Long.toString(pids.get(1))).start().waitFor();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> status(c, "b").get("pid") != null && pid(status(c, "b")) != pids.get(1));
        Map<String, Object> b = status(c, "b");
        assertThat(b.get("state")).isEqualTo("running");
        assertThat(((Map<String, Object>) b.get("last_exit")).get("kind")).isEqualTo("unknown");
      }
    }
  }

  @Test
  void stopWithKeepRunning_leavesProcessesUninterrupted_forTheNextDaemon() throws Exception {
    try (RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home2"))) {
      long pid;
      String startedAt;
      try (RunningDaemon.Client c = daemon.client()) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("name", "svc");
        args.put("argv", List.of("sleep", "1000"));
        args.put("cwd", "/tmp");
        args.put("path", "/usr/bin:/bin");
        assertThat(c.call("start", args)).isInstanceOf(Response.Ok.class);
        pid = pid(status(c, "svc"));
        startedAt = (String) status(c, "svc").get("started_at");
        Response stop = c.call("daemon.stop", Map.of("keep_running", true));
        assertThat(stop).isInstanceOf(Response.Ok.class);
      }
      assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(ProcFs.state(pid)).as("still running after the daemon stopped").isIn("S", "R");

      daemon.launch();

      try (RunningDaemon.Client c = daemon.client()) {
        Map<String, Object> svc = status(c, "svc");
        assertThat(pid(svc)).isEqualTo(pid);
        assertThat(svc.get("started_at")).isEqualTo(startedAt);
        assertThat(((Number) svc.get("uptime_ms")).longValue()).isPositive();
        assertThat(((Number) svc.get("restarts")).intValue()).isZero();
      }
    }
  }

  @Test
  void processesSpawnedButNeverRecorded_areFoundByTheirMarker_adoptedOrStopped() throws Exception {
    Path home = tmp.resolve("home3");
    try (RunningDaemon daemon = RunningDaemon.start(home)) {
      long pid;
      try (RunningDaemon.Client c = daemon.client()) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("name", "svc");
        args.put("argv", List.of("sleep", "1000"));
        args.put("cwd", "/tmp");
        args.put("path", "/usr/bin:/bin");
        assertThat(c.call("start", args)).isInstanceOf(Response.Ok.class);
        pid = pid(status(c, "svc"));
      }
      daemon.process().destroyForcibly();
      assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      // As if the daemon had died between posix_spawn and recording the pid:
      try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + daemon.paths.database());
          java.sql.Statement st = db.createStatement()) {
        st.executeUpdate("DELETE FROM runs");
      }
      // ... and a marked process whose definition never got committed.
      String homeId = java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(home.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 12);
      Process stray = new ProcessBuilder("setsid", "sleep", "1001").start();
      stray.getOutputStream().close();
      ProcessBuilder marked = new ProcessBuilder("setsid", "sleep", "1002");
      marked.environment().put("SENTINEL_HOME_ID", homeId);
      marked.environment().put("SENTINEL_NAME", "ghost");
      Process ghost = marked.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> "S".equals(ProcFs.state(ghost.pid())));

      daemon.launch();

      try (RunningDaemon.Client c = daemon.client()) {
        assertThat(pid(status(c, "svc"))).as("adopted, not started twice").isEqualTo(pid);
      }
      await().atMost(Duration.ofSeconds(15)).until(() -> !ghost.isAlive());
      assertThat(stray.isAlive()).as("an unmarked process is none of its business").isTrue();
      stray.destroyForcibly();
    }
  }
}
