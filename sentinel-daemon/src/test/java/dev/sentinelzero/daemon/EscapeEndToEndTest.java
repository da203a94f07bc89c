package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #9, "Nothing escapes stop", against a real daemon: a process whose grandchildren leave its
 * process group ({@code setsid}, {@code setsid -f}, a double fork plus setsid, and one of them
 * ignoring SIGTERM, so that only the SIGKILL after the timeout ends it) leaves nothing behind
 * across {@code stop}, {@code restart}, {@code remove}, {@code daemon.stop} and its own exit.
 * Survivors are counted by scanning /proc for the home's marker: 0. A sibling {@code allow} run is
 * not touched by the end of another run of the same job.
 */
@EnabledOnOs(OS.LINUX)
class EscapeEndToEndTest {
  /** Four ways out of the group; the last ignores SIGTERM. */
  private static final String ESCAPING =
      "setsid sleep 7781 & setsid -f sleep 7782; (setsid sleep 7783 &);"
          + " setsid sh -c \"trap '' TERM; exec sleep 7784\" & wait";

  @TempDir Path tmp;
  private RunningDaemon daemon;
  private String homeId;

  @RegisterExtension
  final TestWatcher printLogOnFailure =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (daemon != null) {
            System.err.println("---- daemon log of " + context.getDisplayName() + " ----\n" + daemon.log());
          }
        }
      };

  @BeforeEach
  void startDaemon() throws Exception {
    daemon = RunningDaemon.start(tmp.resolve("home"));
  }

  @AfterEach
  void stopDaemon() throws Exception {
    daemon.close();
    if (homeId != null) {
      for (ProcFs.Marked m : marked()) { // never leave a failed test's processes running
        ProcessHandle.of(m.pid()).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private Map<String, Object> define(String name, String cmd) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("cmd", cmd);
    args.put("shell", true);
    args.put("cwd", tmp.toString());
    args.put("path", "/usr/bin:/bin");
    args.put("stop_timeout_ms", 1000);
    return args;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> ok(Response r, String key) {
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    return (Map<String, Object>) ((Response.Ok) r).result().get(key);
  }

  /** Starts the escaping process and waits until its four escapees are out of its group. */
  private long startEscaping(RunningDaemon.Client c, String name) throws Exception {
    long pgid = ((Number) ok(c.call("start", define(name, ESCAPING)), "process").get("pid")).longValue();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> !ProcFs.environment(pgid).getOrDefault("SENTINEL_HOME_ID", "").isEmpty());
    homeId = homeIdOf(c);
    assertThat(ProcFs.environment(pgid).get("SENTINEL_HOME_ID")).isEqualTo(homeId);
    await().atMost(Duration.ofSeconds(10)).until(() -> escapees(pgid).size() == 4);
    return pgid;
  }

  @SuppressWarnings("unchecked")
  private static Object state(Response r) {
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    return ((List<Map<String, Object>>) ((Response.Ok) r).result().get("processes")).get(0).get("state");
  }

  private List<ProcFs.Marked> marked() {
    return ProcFs.liveWithEnv("SENTINEL_HOME_ID", homeId);
  }

  /** The run's sleeps outside its group. */
  private List<ProcFs.Marked> escapees(long pgid) {
    String run = ProcFs.environment(pgid).get("SENTINEL_RUN_ID");
    return marked().stream()
        .filter(m -> m.pgrp() != pgid && m.comm().equals("sleep"))
        .filter(m -> m.env().get("SENTINEL_RUN_ID").equals(run))
        .toList();
  }

  @Test
  void stop_endsEveryEscapedGrandchild_beforeItAnswers() throws Exception {
    try (RunningDaemon.Client c = daemon.client()) {
      startEscaping(c, "web");

      Map<String, Object> stopped = ok(c.call("stop", Map.of("name", "web")), "process");

      assertThat(stopped.get("state")).isEqualTo("stopped");
      assertThat(marked()).as("processes of the home left after stop").isEmpty();
    }
  }

  @Test
  void restart_endsTheOldRunsEscapees_andTheNewRunHasItsOwnMarker() throws Exception {
    try (RunningDaemon.Client c = daemon.client()) {
      long old = startEscaping(c, "web");
      String oldRun = ProcFs.environment(old).get("SENTINEL_RUN_ID");

      ok(c.call("restart", Map.of("name", "web")), "process");

      assertThat(ProcFs.liveWithEnv("SENTINEL_RUN_ID", oldRun)).as("the old run's processes").isEmpty();
      assertThat(marked()).allSatisfy(m -> assertThat(m.env().get("SENTINEL_RUN_ID")).isNotEqualTo(oldRun));
      ok(c.call("stop", Map.of("name", "web")), "process");
      assertThat(marked()).isEmpty();
    }
  }

  @Test
  void remove_endsEveryEscapedGrandchild() throws Exception {
    try (RunningDaemon.Client c = daemon.client()) {
      startEscaping(c, "web");

      assertThat(c.call("remove", Map.of("name", "web"))).isInstanceOf(Response.Ok.class);

      assertThat(marked()).isEmpty();
    }
  }

  @Test
  void daemonStop_endsEveryProcessOfTheHome_includingOnesNoRunOwns() throws Exception {
    Process stray;
    try (RunningDaemon.Client c = daemon.client()) {
      startEscaping(c, "web");
      startEscaping(c, "api");
      // One that no run of this daemon owns (as if left by an earlier daemon), in its own session.
      ProcessBuilder pb = new ProcessBuilder("setsid", "sleep", "7799");
      pb.environment().put("SENTINEL_HOME_ID", homeId);
      pb.environment().put("SENTINEL_NAME", "ghost");
      pb.environment().put("SENTINEL_RUN_ID", "an-earlier-daemon.1");
      stray = pb.start();

      Response answer = c.call("daemon.stop", Map.of());
      assertThat(answer).as("%s", answer).isInstanceOf(Response.Ok.class);
    }
    assertThat(daemon.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(stray.waitFor(10, TimeUnit.SECONDS)).as("the stray ended").isTrue();
    assertThat(marked()).as("processes of the home left after daemon stop").isEmpty();
  }

  @Test
  void aRunThatExitsByItself_takesItsEscapeesWithIt() throws Exception {
    try (RunningDaemon.Client c = daemon.client()) {
      Map<String, Object> args = define("once", "setsid sleep 7785 & (setsid sleep 7786 &); exit 0");
      args.put("restart", Map.of("mode", "never"));
      long pgid = ((Number) ok(c.call("start", args), "process").get("pid")).longValue();
      homeId = homeIdOf(c);
      assertThat(pgid).isPositive();

      await().atMost(Duration.ofSeconds(20))
          .until(() -> "exited".equals(state(c.call("status", Map.of("name", "once")))));
      await().atMost(Duration.ofSeconds(20)).until(() -> marked().isEmpty());
    }
  }

  @Test
  void theEndOfOneAllowRun_leavesItsSiblingAndTheSiblingsEscapee() throws Exception {
    Map<String, Object> args = define("batch",
        "setsid sleep 7787 & if mkdir first.lock 2>/dev/null; then"
            + " while [ ! -e go ]; do sleep 0.05; done; exit 0; fi; exec sleep 300");
    args.put("schedule", Map.of("cron", "0 3 1 1 *", "overlap", "allow"));
    try (RunningDaemon.Client c = daemon.client()) {
      assertThat(c.call("schedule", args)).isInstanceOf(Response.Ok.class);
      assertThat(c.call("schedule.run", Map.of("name", "batch"))).isInstanceOf(Response.Ok.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.isDirectory(tmp.resolve("first.lock")));
      assertThat(c.call("schedule.run", Map.of("name", "batch"))).isInstanceOf(Response.Ok.class);
      homeId = homeIdOf(c);
      await().atMost(Duration.ofSeconds(10)).until(() -> runs().size() == 2
          && runs().values().stream().allMatch(ps -> ps.stream().anyMatch(m -> m.comm().equals("sleep") && m.pgrp() == m.pid())));
      String first = runs().entrySet().stream()
          .filter(e -> e.getValue().stream().anyMatch(m -> m.comm().equals("sh")))
          .map(Map.Entry::getKey).findFirst().orElseThrow();
      String sibling = runs().keySet().stream().filter(r -> !r.equals(first)).findFirst().orElseThrow();

      Files.createFile(tmp.resolve("go"));

      await().atMost(Duration.ofSeconds(20)).until(() -> !runs().containsKey(first));
      List<ProcFs.Marked> left = runs().get(sibling);
      assertThat(left).as("the sibling run: its leader and its escapee").hasSize(2);
      assertThat(left.stream().map(ProcFs.Marked::pgrp).collect(Collectors.toSet())).hasSize(2);

      assertThat(c.call("remove", Map.of("name", "batch"))).isInstanceOf(Response.Ok.class);
      assertThat(marked()).isEmpty();
    }
  }

  @Test
  void afterADaemonCrash_anAdoptedRunKeepsItsEscapees_untilItIsStopped() throws Exception {
    long pgid;
    try (RunningDaemon.Client c = daemon.client()) {
      pgid = startEscaping(c, "web");
    }
    List<Long> before = escapees(pgid).stream().map(ProcFs.Marked::pid).toList();
    daemon.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9

    daemon.launch();

    try (RunningDaemon.Client c = daemon.client()) {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> "running".equals(state(c.call("status", Map.of("name", "web")))));
      assertThat(escapees(pgid).stream().map(ProcFs.Marked::pid).toList())
          .as("the adopted run's escapees, spared by the start-up sweep")
          .containsExactlyInAnyOrderElementsOf(before);

      ok(c.call("stop", Map.of("name", "web")), "process");

      assertThat(marked()).isEmpty();
    }
  }

  @Test
  void afterADaemonCrash_theEscapeesOfARunThatEndedMeanwhile_areEndedAtStart() throws Exception {
    long pgid;
    try (RunningDaemon.Client c = daemon.client()) {
      Map<String, Object> args = define("web", "setsid sleep 7792 & exec sleep 1000");
      pgid = ((Number) ok(c.call("start", args), "process").get("pid")).longValue();
      homeId = homeIdOf(c);
      await().atMost(Duration.ofSeconds(10)).until(() -> marked().size() == 2);
    }
    daemon.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9
    ProcessHandle.of(pgid).ifPresent(ProcessHandle::destroyForcibly); // the leader ends meanwhile
    await().atMost(Duration.ofSeconds(10))
        .until(() -> ProcFs.state(pgid) == null || "Z".equals(ProcFs.state(pgid)));
    List<ProcFs.Marked> orphans = marked();
    assertThat(orphans).as("the orphaned escapee").hasSize(1);
    long orphan = orphans.get(0).pid();

    daemon.launch();

    // The run is gone, so the daemon starts the process again; the old run's escapee is ended.
    await().atMost(Duration.ofSeconds(20))
        .until(() -> ProcFs.state(orphan) == null || "Z".equals(ProcFs.state(orphan)));
    try (RunningDaemon.Client c = daemon.client()) {
      ok(c.call("stop", Map.of("name", "web")), "process");
    }
    assertThat(marked()).isEmpty();
  }

  @Test
  void aSymlinkPlantedAtTheLogPath_failsTheStartClearly_andTheTargetIsUntouched() throws Exception {
    Path logs = daemon.paths.logs();
    Files.createDirectories(logs);
    Path precious = tmp.resolve("precious.txt");
    Files.writeString(precious, "keep\n");
    Path dangling = tmp.resolve("nowhere").resolve("created.txt");
    Files.createSymbolicLink(logs.resolve("a.out.log"), precious);
    Files.createSymbolicLink(logs.resolve("b.out.log"), dangling);
    try (RunningDaemon.Client c = daemon.client()) {
      for (String name : List.of("a", "b")) {
        Response r = c.call("start", define(name, "echo written"));
        assertThat(r).as("%s", r).isInstanceOf(Response.Failure.class);
        assertThat(((Response.Failure) r).message())
            .contains(logs.resolve(name + ".out.log").toString())
            .contains("is a symbolic link");
      }
    }
    assertThat(Files.readString(precious)).isEqualTo("keep\n");
    assertThat(dangling).doesNotExist();
    assertThat(dangling.getParent()).doesNotExist();
  }

  /** The home's marker, computed as the daemon does (a hash of the home's path). */
  private String homeIdOf(RunningDaemon.Client c) throws Exception {
    byte[] digest =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(daemon.paths.home().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(digest, 0, 12);
  }

  /** The live marked processes of the home, by run id. */
  private Map<String, List<ProcFs.Marked>> runs() {
    return marked().stream().collect(Collectors.groupingBy(m -> m.env().get("SENTINEL_RUN_ID")));
  }
}
