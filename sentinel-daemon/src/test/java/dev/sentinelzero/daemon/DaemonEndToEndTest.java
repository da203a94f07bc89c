package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/** A real daemon JVM on a real socket, driven with raw protocol frames, as a script would. */
class DaemonEndToEndTest {
  @TempDir Path tmp;
  private RunningDaemon daemon;

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
  }

  private static Map<String, Object> define(String name, String cmd) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("cmd", cmd);
    args.put("cwd", "/tmp");
    args.put("path", "/usr/bin:/bin");
    return args;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> process(Response r) {
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    return (Map<String, Object>) ((Response.Ok) r).result().get("process");
  }

  private static ErrorCode code(Response r) {
    assertThat(r).as("%s", r).isInstanceOf(Response.Failure.class);
    return ((Response.Failure) r).code();
  }

  private static long pid(Map<String, Object> process) {
    return ((Number) process.get("pid")).longValue();
  }

  @Test
  void garbageFrames_getErrors_andTheSameConnectionGoesOn() throws Exception {
    try (RunningDaemon.Client c = daemon.client()) {
      c.sendRaw("this is not json\n");
      assertThat(code(c.next())).isEqualTo(ErrorCode.INVALID_REQUEST);
      c.sendRaw("[1,2,3]\n");
      assertThat(code(c.next())).isEqualTo(ErrorCode.INVALID_REQUEST);
      c.sendRaw("{\"v\":1,\"cmd\":\"ping\"}\n");
      assertThat(code(c.next())).isEqualTo(ErrorCode.INVALID_REQUEST);
      c.sendRaw("{\"v\":99,\"id\":\"1\",\"cmd\":\"ping\"}\n");
      assertThat(code(c.next())).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
      c.sendRaw("{\"v\":1,\"id\":\"1\",\"cmd\":\"launch-missiles\"}\n");
      assertThat(code(c.next())).isEqualTo(ErrorCode.UNKNOWN_COMMAND);
      c.sendRaw("{\"v\":1,\"id\":\"1\",\"cmd\":\"stop\",\"args\":{\"name\":42}}\n");
      assertThat(code(c.next())).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      c.sendRaw(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}', '\n'});
      assertThat(code(c.next())).isEqualTo(ErrorCode.INVALID_REQUEST);
      byte[] huge = new byte[2 * 1024 * 1024 + 1];
      java.util.Arrays.fill(huge, (byte) 'x');
      huge[huge.length - 1] = '\n';
      c.sendRaw(huge);
      assertThat(code(c.next())).isEqualTo(ErrorCode.FRAME_TOO_LARGE);

      assertThat(c.call("ping", Map.of())).isInstanceOf(Response.Ok.class);
    }
    try (RunningDaemon.Client other = daemon.client()) {
      assertThat(other.call("list", Map.of())).isInstanceOf(Response.Ok.class);
    }
  }

  @Test
  void aClientThatDisconnectsMidStream_doesNotDisturbTheDaemon() throws Exception {
    try (RunningDaemon.Client c = daemon.client()) {
      process(c.call("start", define("talker", "sh -c 'while true; do echo tick; sleep 0.05; done'")));
    }
    RunningDaemon.Client follower = daemon.client();
    follower.out.write(
        dev.sentinelzero.protocol.Request.of("f", "logs", Map.of("name", "talker", "follow", true, "tail", 0)));
    assertThat(follower.next()).isInstanceOf(Response.Event.class);
    follower.close();
    RunningDaemon.Client half = daemon.client();
    half.sendRaw("{\"v\":1,\"id\":\"1\",\"cmd\":\"pi");
    half.close();

    try (RunningDaemon.Client c = daemon.client()) {
      Response r = c.call("status", Map.of("name", "talker"));
      assertThat(r).isInstanceOf(Response.Ok.class);
    }
  }

  @Test
  void twoClientsAtOnce_bothServed() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<CompletableFuture<Void>> work = new ArrayList<>();
      for (String prefix : List.of("a", "b")) {
        work.add(
            CompletableFuture.runAsync(
                () -> {
                  try (RunningDaemon.Client c = daemon.client()) {
                    for (int i = 0; i < 5; i++) {
                      process(c.call("start", define(prefix + i, "sleep 1000")));
                      assertThat(c.call("list", Map.of())).isInstanceOf(Response.Ok.class);
                    }
                  } catch (Exception e) {
                    throw new RuntimeException(e);
                  }
                },
                pool));
      }
      CompletableFuture.allOf(work.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    try (RunningDaemon.Client c = daemon.client()) {
      Response r = c.call("status", Map.of());
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> all = (List<Map<String, Object>>) ((Response.Ok) r).result().get("processes");
      assertThat(all).hasSize(10).allSatisfy(p -> assertThat(p.get("state")).isEqualTo("running"));
    }
  }

  @Test
  void stop_leavesNoProcessOfTheTree_notEvenOnesIgnoringTermOrDoubleForked() throws Exception {
    Map<String, Object> args =
        define(
            "tree",
            "sleep 1000 & sh -c 'trap \"\" TERM; exec sleep 1001' & (sleep 1002 &); echo started; wait");
    args.put("shell", true);
    args.put("stop_timeout_ms", 1000);
    try (RunningDaemon.Client c = daemon.client()) {
      long pgid = pid(process(c.call("start", args)));
      await().atMost(Duration.ofSeconds(10)).until(() -> ProcFs.liveInGroup(pgid).size() >= 4);

      Map<String, Object> stopped = process(c.call("stop", Map.of("name", "tree")));

      assertThat(stopped.get("state")).isEqualTo("stopped");
      assertThat(ProcFs.liveInGroup(pgid)).as("processes left in group %d", pgid).isEmpty();
      assertThat(ProcFs.exists(pgid)).as("the leader is reaped, not a zombie").isFalse();
      assertThat(ProcFs.zombieChildren(daemon.pid())).isEmpty();
    }
  }

  @Test
  void crashedProcess_isReported_andItsStragglersAreCleared() throws Exception {
    Map<String, Object> args = define("crasher", "sleep 1000 & sleep 0.2; exit 3");
    args.put("shell", true);
    args.put("restart", Map.of("mode", "never"));
    try (RunningDaemon.Client c = daemon.client()) {
      long pgid = pid(process(c.call("start", args)));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> process2(c.call("status", Map.of("name", "crasher"))).get("state").equals("failed"));
      Map<String, Object> p = process2(c.call("status", Map.of("name", "crasher")));
      assertThat(p.get("reason")).isEqualTo("exited with code 3");
      await().atMost(Duration.ofSeconds(20)).until(() -> ProcFs.liveInGroup(pgid).isEmpty());
      await().atMost(Duration.ofSeconds(20)).until(() -> !ProcFs.exists(pgid));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> process2(Response r) {
    List<Map<String, Object>> all = (List<Map<String, Object>>) ((Response.Ok) r).result().get("processes");
    return all.get(0);
  }

  @Test
  void definitionsSurviveARestart_andRunningOnesComeBack() throws Exception {
    long before;
    try (RunningDaemon.Client c = daemon.client()) {
      before = pid(process(c.call("start", define("keep", "sleep 1000"))));
      process(c.call("start", define("parked", "sleep 1000")));
      process(c.call("stop", Map.of("name", "parked")));
    }

    daemon.restart();

    assertThat(ProcFs.exists(before)).as("SIGTERM stopped the process with the daemon").isFalse();
    try (RunningDaemon.Client c = daemon.client()) {
      assertThat(process2(c.call("status", Map.of("name", "keep"))).get("state")).isEqualTo("running");
      assertThat(process2(c.call("status", Map.of("name", "parked"))).get("state")).isEqualTo("stopped");
    }
  }

  @Test
  void aSecondDaemonOnTheSameHome_exitsWithAClearMessage() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(daemon.command()).redirectErrorStream(true);
    Process second = pb.start();
    String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(second.exitValue()).isEqualTo(1);
    assertThat(out.trim()).contains("already running").contains("pid " + daemon.pid());
    try (RunningDaemon.Client c = daemon.client()) {
      assertThat(c.call("ping", Map.of())).isInstanceOf(Response.Ok.class);
    }
  }

  @Test
  void stateFiles_areReadableByTheOwnerOnly() throws Exception {
    try (RunningDaemon.Client c = daemon.client()) {
      process(c.call("start", define("quiet", "sleep 1000")));
    }
    assertThat(mode(daemon.paths.home())).isEqualTo("rwx------");
    assertThat(mode(daemon.paths.logs())).isEqualTo("rwx------");
    assertThat(mode(daemon.paths.socket())).isEqualTo("rw-------");
    assertThat(mode(daemon.paths.database())).isEqualTo("rw-------");
    assertThat(mode(daemon.paths.daemonLog())).isEqualTo("rw-------");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(daemon.paths.logs().resolve("quiet.out.log")));
    assertThat(mode(daemon.paths.logs().resolve("quiet.out.log"))).isEqualTo("rw-------");
    assertThat(mode(daemon.paths.logs().resolve("quiet.err.log"))).isEqualTo("rw-------");
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void badDefinitions_areRefused_andNothingIsStored() throws Exception {
    Path notExecutable = Files.writeString(tmp.resolve("script.sh"), "#!/bin/sh\necho hi\n");
    try (RunningDaemon.Client c = daemon.client()) {
      assertThat(code(c.call("start", define("empty", "   ")))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(code(c.call("start", define("missing", "no-such-program-here")))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(code(c.call("start", define("noexec", notExecutable.toString())))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      Map<String, Object> badCwd = define("badcwd", "sleep 1");
      badCwd.put("cwd", tmp.resolve("nope").toString());
      assertThat(code(c.call("start", badCwd))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      Map<String, Object> badEnv = define("badenv", "sleep 1");
      badEnv.put("env", Map.of("1X", "y"));
      assertThat(code(c.call("start", badEnv))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(code(c.call("start", define("../evil", "sleep 1")))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(code(c.call("start", define("pipe", "ls | wc")))).isEqualTo(ErrorCode.INVALID_ARGUMENT);

      Response list = c.call("list", Map.of());
      assertThat(((Response.Ok) list).result().get("processes")).asList().isEmpty();
    }
  }

  @Test
  void anotherUser_cannotDriveTheDaemon() throws Exception {
    Path probeDir = Files.createDirectories(Path.of("/tmp", "sentinel-probe-" + ProcessHandle.current().pid()));
    try {
      Files.setPosixFilePermissions(probeDir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path probe = probeDir.resolve("Probe.java");
      Files.writeString(
          probe,
          "import java.net.*; import java.nio.*; import java.nio.channels.*;\n"
              + "public class Probe { public static void main(String[] a) throws Exception {\n"
              + "  try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {\n"
              + "    ch.connect(UnixDomainSocketAddress.of(a[0]));\n"
              + "    try { ch.write(ByteBuffer.wrap(\"{\\\"v\\\":1,\\\"id\\\":\\\"1\\\",\\\"cmd\\\":\\\"list\\\"}\\n\".getBytes())); }\n"
              + "    catch (java.io.IOException e) { /* refused before the request: the answer is still readable */ }\n"
              + "    ByteBuffer b = ByteBuffer.allocate(4096); int n = ch.read(b);\n"
              + "    System.out.println(n < 0 ? \"EOF\" : new String(b.array(), 0, n));\n"
              + "  } catch (Exception e) { System.out.println(\"REFUSED \" + e); } } }\n");
      Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> asNobody =
          List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", java, probe.toString(), daemon.paths.socket().toString());
      org.junit.jupiter.api.Assumptions.assumeTrue(
          ProcessHandle.current().info().user().map("root"::equals).orElse(false),
          "switching to another user needs root; skipped");

      // 1. As the daemon leaves it: the 0700 directory keeps the other user away from the socket.
      assertThat(run(asNobody)).startsWith("REFUSED");

      // 2. Even if the directory and socket were opened up, the peer check refuses the user.
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
      Files.setPosixFilePermissions(daemon.paths.home(), PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(daemon.paths.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
      String answer = run(asNobody);
      assertThat(answer).contains("\"forbidden\"").doesNotContain("\"processes\"");
    } finally {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
      Files.setPosixFilePermissions(daemon.paths.home(), PosixFilePermissions.fromString("rwx------"));
      try (var files = Files.list(probeDir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.delete(f);
        }
      }
      Files.delete(probeDir);
    }
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.trim();
  }

  @Test
  void daemonStop_answersOnceEveryProcessIsGone_thenTheDaemonExits() throws Exception {
    List<Long> groups = new ArrayList<>();
    Response answer;
    try (RunningDaemon.Client c = daemon.client()) {
      for (int i = 0; i < 3; i++) {
        groups.add(pid(process(c.call("start", define("p" + i, "sleep 1000")))));
      }
      Map<String, Object> stubborn = define("stubborn", "trap '' TERM; sleep 1000 & wait");
      stubborn.put("shell", true);
      stubborn.put("stop_timeout_ms", 500);
      groups.add(pid(process(c.call("start", stubborn))));

      answer = c.call("daemon.stop", Map.of());

      // Checked at once: the answer waited for every group, the one ignoring TERM included.
      assertThat(groups).allSatisfy(g -> assertThat(ProcFs.liveInGroup(g)).as("group %d", g).isEmpty());
    }
    assertThat(answer).as("%s", answer).isInstanceOf(Response.Ok.class);
    assertThat(((Response.Ok) answer).result())
        .containsEntry("stopped_all", true)
        .containsEntry("not_stopped", List.of())
        .containsEntry("pid", (int) daemon.pid());
    assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(daemon.process().exitValue()).isZero();
  }

  @Test
  void sigterm_stopsEveryProcessAndRemovesTheSocket() throws Exception {
    List<Long> pids = new ArrayList<>();
    try (RunningDaemon.Client c = daemon.client()) {
      for (int i = 0; i < 5; i++) {
        pids.add(pid(process(c.call("start", define("p" + i, "sleep 1000")))));
      }
    }

    assertThat(daemon.stop()).as("exit code after SIGTERM").isIn(0, 143);

    assertThat(pids).allSatisfy(pid -> assertThat(ProcFs.exists(pid)).isFalse());
    assertThat(Files.exists(daemon.paths.socket())).isFalse();
  }
}
