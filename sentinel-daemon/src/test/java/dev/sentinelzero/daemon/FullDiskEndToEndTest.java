package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon whose home is on a 2 MiB file system that a chatty process fills (issue 12, "A full
 * disk"), end to end, as the user sees it: every answer says what happened, the daemon reports
 * the full disk where the user looks, stopping needs no space, a daemon starts on a full disk and
 * serves status, stop and remove, the store recovers by itself once space is freed, and no
 * acknowledged change is lost. Needs root to mount a tmpfs; skipped, with the reason, elsewhere.
 */
class FullDiskEndToEndTest {
  @TempDir Path tmp;
  private Path mnt;
  private Path home;
  private RunningDaemon daemon;
  private final List<Long> pids = new ArrayList<>();

  @BeforeEach
  void mount() throws Exception {
    mnt = tmp.resolve("mnt");
    Files.createDirectories(mnt);
    assumeTrue(mountTmpfs(mnt, "2m"), "cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
    home = mnt.resolve("home");
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (daemon != null) {
      daemon.process().destroyForcibly();
      daemon.process().waitFor(30, TimeUnit.SECONDS);
    }
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    if (mnt != null) {
      new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFullDisk_neverMakesAnAnswerLie_isReported_andTheDaemonRecoversOnceSpaceIsFreed() throws Exception {
    daemon = RunningDaemon.start(home, tmp.resolve("daemon.out"));
    String unsavedName;
    try (RunningDaemon.Client c = daemon.client()) {
      for (String name : List.of("keep", "doomed")) {
        Response r = c.call("start", spec(name, "sleep", "1000"));
        assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
        pids.add(((Number) process(r).get("pid")).longValue());
      }
      // A chatty process fills the disk with its output and keeps trying.
      Map<String, Object> chatty = spec("chatty", "yes", "y".repeat(1000));
      chatty.put("restart", Map.of("mode", "always", "retries", -1, "delay_ms", 100, "max_delay_ms", 500));
      assertThat(c.call("start", chatty)).isInstanceOf(Response.Ok.class);
      await().atMost(Duration.ofSeconds(30)).until(() -> free(mnt) < 8192);

      // Changes go on being answered for what they did, until one says it is not saved.
      String warned = null;
      int n = 0;
      while (warned == null && n < 200) {
        String name = "s" + n++;
        Response r = c.call("start", spec(name, "sleep", "1000"));
        assertThat(r).as("start %s on a full disk: %s", name, r).isInstanceOf(Response.Ok.class);
        Map<String, Object> process = process(r);
        assertThat(process.get("state")).isEqualTo("running");
        long pid = ((Number) process.get("pid")).longValue();
        pids.add(pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("%s runs, as answered", name).contains(true);
        warned = (String) ((Response.Ok) r).result().get("warning");
      }
      assertThat(warned).as("an answer says the change is not saved").isNotNull()
          .contains("the disk is full", "not saved yet");
      unsavedName = "s" + (n - 1);

      // Where the user looks: daemon status, and the process's status.
      Map<String, Object> disk = disk(c);
      assertThat(disk.get("state")).isEqualTo("full");
      assertThat((String) disk.get("message")).contains("free some space");
      assertThat(((Number) disk.get("unsaved_changes")).intValue()).isPositive();
      assertThat((String) status(c, unsavedName).get("warning")).contains("not saved");

      // Stopping needs no space.
      Response stopped = c.call("stop", Map.of("name", unsavedName));
      assertThat(stopped).as("%s", stopped).isInstanceOf(Response.Ok.class);
      assertThat(process(stopped).get("state")).isEqualTo("stopped");
      assertThat(c.call("stop", Map.of("name", "chatty"))).isInstanceOf(Response.Ok.class);

      // Space comes back: the daemon saves by itself, says so, and answers without a warning.
      Files.deleteIfExists(home.resolve("logs/chatty.out.log"));
      await().atMost(Duration.ofSeconds(30)).until(() -> "ok".equals(disk(c).get("state")));
      assertThat(events(c, "disk")).anySatisfy(m -> assertThat(m).startsWith("space is back"));
      Response after = c.call("start", spec("after", "sleep", "1000"));
      assertThat(((Response.Ok) after).result()).doesNotContainKey("warning");
      pids.add(((Number) process(after).get("pid")).longValue());
      assertThat(status(c, unsavedName).get("warning")).isNull();

      // Full again: daemon stop still stops everything.
      fill(mnt.resolve("filler"));
      Response r = c.call("daemon.stop", Map.of());
      assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
      assertThat(((Response.Ok) r).result().get("stopped_all")).isEqualTo(true);
    }
    assertThat(daemon.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(daemon.process().exitValue()).isZero();
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
    }

    // A daemon starts on the full disk, says so, and serves status, stop and remove.
    assertThat(free(mnt)).isLessThan(8192);
    daemon.launch();
    try (RunningDaemon.Client c = daemon.client()) {
      assertThat(disk(c).get("state")).isEqualTo("full");
      assertThat(daemon.output()).contains("the disk is full");
      Response status = c.call("status", Map.of());
      assertThat(status).isInstanceOf(Response.Ok.class);
      Map<String, Object> again = status(c, "after");
      assertThat(again.get("state")).as("started again with the daemon").isEqualTo("running");
      pids.add(((Number) again.get("pid")).longValue());
      assertThat(c.call("stop", Map.of("name", "after"))).isInstanceOf(Response.Ok.class);
      Response removed = c.call("remove", Map.of("name", "doomed"));
      assertThat(removed).as("%s", removed).isInstanceOf(Response.Ok.class);

      Files.delete(mnt.resolve("filler"));
      await().atMost(Duration.ofSeconds(30)).until(() -> "ok".equals(disk(c).get("state")));
    }
    daemon.restart();
    try (RunningDaemon.Client c = daemon.client()) {
      assertThat(status(c, "after").get("state")).as("its stop on a full disk was kept").isEqualTo("stopped");
      assertThat(c.call("status", Map.of("name", "doomed"))).as("its removal was kept").isInstanceOf(Response.Failure.class);
      assertThat(status(c, unsavedName).get("state")).isEqualTo("stopped");
      Map<String, Object> keep = status(c, "keep");
      assertThat(keep.get("state")).isEqualTo("running");
      pids.add(((Number) keep.get("pid")).longValue());
    }
    assertThat(daemon.stop()).isIn(0, 143);
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("sentinel.db"));
        Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("ok");
    }
  }

  private static Map<String, Object> spec(String name, String... argv) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("argv", List.of(argv));
    args.put("cwd", "/tmp");
    args.put("path", "/usr/bin:/bin");
    return args;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> process(Response r) {
    return (Map<String, Object>) ((Response.Ok) r).result().get("process");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(RunningDaemon.Client c, String name) throws IOException {
    Response r = c.call("status", Map.of("name", name));
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    return ((List<Map<String, Object>>) ((Response.Ok) r).result().get("processes")).get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> disk(RunningDaemon.Client c) throws IOException {
    Response r = c.call("daemon.status", Map.of());
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    return (Map<String, Object>) ((Response.Ok) r).result().get("disk");
  }

  @SuppressWarnings("unchecked")
  private static List<String> events(RunningDaemon.Client c, String kind) throws IOException {
    Response r = c.call("events", Map.of("limit", 1000));
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    List<String> out = new ArrayList<>();
    for (Map<String, Object> e : (List<Map<String, Object>>) ((Response.Ok) r).result().get("events")) {
      if (kind.equals(e.get("kind"))) {
        out.add((String) e.get("message"));
      }
    }
    return out;
  }

  private static long free(Path dir) throws IOException {
    return Files.getFileStore(dir).getUsableSpace();
  }

  private static void fill(Path filler) throws IOException {
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
    }
  }

  static boolean mountTmpfs(Path dir, String size) throws Exception {
    if (!"root".equals(System.getProperty("user.name"))) {
      return false;
    }
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString())
        .redirectErrorStream(true).start();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
