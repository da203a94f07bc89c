package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.HealthCheck;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.RestartPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health checks through the CLI: the options of {@code start} and {@code health} as they go on
 * the wire, and the health as {@code status} shows it. The stand-in daemon answers with canned
 * frames; usage errors are in {@link UsageErrorsTest}.
 */
class HealthTest {
  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static final HealthCheck CURL =
      new HealthCheck(
          HealthCheck.CMD, "curl -f localhost:8080", false, 30_000, 5_000, 3, 0,
          HealthCheck.RESTART);

  @TempDir Path home;

  private FakeServer server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
      assertThat(server.failures()).isEmpty();
    }
  }

  // ---- start

  @Test
  void start_withHttpCheck_sendsExactlyTheGivenFields_inMilliseconds() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(CURL, "healthy", null))));

    Cli.Result result =
        Cli.run(
            context(),
            "start", "--name", "w", "--cmd", "x", "--health-http", "http://localhost:8080/",
            "--health-interval", "10s", "--health-retries", "2");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    Map<String, Object> health = new LinkedHashMap<>();
    health.put("kind", "http");
    health.put("target", "http://localhost:8080/");
    health.put("shell", false);
    health.put("interval_ms", 10_000);
    health.put("retries", 2);
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "w");
    args.put("cmd", "x");
    args.put("shell", false);
    args.put("cwd", home.toString());
    args.put("env", Map.of());
    args.put("path", "/opt/test/bin:/usr/bin:/bin");
    args.put("stop_signal", "TERM");
    args.put("stop_timeout_ms", 10_000);
    args.put("health", health);
    args.put("replace", false);
    args.put("wait_ms", 1000);
    Map<String, Object> request = new HashMap<>(onlyRequest());
    assertThat(request.remove("id")).isNotNull();
    assertThat(request).isEqualTo(Map.of("v", 1, "cmd", "start", "args", args));
  }

  @Test
  void start_withEveryHealthOption_sendsThemAll() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(CURL, null, null))));

    Cli.Result result =
        Cli.run(
            context(),
            "start", "--name", "w", "--health-cmd", "pg_isready -q", "--health-shell",
            "--health-interval", "1m30s", "--health-timeout", "250ms", "--health-retries", "10",
            "--health-start-period", "0", "--health-action", "stop", "--", "prog", "arg");

    assertThat(result.exit()).as(result.toString()).isZero();
    Map<String, Object> health = new HashMap<>();
    health.put("kind", "cmd");
    health.put("target", "pg_isready -q");
    health.put("shell", true);
    health.put("interval_ms", 90_000);
    health.put("timeout_ms", 250);
    health.put("retries", 10);
    health.put("start_period_ms", 0);
    health.put("action", "stop");
    assertThat(args(onlyRequest()).get("health")).isEqualTo(health);
  }

  @Test
  void start_withoutHealthOptions_sendsNoHealthObject() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(null, null, null))));

    Cli.Result result = Cli.run(context(), "start", "--name", "w", "--cmd", "x");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest())).doesNotContainKey("health");
  }

  // ---- health

  @Test
  void health_tcp_sendsTheNameAndCheck_andPrintsTheCheckAsItNowIs() throws Exception {
    HealthCheck tcp =
        new HealthCheck(HealthCheck.TCP, "localhost:5432", false, 30_000, 5_000, 3, 0, "restart");
    server = FakeServer.start(home, FakeServer.answering(changed(web(tcp, null, null), true)));

    Cli.Result result = Cli.run(context(), "health", "--name", "w", "--health-tcp", "localhost:5432");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .isEqualTo(
            "health check of web: tcp localhost:5432, every 30s, timeout 5s, 3 retries, start"
                + " period 0s, on unhealthy: restart\n");
    Map<String, Object> request = onlyRequest();
    assertThat(request).containsEntry("v", 1).containsEntry("cmd", "health");
    assertThat(Json.write(args(request)))
        .isEqualTo(
            "{\"name\":\"w\",\"health\":{\"kind\":\"tcp\",\"target\":\"localhost:5432\","
                + "\"shell\":false}}");
  }

  @Test
  void health_none_sendsANullCheck_andSaysItWasRemoved() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(changed(web(null, null, null), true)));

    Cli.Result result = Cli.run(context(), "health", "--name", "w", "--none");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("health check of web removed\n");
    Map<String, Object> expected = new HashMap<>();
    expected.put("name", "w");
    expected.put("health", null);
    assertThat(args(onlyRequest())).isEqualTo(expected);
    assertThat(Json.write(args(onlyRequest()))).isEqualTo("{\"name\":\"w\",\"health\":null}");
  }

  @Test
  void health_cmd_printsTheBriefsSummary() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(changed(web(CURL, null, null), true)));

    Cli.Result result =
        Cli.run(context(), "health", "--name", "web", "--health-cmd", "curl -f localhost:8080");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "health check of web: cmd \"curl -f localhost:8080\", every 30s, timeout 5s, 3"
                + " retries, start period 0s, on unhealthy: restart\n");
    assertThat(args(onlyRequest()))
        .isEqualTo(
            Map.of(
                "name", "web",
                "health", Map.of("kind", "cmd", "target", "curl -f localhost:8080", "shell", false)));
  }

  @Test
  void health_thatChangedNothing_saysSo() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(changed(web(CURL, null, null), false)));

    Cli.Result result =
        Cli.run(context(), "health", "--name", "web", "--health-cmd", "curl -f localhost:8080");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).startsWith("health check of web (unchanged): cmd \"curl");
  }

  @Test
  void healthJson_printsTheResultObjectOnly() throws Exception {
    Map<String, Object> canned = changed(web(CURL, "starting", null), true);
    server = FakeServer.start(home, FakeServer.answering(canned));

    Cli.Result result =
        Cli.run(
            context(), "health", "--json", "--name", "web", "--health-http", "https://x/",
            "--health-action", "none");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(Json.parseObject(result.out())).isEqualTo(Json.parseObject(Json.write(canned)));
    assertThat(args(onlyRequest()))
        .isEqualTo(
            Map.of(
                "name", "web",
                "health",
                    Map.of("kind", "http", "target", "https://x/", "shell", false, "action", "none")));
  }

  // ---- rendering

  @Test
  void statusOfOne_unhealthy_showsHealthOutputAndCheck() throws Exception {
    server =
        FakeServer.start(
            home,
            FakeServer.answering(
                processesResult(
                    web(CURL, "unhealthy", "  curl: (7) Failed to connect\nsecond line\n"))));

    Cli.Result result = Cli.run(context(), "status", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            """
            name:          web
            state:         running
            reason:        started by request
            reason code:   manual
            health:        unhealthy (3 failures)
            health output: curl: (7) Failed to connect
            pid:           4242
            uptime:        1s
            started at:    2025-01-02T03:04:05Z
            restarts:      0
            restart:       on-failure, retries 5, delay 0s, exponential x2 up to 5m, jitter \
            10%, min uptime 5s, no cooldown
            health check:  cmd "curl -f localhost:8080", every 30s, timeout 5s, 3 retries, start \
            period 0s, on unhealthy: restart
            last exit:     -
            cpu:           1.0%
            memory:        1.0 KiB
            command:       python app.py
            shell:         no
            cwd:           /srv/web
            env:           -
            stop signal:   TERM
            stop timeout:  10s
            """);
  }

  @Test
  void statusOfOne_withoutHealth_hasNoHealthLines() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processesResult(web(null, null, null))));

    Cli.Result result = Cli.run(context(), "status", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).doesNotContain("health");
  }

  @Test
  void statusOfOne_startingWithoutOutput_showsHealthButNoOutputLine() throws Exception {
    server =
        FakeServer.start(home, FakeServer.answering(processesResult(web(CURL, "starting", null))));

    Cli.Result result = Cli.run(context(), "status", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("health:       starting\n")
        .contains("health check: cmd \"curl -f localhost:8080\", every 30s")
        .doesNotContain("health output");
  }

  @Test
  void statusTable_showsTheHealthNextToTheState_keepingColumnsAligned() throws Exception {
    ProcessStatus db = named(web(CURL, "healthy", "ok"), "db");
    ProcessStatus plain = named(web(null, null, null), "worker");
    server = FakeServer.start(home, FakeServer.answering(processesResult(db, plain)));

    Cli.Result result = Cli.run(context(), "status");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            """
            NAME    STATE              PID   UPTIME  RESTARTS  LAST-EXIT  CPU   MEM      COMMAND
            db      running (healthy)  4242  1s      0         -          1.0%  1.0 KiB  python app.py
            worker  running            4242  1s      0         -          1.0%  1.0 KiB  python app.py
            """);
  }

  @Test
  void healthOutput_isTheFirstLine_trimmed_withoutControls_atMost200Characters() {
    assertThat(ProcessView.healthOutput(null)).isNull();
    assertThat(ProcessView.healthOutput(" \n ")).isNull();
    assertThat(ProcessView.healthOutput("\n  refused \nmore")).isEqualTo("refused");
    assertThat(ProcessView.healthOutput("a\tb\u001b[31mred")).isEqualTo("a b?[31mred");
    assertThat(ProcessView.healthOutput("x".repeat(200))).isEqualTo("x".repeat(200));
    assertThat(ProcessView.healthOutput("x".repeat(201))).isEqualTo("x".repeat(197) + "...");
  }

  @Test
  void healthSummary_namesEveryField() {
    HealthCheck shell =
        new HealthCheck(HealthCheck.CMD, "a \"b\"", true, 1_500, 100, 1, 90_000, HealthCheck.STOP);
    assertThat(ProcessView.healthCheck(shell))
        .isEqualTo(
            "cmd (shell) \"a \\\"b\\\"\", every 1s500ms, timeout 100ms, 1 retry, start period"
                + " 1m30s, on unhealthy: stop");
    HealthCheck http =
        new HealthCheck(HealthCheck.HTTP, "http://h/", false, 30_000, 5_000, 3, 0, "none");
    assertThat(ProcessView.healthCheck(http))
        .isEqualTo(
            "http http://h/, every 30s, timeout 5s, 3 retries, start period 0s, on unhealthy: none");
  }

  @Test
  void healthHelp_showsTheSyntaxAndEveryOption() {
    Cli.Result result = Cli.run(context(), "health", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .startsWith("Usage: sentinel health --name NAME CHECK [OPTION...]\n")
        .contains("sentinel health --name NAME --none\n")
        .contains("CHECK is one of --health-cmd COMMAND, --health-tcp HOST:PORT and")
        .contains(
            "--health-cmd=COMMAND", "--health-shell", "--health-tcp=HOST:PORT",
            "--health-http=URL", "--health-interval=DURATION", "--health-timeout=DURATION",
            "--health-retries=N", "--health-start-period=DURATION", "--health-action=ACTION",
            "--none");
  }

  // ---- canned data

  private Context context() {
    return Cli.context(home).withClock(CLOCK);
  }

  private Map<String, Object> onlyRequest() {
    assertThat(server.requests()).hasSize(1);
    return server.requests().get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> args(Map<String, Object> request) {
    return (Map<String, Object>) request.get("args");
  }

  private static ProcessStatus web(HealthCheck check, String health, String output) {
    ProcessSpec spec =
        new ProcessSpec(
                "web", "python app.py", null, false, "/srv/web", Map.of(), null, "TERM", 10_000,
                RestartPolicy.DEFAULT)
            .withHealth(check);
    return new ProcessStatus(
        "web", "running", 4242L, NOW, 1_000L, 0, null, "started by request", 1.0, 1024L,
        "python app.py", spec, ProcessStatus.REASON_MANUAL, null, null, health, output);
  }

  private static ProcessStatus named(ProcessStatus p, String name) {
    Map<String, Object> json = p.toJson();
    json.put("name", name);
    try {
      return ProcessStatus.fromJson(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Map<String, Object> processResult(ProcessStatus process) {
    return Map.of("process", process.toJson());
  }

  private static Map<String, Object> changed(ProcessStatus process, boolean changed) {
    return Map.of("process", process.toJson(), "changed", changed);
  }

  private static Map<String, Object> processesResult(ProcessStatus... processes) {
    return Map.of("processes", Arrays.stream(processes).map(ProcessStatus::toJson).toList());
  }
}
