package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ExitInfo;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart policies through the CLI: the options of {@code start} and {@code restart-policy} as
 * they go on the wire, and the policy and restart state as {@code status} shows them. The stand-in
 * daemon answers with canned frames; usage errors are in {@link UsageErrorsTest}.
 */
class RestartPolicyTest {
  /** Now for every test, in a zone one hour east of UTC so that local times differ from UTC. */
  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.ofHours(1));

  private static final RestartPolicy EXAMPLE =
      new RestartPolicy(
          RestartPolicy.ON_FAILURE, List.of(0), 3, 5_000, RestartPolicy.EXPONENTIAL, 2.0, 300_000,
          0.1, 5_000, null);

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
  void start_withRestartOptions_sendsExactlyThoseFields_inMilliseconds() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(EXAMPLE))));

    Cli.Result result =
        Cli.run(
            context(),
            "start", "--name", "w", "--cmd", "x", "--restart", "always", "--retries", "unlimited",
            "--delay", "250ms", "--max-delay", "1h30m", "--jitter", "0.2",
            "--success-exit-codes", "0,3", "--cooldown", "10m");

    assertThat(result.exit()).as(result.toString()).isZero();
    Map<String, Object> request = onlyRequest();
    assertThat(request).containsEntry("cmd", "start");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("mode", "always");
    expected.put("success_exit_codes", List.of(0, 3));
    expected.put("retries", -1);
    expected.put("delay_ms", 250);
    expected.put("max_delay_ms", 5_400_000);
    expected.put("jitter", 0.2);
    expected.put("cooldown_ms", 600_000);
    assertThat(args(request).get("restart")).isEqualTo(expected);
    assertThat(args(request))
        .containsEntry("name", "w")
        .containsEntry("cmd", "x")
        .containsEntry("replace", false);
  }

  @Test
  void start_withEveryRestartOption_cooldownNone_sendsANullCooldown() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(EXAMPLE))));

    Cli.Result result =
        Cli.run(
            context(),
            "start", "--name", "w", "--restart", "on-failure", "--retries", "0", "--delay", "1s",
            "--backoff", "fixed", "--backoff-factor", "1.5", "--max-delay", "1m",
            "--jitter", "0", "--min-uptime", "30s", "--cooldown", "none", "--", "prog", "arg");

    assertThat(result.exit()).as(result.toString()).isZero();
    Map<String, Object> expected = new HashMap<>();
    expected.put("mode", "on-failure");
    expected.put("retries", 0);
    expected.put("delay_ms", 1_000);
    expected.put("backoff", "fixed");
    expected.put("backoff_factor", 1.5);
    expected.put("max_delay_ms", 60_000);
    expected.put("jitter", 0.0);
    expected.put("min_uptime_ms", 30_000);
    expected.put("cooldown_ms", null);
    assertThat(args(onlyRequest()).get("restart")).isEqualTo(expected);
  }

  @Test
  void start_withoutRestartOptions_sendsNoRestartObject_soTheDaemonsDefaultsApply()
      throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processResult(web(EXAMPLE))));

    Cli.Result result = Cli.run(context(), "start", "--name", "w", "--cmd", "x", "--replace");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest())).doesNotContainKey("restart");
  }

  // ---- restart-policy

  @Test
  void restartPolicy_sendsTheNameAndOnlyTheGivenFields_andPrintsThePolicy() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(policyResult(web(EXAMPLE), true)));

    Cli.Result result =
        Cli.run(
            context(),
            "restart-policy", "--name", "web", "--retries", "3", "--delay", "5s",
            "--backoff-factor", "2", "--cooldown", "none");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .isEqualTo(
            "restart policy of web: on-failure, retries 3, delay 5s, exponential x2 up to 5m,"
                + " jitter 10%, min uptime 5s, no cooldown\n");
    Map<String, Object> request = onlyRequest();
    assertThat(request).containsEntry("v", 1).containsEntry("cmd", "restart-policy");
    Map<String, Object> restart = new HashMap<>();
    restart.put("retries", 3);
    restart.put("delay_ms", 5_000);
    restart.put("backoff_factor", 2.0);
    restart.put("cooldown_ms", null);
    assertThat(args(request)).isEqualTo(Map.of("name", "web", "restart", restart));
  }

  @Test
  void restartPolicy_thatChangedNothing_saysSo() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(policyResult(web(EXAMPLE), false)));

    Cli.Result result = Cli.run(context(), "restart-policy", "--name", "web", "--retries", "3");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).startsWith("restart policy of web (unchanged): on-failure, retries 3");
  }

  @Test
  void restartPolicyJson_printsTheResultObjectOnly() throws Exception {
    Map<String, Object> canned = policyResult(web(EXAMPLE), true);
    server = FakeServer.start(home, FakeServer.answering(canned));

    Cli.Result result =
        Cli.run(context(), "restart-policy", "--json", "--name", "web", "--restart", "never");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(Json.parseObject(result.out())).isEqualTo(Json.parseObject(Json.write(canned)));
    assertThat(args(onlyRequest()))
        .isEqualTo(Map.of("name", "web", "restart", Map.of("mode", "never")));
  }

  // ---- rendering

  @Test
  void statusOfOne_inBackoff_showsPolicyReasonCodeNextAttemptAndAttemptsLeft() throws Exception {
    RestartPolicy policy =
        new RestartPolicy(
            RestartPolicy.ALWAYS, List.of(0, 3), 5, 250, RestartPolicy.EXPONENTIAL, 1.5, 5_400_000,
            0.125, 10_000, 600_000L);
    server =
        FakeServer.start(
            home,
            FakeServer.answering(
                processesResult(backoff(policy, NOW.plusMillis(2_400), 2, "hunter2"))));

    Cli.Result result = Cli.run(context(), "status", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            """
            name:          web
            state:         backoff
            reason:        exited with code 1; restarting in 3s
            reason code:   restarting
            next attempt:  04:04:08 (in 3s)
            attempts left: 2
            pid:           -
            uptime:        -
            started at:    2025-01-02T03:04:00Z
            restarts:      4
            restart:       always, success codes 0,3, retries 5, delay 250ms, exponential x1.5 up \
            to 1h30m, jitter 12.5%, min uptime 10s, cooldown 10m
            last exit:     exited with code 1 (at 2025-01-02T03:04:05Z)
            cpu:           -
            memory:        -
            command:       python app.py
            shell:         no
            cwd:           /srv/web
            env:           TOKEN
            stop signal:   TERM
            stop timeout:  10s
            """);
    assertThat(result.out()).doesNotContain("hunter2");
  }

  @Test
  void statusOfOne_unlimitedRetries_showsAttemptsLeftUnlimited() throws Exception {
    RestartPolicy unlimited =
        RestartPolicy.DEFAULT.with(Map.of("retries", RestartPolicy.UNLIMITED));
    server =
        FakeServer.start(
            home,
            FakeServer.answering(
                processesResult(backoff(unlimited, NOW.plusSeconds(90), null, "x"))));

    Cli.Result result = Cli.run(context(), "status", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("next attempt:  04:05:35 (in 1m30s)\n")
        .contains("attempts left: unlimited\n")
        .contains("restart:       on-failure, retries unlimited, delay 0s,");
  }

  @Test
  void statusOfOne_running_hasNoNextAttempt() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(processesResult(web(EXAMPLE))));

    Cli.Result result = Cli.run(context(), "status", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("reason code:  manual\n")
        .contains(
            "restart:      on-failure, retries 3, delay 5s, exponential x2 up to 5m, jitter 10%,"
                + " min uptime 5s, no cooldown\n")
        .doesNotContain("next attempt")
        .doesNotContain("attempts left");
  }

  @Test
  void statusTable_showsTheBackoffState() throws Exception {
    server =
        FakeServer.start(
            home,
            FakeServer.answering(
                processesResult(backoff(EXAMPLE, NOW.plusSeconds(3), 2, "x"))));

    Cli.Result result = Cli.run(context(), "status");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            """
            NAME  STATE    PID  UPTIME  RESTARTS  LAST-EXIT  CPU  MEM  COMMAND
            web   backoff  -    -       4         code 1     -    -    python app.py
            """);
  }

  @Test
  void nextAttempt_showsTheDateWhenNotToday_andDueNowOncePassed() {
    assertThat(ProcessView.nextAttempt(NOW.plusSeconds(3), CLOCK)).isEqualTo("04:04:08 (in 3s)");
    assertThat(ProcessView.nextAttempt(NOW.plusSeconds(86_400), CLOCK))
        .isEqualTo("2025-01-03 04:04:05 (in 1d00h)");
    // 23:30 local on the day before, as a cooldown started late in the evening would show.
    Clock evening = Clock.fixed(Instant.parse("2025-01-01T22:30:00Z"), ZoneOffset.ofHours(1));
    assertThat(ProcessView.nextAttempt(Instant.parse("2025-01-01T23:30:00Z"), evening))
        .isEqualTo("2025-01-02 00:30:00 (in 1h00m)");
    assertThat(ProcessView.nextAttempt(NOW, CLOCK)).isEqualTo("04:04:05 (due now)");
    assertThat(ProcessView.nextAttempt(NOW.minusSeconds(2), CLOCK)).isEqualTo("04:04:03 (due now)");
    assertThat(ProcessView.nextAttempt(NOW.plusMillis(1), CLOCK)).isEqualTo("04:04:06 (in 1s)");
  }

  @Test
  void policySummary_namesEveryField() {
    assertThat(ProcessView.policy(EXAMPLE))
        .isEqualTo(
            "on-failure, retries 3, delay 5s, exponential x2 up to 5m, jitter 10%, min uptime 5s,"
                + " no cooldown");
    RestartPolicy fixed =
        new RestartPolicy(
            RestartPolicy.NEVER, List.of(0), RestartPolicy.UNLIMITED, 0, RestartPolicy.FIXED, 2.0,
            1_000, 0.0, 0, 0L);
    assertThat(ProcessView.policy(fixed))
        .isEqualTo(
            "never, retries unlimited, delay 0s, fixed, no jitter, min uptime 0s, cooldown 0s");
  }

  /** The start help states the defaults in words: they must be the protocol's. */
  // ---- a delay above the cap (issue 9)

  @Test
  void restartPolicy_aDelayAboveTheCap_printsThatTheDaemonRaisedTheCap() throws Exception {
    RestartPolicy raised =
        new RestartPolicy(
            RestartPolicy.ON_FAILURE, List.of(0), 3, 18_000_000, RestartPolicy.EXPONENTIAL, 2.0,
            18_000_000, 0.1, 5_000, null);
    Map<String, Object> answer = new LinkedHashMap<>(policyResult(web(raised), true));
    answer.put("adjusted", Map.of("max_delay_ms", Map.of("from", 300_000, "to", 18_000_000)));
    server = FakeServer.start(home, FakeServer.answering(answer));

    Cli.Result result = Cli.run(context(), "restart-policy", "--name", "my-script", "--retries", "3", "--delay", "5h");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest()).get("restart")).isEqualTo(Map.of("retries", 3, "delay_ms", 18_000_000));
    assertThat(result.out())
        .contains("delay 5h, exponential x2 up to 5h")
        .contains("--max-delay raised from 5m to 5h, to the --delay");
  }

  @Test
  void restartPolicy_aMaxDelayBelowTheStoredDelay_isWordedWithBothFlags() throws Exception {
    server =
        FakeServer.start(
            home,
            FakeServer.failing(
                dev.sentinelzero.protocol.ErrorCode.INVALID_ARGUMENT,
                "max_delay_ms 60000 is shorter than delay_ms 18000000: the longest delay must be at least"
                    + " the first one; give a larger max_delay_ms, or a smaller delay_ms with it"));

    Cli.Result result = Cli.run(context(), "restart-policy", "--name", "my-script", "--max-delay", "1m");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .contains("--max-delay 1m is shorter than --delay 5h (the delay of my-script)")
        .doesNotContain("max_delay_ms");
  }

  @Test
  void startHelp_statesTheDefaultPolicy_asTheProtocolDefinesIt() {
    Cli.Result result = Cli.run(context(), "start", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.out().replaceAll("\\s+", " "))
        .contains("not given take the defaults: " + ProcessView.policy(RestartPolicy.DEFAULT) + ".")
        .contains("sentinel restart-policy")
        .contains("--retries=N", "--cooldown=DURATION", "--success-exit-codes=CODE[,CODE...]");
  }

  @Test
  void restartPolicyHelp_showsTheSyntaxAndEveryPolicyOption() {
    Cli.Result result = Cli.run(context(), "restart-policy", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .startsWith("Usage: sentinel restart-policy --name NAME OPTION [OPTION...]")
        .contains(
            "--restart=MODE", "--success-exit-codes=CODE", "--retries=N", "--delay=DURATION",
            "--backoff=KIND", "--backoff-factor=F", "--max-delay=DURATION", "--jitter=FRACTION",
            "--min-uptime=DURATION", "--cooldown=DURATION");
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

  private static ProcessSpec spec(RestartPolicy policy, String token) {
    return new ProcessSpec(
        "web", "python app.py", null, false, "/srv/web", Map.of("TOKEN", token), null, "TERM",
        10_000, policy);
  }

  private static ProcessStatus web(RestartPolicy policy) {
    return new ProcessStatus(
        "web", "running", 4242L, NOW, 1_000L, 0, null, "started by request", 1.0, 1024L,
        "python app.py", spec(policy, "hunter2"));
  }

  private static ProcessStatus backoff(
      RestartPolicy policy, Instant nextAttempt, Integer attemptsLeft, String token) {
    ExitInfo exit = new ExitInfo(ExitInfo.EXITED, 1, null, NOW, "exited with code 1");
    return new ProcessStatus(
        "web", "backoff", null, NOW.minusSeconds(5), null, 4, exit,
        "exited with code 1; restarting in 3s", null, null, "python app.py", spec(policy, token),
        ProcessStatus.REASON_RESTARTING, nextAttempt, attemptsLeft);
  }

  private static Map<String, Object> processResult(ProcessStatus process) {
    return Map.of("process", process.toJson());
  }

  private static Map<String, Object> policyResult(ProcessStatus process, boolean changed) {
    return Map.of("process", process.toJson(), "changed", changed);
  }

  private static Map<String, Object> processesResult(ProcessStatus... processes) {
    return Map.of("processes", Arrays.stream(processes).map(ProcessStatus::toJson).toList());
  }
}
