package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.DaemonInfo;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.LogLine;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CLI against a stand-in daemon that answers with canned frames. */
class ClientTest {
  private static final Instant STARTED = Instant.parse("2025-01-02T03:04:05Z");

  @TempDir Path home;

  private FakeServer server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
      assertThat(server.failures()).isEmpty();
    }
  }

  // ---- start: the exact request

  @Test
  void start_sendsTheDefinition_withAbsoluteCwdAndTheClientsPath() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web())));

    Cli.Result result =
        Cli.run(Cli.context(home), "start", "--name", "web", "--cmd", "x y", "--env", "A=1");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("started web (pid 4242)\n");
    Map<String, Object> request = onlyRequest();
    assertThat(request).containsEntry("v", 1).containsEntry("cmd", "start");
    assertThat(request.get("id")).isNotNull();
    Map<String, Object> expectedArgs = new LinkedHashMap<>();
    expectedArgs.put("name", "web");
    expectedArgs.put("cmd", "x y");
    expectedArgs.put("shell", false);
    expectedArgs.put("cwd", home.toString());
    expectedArgs.put("env", Map.of("A", "1"));
    expectedArgs.put("path", "/opt/test/bin:/usr/bin:/bin");
    expectedArgs.put("stop_signal", "TERM");
    expectedArgs.put("stop_timeout_ms", 10000);
    expectedArgs.put("replace", false);
    expectedArgs.put("wait_ms", 1000); // it waits 1 s to see the process stay up
    assertThat(request.get("args")).isEqualTo(expectedArgs);
    assertThat(Path.of((String) args(request).get("cwd"))).isAbsolute();
  }

  @Test
  void start_argvForm_withEveryOption() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web())));
    Files.createDirectories(home.resolve("app"));
    Files.writeString(home.resolve("app.env"), "export A=from-file\nB='b value'\n");

    Cli.Result result =
        Cli.run(
            Cli.context(home),
            "start", "--name", "web", "--cwd", "app", "--env-file", "app.env", "--env", "A=2",
            "--stop-signal", "sigint", "--stop-timeout", "1h30m", "--replace",
            "--", "python", "-m", "http.server", "--bind", "127.0.0.1");

    assertThat(result.exit()).as(result.toString()).isZero();
    Map<String, Object> args = args(onlyRequest());
    assertThat(args)
        .doesNotContainKey("cmd")
        .containsEntry("argv", List.of("python", "-m", "http.server", "--bind", "127.0.0.1"))
        .containsEntry("cwd", home.resolve("app").toString())
        .containsEntry("env", Map.of("A", "2", "B", "b value"))
        .containsEntry("stop_signal", "INT")
        .containsEntry("stop_timeout_ms", 5_400_000)
        .containsEntry("replace", true)
        .containsEntry("shell", false);
  }

  @Test
  void start_existingDefinition_sendsOnlyTheName() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web())));

    Cli.Result result = Cli.run(Cli.context(home), "start", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest())).isEqualTo(Map.of("name", "web", "wait_ms", 1000));
  }

  @Test
  void start_thatEndsFailed_exits1() throws Exception {
    ProcessStatus failed =
        status("web", "failed", null, null, 0, launchFailed(), "python app.py", Map.of());
    server = FakeServer.start(home, FakeServer.answering(processResult(failed)));

    Cli.Result result = Cli.run(Cli.context(home), "start", "web");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).startsWith("web: failed");
  }

  @Test
  void startJson_thatEndsFailed_printsTheResultOnly_andExits1() throws Exception {
    ProcessStatus failed =
        status("web", "failed", null, null, 0, launchFailed(), "python app.py", Map.of());
    server = FakeServer.start(home, FakeServer.answering(processResult(failed)));

    Cli.Result result = Cli.run(Cli.context(home), "start", "web", "--json");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(Json.parseObject(result.out()))
        .isEqualTo(Json.parseObject(Json.write(processResult(failed))));
  }

  // ---- rendering

  @Test
  void status_rendersATable() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processesResult(web(), worker())));

    Cli.Result result = Cli.run(Cli.context(home), "status");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            """
            NAME    STATE    PID   UPTIME  RESTARTS  LAST-EXIT  CPU    MEM       COMMAND
            web     running  4242  1h02m   0         -          12.5%  12.3 MiB  python app.py
            worker  exited   -     -       3         code 1     -      -         node worker.js --queue jobs
            """);
    assertThat(result.err()).isEmpty();
    assertThat(args(onlyRequest())).isEmpty();
  }

  @Test
  void statusOfOne_showsEnvironmentNamesButNeverValues() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processesResult(worker())));

    Cli.Result result = Cli.run(Cli.context(home), "status", "worker");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest())).isEqualTo(Map.of("name", "worker"));
    assertThat(result.out())
        .contains("name:         worker\n")
        .contains("state:        exited\n")
        .contains("last exit:    exited with code 1 (at 2025-01-02T03:04:05Z)\n")
        .contains("cwd:          /srv/worker\n")
        .contains("env:          QUEUE, TOKEN\n")
        .contains("stop signal:  INT\n")
        .contains("stop timeout: 1m30s\n")
        .doesNotContain("hunter2");
  }

  @Test
  void list_withNoProcesses_saysHowToDefineOne() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processesResult()));

    Cli.Result result = Cli.run(Cli.context(home), "list");

    assertThat(result.exit()).isZero();
    assertThat(result.out()).contains("sentinel start --name NAME");
    assertThat(onlyRequest()).containsEntry("cmd", "list");
  }

  @Test
  void statusJson_printsOnlyTheDaemonsResult() throws Exception {
    Map<String, Object> canned = processesResult(web(), worker());
    server = FakeServer.start(home, FakeServer.answering(canned));

    Cli.Result result = Cli.run(Cli.context(home), "status", "--json");

    assertThat(result.exit()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(Json.parseObject(result.out())).isEqualTo(Json.parseObject(Json.write(canned)));
  }

  @Test
  void globalOptions_mayComeBeforeTheCommand() throws Exception {
    Path other = Files.createDirectory(home.resolve("other"));
    Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwx------"));
    server = FakeServer.start(other, FakeServer.answering(processesResult(web())));

    Cli.Result result = Cli.run(Cli.context(home), "--home", other.toString(), "--json", "list");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(Json.parseObject(result.out())).containsKey("processes");
  }

  @Test
  void stopRestartRemove_sayWhatHappened() throws Exception {
    server =
        FakeServer.start(
            home,
            (request, out) -> {
              switch ((String) request.get("cmd")) {
                case "stop":
                  out.write(FakeServer.ok(request, processResult(worker())));
                  break;
                case "remove":
                  out.write(FakeServer.ok(request, Map.of("removed", "web")));
                  break;
                default:
                  out.write(FakeServer.ok(request, processResult(web())));
              }
            });

    assertThat(Cli.run(Cli.context(home), "stop", "worker").out())
        .isEqualTo("stopped worker (code 1)\n");
    assertThat(Cli.run(Cli.context(home), "restart", "web").out())
        .isEqualTo("restarted web (pid 4242)\n");
    assertThat(Cli.run(Cli.context(home), "remove", "web").out()).isEqualTo("removed web\n");
    assertThat(server.requests())
        .extracting(r -> r.get("cmd") + " " + r.get("args"))
        .containsExactly("stop {name=worker}", "restart {name=web}", "remove {name=web}");
  }

  @Test
  void daemonStatus_showsPidVersionUptimeAndPaths_andARelocatedSocket() throws Exception {
    DaemonInfo info =
        new DaemonInfo(
            777, "0.1.0", 1, STARTED, 3_723_000, home.toString(), "/run/user/0/sentinel/ab.sock",
            true, home.resolve("logs").toString(), home.resolve("sentinel.db").toString(), 2, 1);
    server = FakeServer.start(home, FakeServer.answering(info.toJson()));

    Cli.Result result = Cli.run(Cli.context(home), "daemon", "status");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("daemon:    running (pid 777)\n")
        .contains("version:   0.1.0 (protocol 1)\n")
        .contains("uptime:    1h02m (since 2025-01-02T03:04:05Z)\n")
        .contains("processes: 2 defined, 1 running\n")
        .contains("home:      " + home + "\n")
        .contains("/run/user/0/sentinel/ab.sock (moved out of the home");
    assertThat(onlyRequest()).containsEntry("cmd", "daemon.status");
  }

  // ---- errors

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "not_found, 1",
    "conflict, 1",
    "internal, 1",
    "unsupported_version, 1",
    "invalid_argument, 2",
    "invalid_request, 2",
    "unknown_command, 2",
    "unavailable, 3",
  })
  void daemonError_mapsToExitCode(String code, int exit) throws Exception {
    server =
        FakeServer.start(home, FakeServer.failing(ErrorCode.fromWire(code), "no process named x"));

    Cli.Result result = Cli.run(Cli.context(home), "stop", "x");

    assertThat(result.exit()).as(result.toString()).isEqualTo(exit);
    assertThat(result.err()).isEqualTo("sentinel: no process named x\n");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void daemonError_withJson_printsTheErrorObject() throws Exception {
    server = FakeServer.start(home, FakeServer.failing(ErrorCode.NOT_FOUND, "no process named x"));

    Cli.Result result = Cli.run(Cli.context(home), "status", "x", "--json");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(Json.parseObject(result.out()))
        .isEqualTo(
            Map.of("error", Map.of("code", "not_found", "message", "no process named x")));
    assertThat(result.err()).isEqualTo("sentinel: no process named x\n");
  }

  @Test
  void connectionClosedWithoutAnAnswer_exits3() throws Exception {
    server = FakeServer.start(home, (request, out) -> {
      throw new java.io.EOFException("hang up"); // the server thread closes the connection
    });

    Cli.Result result = Cli.run(Cli.context(home), "list");

    assertThat(result.exit()).isEqualTo(3);
    assertThat(result.err()).startsWith("sentinel: the daemon closed the connection");
  }

  @Test
  void anAnswerThatTakesTooLong_failsAsUnavailable() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    server = FakeServer.start(home, (request, out) -> never.await(10, TimeUnit.SECONDS));

    try (DaemonClient client = DaemonClient.connect(home.resolve("sentinel.sock"))) {
      assertThatThrownBy(() -> client.call("ping", Map.of(), 200))
          .isInstanceOfSatisfying(
              ProtocolException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
          .hasMessageContaining("did not answer \"ping\" within 200ms");
    } finally {
      never.countDown();
    }
  }

  @Test
  void socketInADirectoryOthersCanEnter_isNotUsed() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processesResult()));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));

    Cli.Result result = Cli.run(Cli.context(home), "list");

    assertThat(result.exit()).isEqualTo(3);
    assertThat(result.err()).contains("will not connect").contains("chmod 700");
    assertThat(server.requests()).isEmpty();
  }

  // ---- logs

  @Test
  void logsFollow_printsEachLineAsItArrives() throws Exception {
    CountDownLatch sendRest = new CountDownLatch(1);
    server =
        FakeServer.start(
            home,
            (request, out) -> {
              Object id = request.get("id");
              out.write(logEvent(id, LogLine.STDOUT, "first line"));
              out.write(logEvent(id, LogLine.STDERR, "a warning"));
              sendRest.await(10, TimeUnit.SECONDS);
              out.write(logEvent(id, LogLine.STDOUT, "second line"));
              out.write(FakeServer.ok(request, Map.of()));
            });
    Cli.Capture capture = new Cli.Capture();

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> Cli.run(Cli.context(home), capture, "logs", "web", "-f", "--tail", "5"));

    await().atMost(Duration.ofSeconds(10)).until(() -> capture.out().contains("first line"));
    await().atMost(Duration.ofSeconds(10)).until(() -> capture.err().contains("a warning"));
    assertThat(exit).isNotDone();
    assertThat(capture.out()).doesNotContain("second line");

    sendRest.countDown();

    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(capture.out()).isEqualTo("first line\nsecond line\n");
    assertThat(capture.err()).isEqualTo("a warning\n");
    assertThat(args(onlyRequest()))
        .isEqualTo(Map.of("name", "web", "tail", 5, "follow", true));
  }

  @Test
  void logsJson_printsOneCompactObjectPerLine() throws Exception {
    List<Object> lines =
        List.of(
            new LogLine("web", LogLine.STDOUT, "hello").toJson(),
            new LogLine("web", LogLine.STDOUT, "{\"not\": \"parsed\"}").toJson());
    server = FakeServer.start(home, FakeServer.answering(Map.of("lines", lines)));

    Cli.Result result = Cli.run(Cli.context(home), "logs", "web", "--stdout", "--json");

    assertThat(result.exit()).as(result.toString()).isZero();
    String[] out = result.out().split("\n");
    assertThat(out).hasSize(2);
    assertThat(Json.parseObject(out[0])).isEqualTo(lines.get(0));
    assertThat(Json.parseObject(out[1])).isEqualTo(lines.get(1));
    assertThat(args(onlyRequest()))
        .isEqualTo(Map.of("name", "web", "tail", 20, "follow", false, "stream", "stdout"));
  }

  // ---- canned data

  private Map<String, Object> onlyRequest() {
    assertThat(server.requests()).hasSize(1);
    return server.requests().get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> args(Map<String, Object> request) {
    return (Map<String, Object>) request.get("args");
  }

  private static Response.Event logEvent(Object id, String stream, String text) {
    return new Response.Event(id, LogLine.EVENT, new LogLine("web", stream, text).toJson());
  }

  private static ProcessStatus web() {
    return new ProcessStatus(
        "web", "running", 4242L, STARTED, 3_723_000L, 0, null, "started by request", 12.5,
        12_897_485L, "python app.py",
        new ProcessSpec("web", "python app.py", null, false, "/srv/web", Map.of("PORT", "8080"),
            null, "TERM", 10_000));
  }

  private static ProcessStatus worker() {
    ExitInfo exit = new ExitInfo(ExitInfo.EXITED, 1, null, STARTED, "exited with code 1");
    return status(
        "worker", "exited", null, null, 3, exit, "node worker.js --queue jobs",
        Map.of("TOKEN", "hunter2", "QUEUE", "jobs"));
  }

  private static ExitInfo launchFailed() {
    return new ExitInfo(ExitInfo.LAUNCH_FAILED, null, null, STARTED, "no such program: python");
  }

  private static ProcessStatus status(
      String name, String state, Long pid, Long uptime, long restarts, ExitInfo exit,
      String command, Map<String, String> env) {
    return new ProcessStatus(
        name, state, pid, pid == null ? null : STARTED, uptime, restarts, exit, "", null, null,
        command,
        new ProcessSpec(name, command, null, false, "/srv/" + name, env, null, "INT", 90_000));
  }

  private static Map<String, Object> processResult(ProcessStatus process) {
    return Map.of("process", process.toJson());
  }

  private static Map<String, Object> processesResult(ProcessStatus... processes) {
    return Map.of("processes", java.util.Arrays.stream(processes).map(ProcessStatus::toJson).toList());
  }
}
