package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FireTime;
import dev.sentinelzero.protocol.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code sentinel upcoming} against the stand-in daemon. Usage errors are in {@link UsageErrorsTest}. */
class UpcomingCommandTest {
  private static final Clock CLOCK = ScheduleCommandTest.CLOCK;
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @RegisterExtension final StandInDaemon daemon = new StandInDaemon(CLOCK);

  @Test
  void withoutArguments_sendsTheDefaultCountOnly() throws Exception {
    daemon.answer(firesResult());

    Cli.Result result = daemon.run("upcoming");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyRequest()).containsEntry("v", 1).containsEntry("cmd", "upcoming");
    assertThat(daemon.onlyArgs()).isEqualTo(Map.of("count", 10));
  }

  @Test
  void withNameAndCount_sendsBoth() throws Exception {
    daemon.answer(firesResult());

    Cli.Result result = daemon.run("upcoming", "backup", "--count", "3");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(Json.write(daemon.onlyArgs())).isEqualTo("{\"name\":\"backup\",\"count\":3}");
  }

  @Test
  void printsLocalTimeUtcAndName_andTheJobsZoneTimeWhenItDiffers() throws Exception {
    daemon.answer(
        firesResult(
            fire("poll", "2026-11-27T20:15:00Z", "Europe/Berlin"),
            fire("backup", "2026-11-28T01:00:00Z", "Europe/Berlin"),
            fire("report", "2026-11-30T14:00:00Z", "America/New_York"),
            fire("tokyo", "2026-11-30T15:00:00.250Z", "Asia/Tokyo")));

    Cli.Result result = daemon.run("upcoming");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .isEqualTo(
            """
            2026-11-27 21:15:00 +01:00  2026-11-27 20:15:00Z  poll
            2026-11-28 02:00:00 +01:00  2026-11-28 01:00:00Z  backup
            2026-11-30 15:00:00 +01:00  2026-11-30 14:00:00Z  report  2026-11-30 09:00:00 -05:00 America/New_York
            2026-11-30 16:00:00 +01:00  2026-11-30 15:00:00Z  tokyo   2026-12-01 00:00:00 +09:00 Asia/Tokyo
            """);
  }

  /** Across the change to summer time the local offset changes with it. */
  @Test
  void localOffset_followsDaylightSavingTime() throws Exception {
    daemon.answer(
        firesResult(
            fire("hourly", "2026-03-29T00:00:00Z", "Europe/Berlin"),
            fire("hourly", "2026-03-29T01:00:00Z", "Europe/Berlin")));

    Cli.Result result = daemon.run("upcoming", "hourly", "--count", "2");

    assertThat(result.out())
        .isEqualTo(
            """
            2026-03-29 01:00:00 +01:00  2026-03-29 00:00:00Z  hourly
            2026-03-29 03:00:00 +02:00  2026-03-29 01:00:00Z  hourly
            """);
  }

  @Test
  void none_saysWhereToLook() throws Exception {
    daemon.answer(firesResult());

    Cli.Result result = daemon.run("upcoming");

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "no upcoming runs: no enabled job has a next fire time; see: sentinel schedule list\n");
  }

  @Test
  void noneOfOne_saysWhyThatMayBe() throws Exception {
    daemon.answer(firesResult());

    Cli.Result result = daemon.run("upcoming", "once");

    assertThat(result.out())
        .isEqualTo(
            "no upcoming runs of once (disabled, a one-time job that has run, or @reboot); see:"
                + " sentinel schedule list once\n");
  }

  @Test
  void json_printsTheDaemonsResultOnly() throws Exception {
    Map<String, Object> canned = firesResult(fire("backup", "2026-11-28T01:00:00Z", "Europe/Berlin"));
    daemon.answer(canned);

    Cli.Result result = daemon.run("upcoming", "--json");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(Json.parseObject(result.out())).isEqualTo(Json.parseObject(Json.write(canned)));
  }

  @Test
  void unknownJob_exits1_withTheDaemonsMessage() throws Exception {
    daemon.fail(ErrorCode.NOT_FOUND, "no scheduled job named nope; see: sentinel schedule list");

    Cli.Result result = daemon.run("upcoming", "nope");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.errLines())
        .containsExactly("sentinel: no scheduled job named nope; see: sentinel schedule list");
  }

  @Test
  void anAnswerWithoutFires_isAnInternalError() throws Exception {
    daemon.answer(Map.of("runs", List.of()));

    Cli.Result result = daemon.run("upcoming");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err()).contains("no \"fires\" array; are the CLI and daemon the same version?");
  }

  /** A fire time as the daemon sends it: {@code local} on the daemon's (Berlin) clock. */
  static Map<String, Object> fire(String name, String at, String zone) {
    Instant instant = Instant.parse(at);
    return new FireTime(
            name,
            instant,
            instant.atZone(BERLIN).toOffsetDateTime(),
            zone,
            instant.atZone(ZoneId.of(zone)).toOffsetDateTime())
        .toJson();
  }

  @SafeVarargs
  static Map<String, Object> firesResult(Map<String, Object>... fires) {
    return Map.of("fires", List.of(fires));
  }
}
