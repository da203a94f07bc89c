package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ResourceLimits;
import dev.sentinelzero.protocol.RestartPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/**
 * Resource limits through the CLI: the options of {@code start} and {@code limits} as they go on
 * the wire, the sizes and percentages they read, and the limits as {@code status} shows them. The
 * stand-in daemon answers with canned frames; usage errors are in {@link UsageErrorsTest}.
 */
class LimitsTest {
  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static final long MIB = 1024L * 1024;

  private static final ResourceLimits BOTH =
      new ResourceLimits(512 * MIB, 150.0, 30_000, ResourceLimits.RESTART);

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
  void start_withLimits_sendsExactlyTheGivenFields_inWireUnits() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(BOTH))));

    Cli.Result result =
        Cli.run(
            context(),
            "start", "--name", "w", "--cmd", "x", "--max-memory", "512M", "--max-cpu", "150",
            "--limit-for", "1m");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    Map<String, Object> limits = new LinkedHashMap<>();
    limits.put("max_memory_bytes", 536_870_912);
    limits.put("max_cpu_percent", 150.0);
    limits.put("limit_for_ms", 60_000);
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "w");
    args.put("cmd", "x");
    args.put("shell", false);
    args.put("cwd", home.toString());
    args.put("env", Map.of());
    args.put("path", "/opt/test/bin:/usr/bin:/bin");
    args.put("stop_signal", "TERM");
    args.put("stop_timeout_ms", 10_000);
    args.put("limits", limits);
    args.put("replace", false);
    args.put("wait_ms", 1000);
    Map<String, Object> request = new HashMap<>(onlyRequest());
    assertThat(request.remove("id")).isNotNull();
    assertThat(request).isEqualTo(Map.of("v", 1, "cmd", "start", "args", args));
    assertThat(Json.write(args(onlyRequest()).get("limits")))
        .isEqualTo("{\"max_memory_bytes\":536870912,\"max_cpu_percent\":150.0,\"limit_for_ms\":60000}");
  }

  @Test
  void start_withEveryLimitOption_sendsThemAll() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(BOTH))));

    Cli.Result result =
        Cli.run(
            context(),
            "start", "--name", "w", "--max-memory", "1.5g", "--max-cpu", "250%", "--limit-for",
            "0", "--limit-action", "stop", "--", "prog", "arg");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(Json.write(args(onlyRequest()).get("limits")))
        .isEqualTo(
            "{\"max_memory_bytes\":1610612736,\"max_cpu_percent\":250.0,\"limit_for_ms\":0,"
                + "\"action\":\"stop\"}");
  }

  @Test
  void start_withOnlyACpuLimit_sendsOnlyThatField() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(BOTH))));

    Cli.Result result = Cli.run(context(), "start", "--name", "w", "--cmd", "x", "--max-cpu", "12.5");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest()).get("limits")).isEqualTo(Map.of("max_cpu_percent", 12.5));
  }

  @Test
  void start_withoutLimitOptions_sendsNoLimitsKey() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(null))));

    Cli.Result result = Cli.run(context(), "start", "--name", "w", "--cmd", "x");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest())).doesNotContainKey("limits");
  }

  @Test
  void startByName_sendsOnlyTheName() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(BOTH))));

    Cli.Result result = Cli.run(context(), "start", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest())).isEqualTo(Map.of("name", "web", "wait_ms", 1000));
  }

  // ---- limits

  @Test
  void limits_memoryAndAction_sendsExactlyThose_andPrintsTheLimitsAsTheyNowAre() throws Exception {
    ResourceLimits now = new ResourceLimits(2048 * MIB, null, 30_000, ResourceLimits.LOG);
    server = FakeServer.start(home, FakeServer.answering(changed(web(now), true)));

    Cli.Result result =
        Cli.run(context(), "limits", "--name", "w", "--max-memory", "2G", "--limit-action", "log");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out()).isEqualTo("limits of web: memory 2.0 GiB, on breach: log\n");
    Map<String, Object> request = onlyRequest();
    assertThat(request).containsEntry("v", 1).containsEntry("cmd", "limits");
    assertThat(Json.write(args(request)))
        .isEqualTo(
            "{\"name\":\"w\",\"limits\":{\"max_memory_bytes\":2147483648,\"action\":\"log\"}}");
  }

  @Test
  void limits_both_printsTheBriefsSummary() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(changed(web(BOTH), true)));

    Cli.Result result =
        Cli.run(context(), "limits", "--name", "web", "--max-memory", "512M", "--max-cpu", "150");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo("limits of web: memory 512.0 MiB, cpu 150% for 30s, on breach: restart\n");
    assertThat(Json.write(args(onlyRequest())))
        .isEqualTo(
            "{\"name\":\"web\",\"limits\":{\"max_memory_bytes\":536870912,"
                + "\"max_cpu_percent\":150.0}}");
  }

  @Test
  void limits_none_sendsNullLimits_andSaysTheyWereRemoved() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(changed(web(null), true)));

    Cli.Result result = Cli.run(context(), "limits", "--name", "w", "--none");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out()).isEqualTo("limits of web removed\n");
    Map<String, Object> expected = new HashMap<>();
    expected.put("name", "w");
    expected.put("limits", null);
    assertThat(args(onlyRequest())).isEqualTo(expected);
    assertThat(Json.write(args(onlyRequest()))).isEqualTo("{\"name\":\"w\",\"limits\":null}");
  }

  @Test
  void limits_thatChangedNothing_saysSo() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(changed(web(BOTH), false)));

    Cli.Result result =
        Cli.run(context(), "limits", "--name", "web", "--max-memory", "512M", "--max-cpu", "150");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "limits of web (unchanged): memory 512.0 MiB, cpu 150% for 30s, on breach: restart\n");
  }

  @Test
  void limits_noneWhenThereWereNone_saysUnchanged() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(changed(web(null), false)));

    Cli.Result result = Cli.run(context(), "limits", "--name", "web", "--none");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("web has no limits (unchanged)\n");
  }

  @Test
  void limitsJson_printsTheResultObjectOnly() throws Exception {
    Map<String, Object> canned = changed(web(BOTH), true);
    server = FakeServer.start(home, FakeServer.answering(canned));

    Cli.Result result =
        Cli.run(context(), "limits", "--json", "--name", "web", "--max-cpu", "150", "--limit-for", "5s");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(Json.parseObject(result.out())).isEqualTo(Json.parseObject(Json.write(canned)));
    assertThat(args(onlyRequest()))
        .isEqualTo(
            Map.of("name", "web", "limits", Map.of("max_cpu_percent", 150.0, "limit_for_ms", 5_000)));
  }

  @Test
  void limits_refusedByTheDaemon_exits2() throws Exception {
    server =
        FakeServer.start(
            home,
            FakeServer.failing(
                dev.sentinelzero.protocol.ErrorCode.INVALID_ARGUMENT,
                "max_cpu_percent must be above 0 (percent of one core; 250 means 2.5 cores), got"
                    + " 1000000.0"));

    Cli.Result result = Cli.run(context(), "limits", "--name", "web", "--max-cpu", "1000000");

    assertThat(result.exit()).as(result.toString()).isEqualTo(2);
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.err()).startsWith("sentinel: max_cpu_percent must be above 0");
  }

  // ---- rendering

  @Test
  void statusOfOne_showsALimitsLine() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processesResult(web(BOTH))));

    Cli.Result result = Cli.run(context(), "status", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            """
            name:         web
            state:        running
            reason:       started by request
            reason code:  manual
            pid:          4242
            uptime:       1s
            started at:   2025-01-02T03:04:05Z
            restarts:     0
            restart:      on-failure, retries 5, delay 0s, exponential x2 up to 5m, jitter \
            10%, min uptime 5s, no cooldown
            limits:       memory 512.0 MiB, cpu 150% for 30s, on breach: restart
            last exit:    -
            cpu:          1.0%
            memory:       1.0 KiB
            command:      python app.py
            shell:        no
            cwd:          /srv/web
            env:          -
            stop signal:  TERM
            stop timeout: 10s
            """);
  }

  @Test
  void statusOfOne_withoutLimits_hasNoLimitsLine() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processesResult(web(null))));

    Cli.Result result = Cli.run(context(), "status", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).doesNotContain("limits");
  }

  @Test
  void limitsSummary_leavesOutALimitNotSet() {
    assertThat(ProcessView.limits(BOTH))
        .isEqualTo("memory 512.0 MiB, cpu 150% for 30s, on breach: restart");
    assertThat(ProcessView.limits(new ResourceLimits(1536 * MIB, null, 30_000, "stop")))
        .isEqualTo("memory 1.5 GiB, on breach: stop");
    assertThat(ProcessView.limits(new ResourceLimits(null, 12.5, 90_000, "log")))
        .isEqualTo("cpu 12.5% for 1m30s, on breach: log");
  }

  // ---- sizes and percentages

  @ParameterizedTest(name = "{0} is {1} bytes")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      512M     | 536870912
      2g       | 2147483648
      1.5G     | 1610612736
      800KiB   | 819200
      1048576  | 1048576
      10MB     | 10485760
      1m       | 1048576
      1T       | 1099511627776
      2tib     | 2199023255552
      1.5K     | 1536
      3b       | 3
      0.5M     | 524288
      """)
  void size_parses(String text, long bytes) {
    assertThat(LimitOptions.SizeConverter.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest(name = "[{0}] is not a size")
  @ValueSource(
      strings = {
        "", "-1M", "12X", "1M2", "M", "1.5", "1.M", ".5M", "1..5M", "1iB", "1 M", "1e3", "1MBB",
        "1KM", "+1M", "99999999999T", "0x10"
      })
  void size_refuses(String text) {
    assertThatThrownBy(() -> LimitOptions.SizeConverter.parse(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("use a number of bytes, or one with a unit K, M, G or T");
  }

  @Test
  void maxMemory_isAtLeastOneMebibyte() {
    LimitOptions.SizeConverter converter = new LimitOptions.SizeConverter();
    assertThat(converter.convert("1M")).isEqualTo(MIB);
    assertThat(converter.convert("1024K")).isEqualTo(MIB);
    assertThatThrownBy(() -> converter.convert("100K"))
        .hasMessage(
            "'100K' is below the smallest memory limit, 1M: " + LimitOptions.SizeConverter.ACCEPTED);
    assertThatThrownBy(() -> converter.convert("1048575")).hasMessageContaining("below");
    assertThatThrownBy(() -> converter.convert("0")).hasMessageContaining("below");
  }

  @ParameterizedTest(name = "{0} is {1}%")
  @CsvSource({"150, 150.0", "250%, 250.0", "12.5, 12.5", "0.5%, 0.5", "1000, 1000.0"})
  void cpu_parses(String text, double percent) {
    assertThat(new LimitOptions.CpuConverter().convert(text)).isEqualTo(percent);
  }

  @ParameterizedTest(name = "[{0}] is not a CPU percentage")
  @ValueSource(strings = {"", "0", "0%", "-5", "abc", "1e3", "NaN", "50%%", "%", ".5", "5.", "150 %"})
  void cpu_refuses(String text) {
    assertThatThrownBy(() -> new LimitOptions.CpuConverter().convert(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("is not a CPU percentage: use a number above 0");
  }

  @Test
  void flags_writeTheOptionsBackExactly() {
    LimitOptions options = new LimitOptions();
    options.maxMemory = 1536 * 1024L;
    options.maxCpu = 12.5;
    options.limitFor = java.time.Duration.ofSeconds(90);
    options.action = "log";
    assertThat(options.flags())
        .isEqualTo("--max-memory 1536K --max-cpu 12.5 --limit-for 1m30s --limit-action log");
    assertThat(List.of(LimitOptions.size(512 * MIB), LimitOptions.size(2048 * MIB), LimitOptions.size(1_000_000)))
        .containsExactly("512M", "2G", "1000000");
  }

  @Test
  void limitsHelp_showsTheSyntaxAndEveryOption() {
    Cli.Result result = Cli.run(context(), "limits", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .startsWith("Usage: sentinel limits --name NAME LIMIT [OPTION...]\n")
        .contains("sentinel limits --name NAME --none\n")
        .contains(
            "--max-memory=SIZE", "--max-cpu=PERCENT", "--limit-for=DURATION",
            "--limit-action=ACTION", "--none");
  }

  @Test
  void startHelp_showsTheLimitOptions() {
    Cli.Result result = Cli.run(context(), "start", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .contains("--max-memory=SIZE", "--max-cpu=PERCENT", "--limit-for=DURATION")
        .contains("sentinel limits");
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

  private static ProcessStatus web(ResourceLimits limits) {
    ProcessSpec spec =
        new ProcessSpec(
                "web", "python app.py", null, false, "/srv/web", Map.of(), null, "TERM", 10_000,
                RestartPolicy.DEFAULT)
            .withLimits(limits);
    return new ProcessStatus(
        "web", "running", 4242L, NOW, 1_000L, 0, null, "started by request", 1.0, 1024L,
        "python app.py", spec, ProcessStatus.REASON_MANUAL, null, null, null, null);
  }

  private static Map<String, Object> processResult(ProcessStatus process) {
    return Map.of("process", process.toJson());
  }

  private static Map<String, Object> changed(ProcessStatus process, boolean changed) {
    return Map.of("process", process.toJson(), "changed", changed);
  }

  private static Map<String, Object> processesResult(ProcessStatus... processes) {
    return Map.of("processes", List.of(processes).stream().map(ProcessStatus::toJson).toList());
  }
}
