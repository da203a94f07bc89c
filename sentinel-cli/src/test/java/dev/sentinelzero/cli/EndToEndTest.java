package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.Json;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's real entry point against a real daemon (its own JVM, started by the CLI's autostart
 * from the test class path) on a real Unix socket, with real child processes, under a temporary
 * {@code SENTINEL_HOME}.
 */
class EndToEndTest {
  @TempDir Path tmp;
  private Path home;
  private Context context;

  @RegisterExtension
  final TestWatcher printLogOnFailure =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext ctx, Throwable cause) {
          try {
            System.err.println(
                "---- daemon log of " + ctx.getDisplayName() + " ----\n"
                    + Files.readString(home.resolve("logs/daemon.log")));
          } catch (IOException e) {
            System.err.println("(no daemon log: " + e + ")");
          }
        }
      };

  @BeforeEach
  void setUp() throws IOException {
    home = tmp.resolve("home");
    Map<String, String> env = new HashMap<>();
    env.put("SENTINEL_HOME", home.toString());
    env.put("PATH", "/usr/bin:/bin");
    Path work = Files.createDirectories(tmp.resolve("work"));
    context = new Context(Map.copyOf(env), work, System.getProperty("java.class.path"), Context.DAEMON_MAIN_CLASS);
  }

  @AfterEach
  void tearDown() {
    Cli.Result r = sentinel("daemon", "stop");
    assertThat(r.exit()).as("%s", r).isZero();
  }

  private Cli.Result sentinel(String... args) {
    return Cli.run(context, args);
  }

  private Cli.Result ok(String... args) {
    Cli.Result r = sentinel(args);
    assertThat(r.exit()).as("sentinel %s\n%s", String.join(" ", args), r).isZero();
    return r;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> statusOf(String name) {
    Map<String, Object> json = json(ok("status", name, "--json").out());
    return ((List<Map<String, Object>>) json.get("processes")).get(0);
  }

  private static Map<String, Object> json(String text) {
    try {
      return Json.parseObject(text.replace("\n", " ").trim());
    } catch (Exception e) {
      throw new AssertionError("not one JSON object: " + text, e);
    }
  }

  private static long pid(Map<String, Object> process) {
    return ((Number) process.get("pid")).longValue();
  }

  @Test
  void fiveProcesses_startedListedAndStopped_throughTheCli() {
    Cli.Result first = ok("start", "--name", "p0", "--cmd", "sleep 1000");
    assertThat(first.err()).contains("started the daemon");
    for (int i = 1; i < 5; i++) {
      ok("start", "--name", "p" + i, "--", "sleep", "1000");
    }

    Cli.Result list = ok("list");
    for (int i = 0; i < 5; i++) {
      assertThat(list.out()).containsPattern("p" + i + "\\s+running");
    }
    List<Long> pids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pids.add(pid(statusOf("p" + i)));
    }

    for (int i = 0; i < 5; i++) {
      ok("stop", "p" + i);
    }
    assertThat(pids).allSatisfy(p -> assertThat(Files.exists(Path.of("/proc", p.toString()))).isFalse());
    assertThat(ok("list").out()).doesNotContain("running");
  }

  @Test
  void stop_ofAShellWithBackgroundSleeps_oneTrappingTerm_leavesNothingBehind() {
    ok(
        "start", "--name", "tree", "--shell", "--stop-timeout", "1s",
        "--cmd", "sleep 1000 & sh -c 'trap \"\" TERM; sleep 1001' & wait");
    long pgid = pid(statusOf("tree"));
    await().atMost(Duration.ofSeconds(10)).until(() -> liveInGroup(pgid).size() >= 4);

    Cli.Result stop = ok("stop", "tree");

    assertThat(stop.out()).contains("stopped tree");
    assertThat(liveInGroup(pgid)).isEmpty();
    assertThat(Files.exists(Path.of("/proc", Long.toString(pgid)))).as("leader reaped").isFalse();
  }

  @Test
  void definitionsSurviveADaemonRestart() {
    ok("start", "--name", "keep", "--env", "GREETING=hello", "--cmd", "sleep 1000");
    ok("start", "--name", "parked", "--cmd", "sleep 1000");
    ok("stop", "parked");
    ok("daemon", "stop");
    assertThat(sentinel("daemon", "status").exit()).isEqualTo(3);

    ok("daemon", "start");

    Map<String, Object> keep = statusOf("keep");
    assertThat(keep.get("state")).isEqualTo("running");
    assertThat(keep.get("env_keys")).asList().containsExactly("GREETING");
    assertThat(statusOf("parked").get("state")).isEqualTo("stopped");
  }

  @Test
  void badInput_isRefusedWithOneClearLine_andNothingIsStored() throws IOException {
    ok("daemon", "start");
    Path script = Files.writeString(tmp.resolve("work/run.sh"), "#!/bin/sh\necho hi\n");
    Path noShebang = Files.writeString(tmp.resolve("work/plain.sh"), "echo hi\n");
    Files.setPosixFilePermissions(noShebang, PosixFilePermissions.fromString("rwx------"));
    record Case(int exit, String message, String[] args) {}
    List<Case> cases =
        List.of(
            new Case(2, "invalid process name", new String[] {"start", "--name", "-bad", "--cmd", "sleep 1"}),
            new Case(2, "invalid process name", new String[] {"start", "--name", "a".repeat(65), "--cmd", "sleep 1"}),
            new Case(2, "empty", new String[] {"start", "--name", "e", "--cmd", "  "}),
            new Case(2, "not found on PATH", new String[] {"start", "--name", "m", "--cmd", "no-such-program"}),
            new Case(2, "chmod +x", new String[] {"start", "--name", "x", "--cmd", script.toString()}),
            new Case(1, "#!", new String[] {"start", "--name", "ns", "--cmd", noShebang.toString()}),
            new Case(2, "does not exist", new String[] {"start", "--name", "c", "--cwd", "missing-dir", "--cmd", "sleep 1"}),
            new Case(2, "KEY=VALUE", new String[] {"start", "--name", "v", "--env", "NOVALUE", "--cmd", "sleep 1"}),
            new Case(2, "--shell", new String[] {"start", "--name", "sh", "--cmd", "ls | wc -l"}),
            new Case(1, "no process named", new String[] {"stop", "ghost"}));
    for (Case c : cases) {
      Cli.Result r = sentinel(c.args());
      assertThat(r.exit()).as("sentinel %s\n%s", String.join(" ", c.args()), r).isEqualTo(c.exit());
      assertThat(r.errLines()).as("sentinel %s", String.join(" ", c.args())).hasSize(1);
      assertThat(r.err()).contains(c.message());
      assertThat(r.out()).isEmpty();
    }
    assertThat(ok("list", "--json").out()).contains("\"processes\" : [ ]");

    ok("start", "--name", "dup", "--cmd", "sleep 1000");
    Cli.Result conflict = sentinel("start", "--name", "dup", "--cmd", "sleep 5");
    assertThat(conflict.exit()).isEqualTo(1);
    assertThat(conflict.err()).contains("already exists").contains("--replace");
  }

  @Test
  void twoCliClientsAtOnce() throws Exception {
    ok("daemon", "start");
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (String prefix : List.of("a", "b")) {
      clients.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < 4; i++) {
                  ok("start", "--name", prefix + i, "--cmd", "sleep 1000");
                  ok("status");
                }
              }));
    }
    CompletableFuture.allOf(clients.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);

    Map<String, Object> all = json(ok("status", "--json").out());
    assertThat(all.get("processes")).asList().hasSize(8);
  }

  @Test
  void garbageOnTheSocket_doesNotDisturbTheDaemon() throws Exception {
    ok("start", "--name", "steady", "--cmd", "sleep 1000");
    Path socket = home.resolve("sentinel.sock");
    try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      raw.connect(UnixDomainSocketAddress.of(socket));
      raw.write(ByteBuffer.wrap("\u0000\u0001garbage{{{\n{\"v\":1}\n".getBytes(StandardCharsets.UTF_8)));
      ByteBuffer answer = ByteBuffer.allocate(4096);
      raw.read(answer);
      assertThat(new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8)).contains("invalid_request");
    }
    try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      raw.connect(UnixDomainSocketAddress.of(socket));
      raw.write(ByteBuffer.wrap("{\"v\":1,\"id\":1,\"cmd\":\"sta".getBytes(StandardCharsets.UTF_8)));
    } // hangs up mid-frame

    assertThat(statusOf("steady").get("state")).isEqualTo("running");
  }

  @Test
  void logs_showTheTail_andFollowStreamsNewLines() throws Exception {
    ok("start", "--name", "talker", "--shell", "--cmd", "echo out-1; echo err-1 >&2; read line; echo out-$line; sleep 1000");
    await().atMost(Duration.ofSeconds(10)).until(() -> ok("logs", "talker").out().contains("out-1"));
    assertThat(ok("logs", "talker", "--stderr").err()).contains("err-1");

    Path fifoLess = home.resolve("logs/talker.out.log");
    Cli.Capture capture = new Cli.Capture();
    CompletableFuture<Integer> follow =
        CompletableFuture.supplyAsync(() -> Cli.run(context, capture, "logs", "talker", "-f", "--stdout", "--json", "--tail", "5"));
    await().atMost(Duration.ofSeconds(10)).until(() -> capture.out().contains("out-1"));
    Files.writeString(fifoLess, "written-later\n", java.nio.file.StandardOpenOption.APPEND);
    await().atMost(Duration.ofSeconds(10)).until(() -> capture.out().contains("written-later"));
    for (String line : capture.out().split("\n")) {
      assertThat(json(line).get("stream")).isEqualTo("stdout");
    }

    ok("daemon", "stop"); // ends the stream with a final message
    assertThat(follow.get(30, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void jsonOutput_isOnlyJson_withDocumentedFields() {
    Cli.Result start = ok("start", "--name", "j", "--cmd", "sleep 1000", "--json");
    Map<String, Object> started = json(start.out());
    @SuppressWarnings("unchecked")
    Map<String, Object> process = (Map<String, Object>) started.get("process");
    assertThat(process)
        .containsKeys("name", "state", "pid", "started_at", "uptime_ms", "restarts", "last_exit",
            "cpu_percent", "memory_bytes", "command", "cwd", "env_keys", "stop_signal", "stop_timeout_ms");
    assertThat((String) process.get("started_at")).endsWith("Z");

    Map<String, Object> daemon = json(ok("daemon", "status", "--json").out());
    assertThat(daemon).containsKeys("pid", "version", "uptime_ms", "socket", "home");
  }

  @Test
  void daemonStopKeepRunning_thenStart_adoptsTheSameProcess() {
    long pid = pid(json(ok("start", "--name", "svc", "--cmd", "sleep 1000", "--json").out()).get("process") instanceof Map<?, ?> m ? castMap(m) : Map.of());

    Cli.Result stop = ok("daemon", "stop", "--keep-running");

    assertThat(stop.out()).contains("keep running");
    assertThat(Files.exists(Path.of("/proc", Long.toString(pid)))).isTrue();
    ok("daemon", "start");
    Map<String, Object> svc = statusOf("svc");
    assertThat(pid(svc)).isEqualTo(pid);
    assertThat(svc.get("state")).isEqualTo("running");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  @Test
  void restartPolicy_fromTheCli_backsOffThenGivesUp_andCanBeChanged() {
    Cli.Result start = sentinel("start", "--name", "crashy", "--shell", "--cmd", "exit 1", "--retries", "2", "--jitter", "0");
    assertThat(start.exit()).as("it dies at once: a failed start (issue 9) %s", start).isEqualTo(1);

    await().atMost(Duration.ofSeconds(30)).until(() -> statusOf("crashy").get("state").equals("failed"));
    Map<String, Object> s = statusOf("crashy");
    assertThat(s.get("reason_code")).isEqualTo("gave_up");
    assertThat(((Number) s.get("restarts")).intValue()).isEqualTo(2);
    assertThat(ok("status", "crashy").out()).contains("gave up").contains("retries 2");

    Cli.Result changed = ok("restart-policy", "--name", "crashy", "--retries", "unlimited", "--delay", "1h", "--max-delay", "2h");
    assertThat(changed.out()).contains("restart policy of crashy");
    Map<String, Object> restart = castMap((Map<?, ?>) statusOf("crashy").get("restart"));
    assertThat(((Number) restart.get("retries")).intValue()).isEqualTo(-1);
    assertThat(((Number) restart.get("delay_ms")).longValue()).isEqualTo(3_600_000L);
  }

  @Test
  void events_showWhatHappenedAndWhoAsked_withoutSecrets() {
    ok("start", "--name", "web", "--env", "API_TOKEN=s3cr3t-v4lue", "--cmd", "sleep 1000");
    ok("stop", "web");

    Cli.Result text = ok("events", "--name", "web");
    assertThat(text.out()).contains("running").contains("stopped").contains(": start web -> ok");
    Cli.Result json = ok("events", "--json", "--limit", "100");
    assertThat(json.out()).doesNotContain("s3cr3t-v4lue").contains("API_TOKEN").contains("\"kind\"");
    assertThat(sentinel("events", "--since", "yesterday-ish").exit()).isEqualTo(2);
  }

  /** Live members of a process group, from /proc. */
  private static List<Long> liveInGroup(long pgid) {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        try {
          String stat = Files.readString(dir.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(f[2]) == pgid && !f[0].equals("Z")) {
            out.add(Long.parseLong(dir.getFileName().toString()));
          }
        } catch (IOException e) {
          // exited meanwhile
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void aJobScheduledFromTheCli_runsEverySecond_andListUpcomingHistoryAndDisableShowIt() throws Exception {
    Cli.Result defined = ok("schedule", "--name", "tick", "--every", "1s", "--shell", "--cmd", "echo tick-$$");
    assertThat(defined.out()).startsWith("scheduled tick: every 1s");

    await().atMost(Duration.ofSeconds(30)).until(() -> ok("history", "tick").out().lines().filter(l -> l.contains("exit 0")).count() >= 2);

    String history = ok("history", "tick").out();
    assertThat(history.lines().findFirst().orElse("")).contains("STARTED").contains("REASON");
    assertThat(history).contains("schedule");
    assertThat(ok("logs", "tick").out()).contains("tick-");
    List<Object> jobs = (List<Object>) json(ok("schedule", "list", "--json").out()).get("schedules");
    assertThat(jobs).singleElement().satisfies(j -> assertThat(((Map<String, Object>) j).get("enabled")).isEqualTo(true));
    assertThat(ok("upcoming", "--count", "3").out().lines().count()).isEqualTo(3);

    ok("schedule", "disable", "tick");
    assertThat(ok("schedule", "list").out()).contains("disabled");
    Cli.Result run = ok("schedule", "run", "tick");
    assertThat(run.out()).startsWith("started tick (pid ");
    ok("schedule", "remove", "tick");
    assertThat(sentinel("history", "tick").exit()).isEqualTo(1);
  }

  @Test
  void aBadCronExpression_isRefused_withTheFieldNamed_andExit2() {
    ok("daemon", "start");
    Cli.Result r = sentinel("schedule", "--name", "bad", "--cron", "0 25 * * *", "--cmd", "true");

    assertThat(r.exit()).as("%s", r).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().contains("hour").contains("0-23");
  }
}
