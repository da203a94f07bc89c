package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.RunRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code sentinel history} against the stand-in daemon. Usage errors are in {@link UsageErrorsTest}. */
class HistoryCommandTest {
  @RegisterExtension final StandInDaemon daemon = new StandInDaemon(ScheduleCommandTest.CLOCK);

  @Test
  void sendsTheNameAndTheDefaultLimit() throws Exception {
    daemon.answer(runsResult());

    Cli.Result result = daemon.run("history", "backup");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyRequest()).containsEntry("v", 1).containsEntry("cmd", "history");
    assertThat(Json.write(daemon.onlyArgs())).isEqualTo("{\"name\":\"backup\",\"limit\":20}");
  }

  @Test
  void sendsTheLimitGiven() throws Exception {
    daemon.answer(runsResult());

    Cli.Result result = daemon.run("history", "--limit", "5", "backup");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyArgs()).isEqualTo(Map.of("name", "backup", "limit", 5));
  }

  @Test
  void printsOneRowPerRun_oldestFirst_withResultReasonAndLateness() throws Exception {
    daemon.answer(
        runsResult(
            // On time (0.4 s after its fire time does not count as late).
            run(1, RunRecord.SCHEDULE, "2026-11-25T01:00:00Z", "2026-11-25T01:00:00.400Z",
                "2026-11-25T01:00:01.600Z", exited(0)),
            // The machine slept through 02:00; caught up at wake, ended with 3.
            run(2, RunRecord.CATCH_UP, "2026-11-26T01:00:00Z", "2026-11-26T07:12:30Z",
                "2026-11-26T07:15:34Z", exited(3)),
            // Started 5 s late, killed after a day and a bit.
            run(3, RunRecord.SCHEDULE, "2026-11-26T22:59:58Z", "2026-11-26T23:00:05Z",
                "2026-11-28T01:30:05Z", killed("KILL")),
            run(4, RunRecord.RETRY, null, "2026-11-27T10:00:00Z", "2026-11-27T10:00:00.012Z",
                launchFailed()),
            run(5, RunRecord.DAEMON, null, "2026-11-27T11:00:00Z", "2026-11-27T11:00:02Z",
                new ExitInfo(ExitInfo.UNKNOWN, null, null, null, "")),
            // Going for 4 min 10 s at the test's now (20:00 UTC).
            run(6, RunRecord.MANUAL, null, "2026-11-27T19:55:50Z", null, null)));

    Cli.Result result = daemon.run("history", "backup");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .isEqualTo(
            """
            STARTED              ENDED                DURATION  RESULT           REASON
            2026-11-25 02:00:00  02:00:01             1.2s      exit 0           schedule
            2026-11-26 08:12:30  08:15:34             3m04s     exit 3           catch-up (due 02:00:00)
            2026-11-27 00:00:05  2026-11-28 02:30:05  1d02h     SIGKILL          schedule (due 2026-11-26 23:59:58)
            2026-11-27 11:00:00  11:00:00             12ms      could not start  retry
            2026-11-27 12:00:00  12:00:02             2.0s      unknown          daemon
            2026-11-27 20:55:50  running              4m10s     -                manual
            """);
  }

  @Test
  void none_saysSo() throws Exception {
    daemon.answer(runsResult());

    Cli.Result result = daemon.run("history", "backup");

    assertThat(result.exit()).isZero();
    assertThat(result.out()).isEqualTo("no runs of backup yet\n");
  }

  @Test
  void json_printsTheDaemonsResultOnly() throws Exception {
    Map<String, Object> canned =
        runsResult(
            run(1, RunRecord.SCHEDULE, "2026-11-25T01:00:00Z", "2026-11-25T01:00:00Z",
                "2026-11-25T01:00:01Z", exited(0)));
    daemon.answer(canned);

    Cli.Result result = daemon.run("history", "backup", "--json");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(Json.parseObject(result.out())).isEqualTo(Json.parseObject(Json.write(canned)));
  }

  @Test
  void unknownProcess_exits1_withTheDaemonsMessage() throws Exception {
    daemon.fail(ErrorCode.NOT_FOUND, "no process named nope; see: sentinel list");

    Cli.Result result = daemon.run("history", "nope");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.errLines()).containsExactly("sentinel: no process named nope; see: sentinel list");
  }

  @Test
  void aRunWithAMalformedTime_isAnInternalError() throws Exception {
    Map<String, Object> bad = new java.util.LinkedHashMap<>(
        run(1, RunRecord.MANUAL, null, "2026-11-25T01:00:00Z", null, null));
    bad.put("started_at", "yesterday");
    daemon.answer(runsResult(bad));

    Cli.Result result = daemon.run("history", "backup");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.err()).contains("a run with a malformed time");
  }

  @ParameterizedTest(name = "{0} ms -> {1}")
  @CsvSource({
    "0, 0ms", "12, 12ms", "999, 999ms", "1000, 1.0s", "1249, 1.2s", "1250, 1.3s", "59949, 59.9s",
    "59950, 1m00s", "60000, 1m00s", "184000, 3m04s", "3720000, 1h02m", "93600000, 1d02h"
  })
  void runDuration_readsAsPeopleSayIt(long ms, String text) {
    assertThat(ScheduleView.runDuration(ms)).isEqualTo(text);
  }

  static Map<String, Object> run(
      long id, String reason, String scheduledFor, String started, String ended, ExitInfo exit) {
    return new RunRecord(
            id,
            "backup",
            reason,
            scheduledFor == null ? null : Instant.parse(scheduledFor),
            Instant.parse(started),
            ended == null ? null : Instant.parse(ended),
            exit == null || ExitInfo.LAUNCH_FAILED.equals(exit.kind()) ? null : 4000 + id,
            exit)
        .toJson();
  }

  private static ExitInfo exited(int code) {
    return new ExitInfo(ExitInfo.EXITED, code, null, null, "exited with code " + code);
  }

  private static ExitInfo killed(String signal) {
    return new ExitInfo(ExitInfo.KILLED, null, signal, null, "killed by SIG" + signal);
  }

  private static ExitInfo launchFailed() {
    return new ExitInfo(ExitInfo.LAUNCH_FAILED, null, null, null, "not executable");
  }

  @SafeVarargs
  static Map<String, Object> runsResult(Map<String, Object>... runs) {
    return Map.of("runs", List.of(runs));
  }
}
