package dev.sentinelzero.daemon.schedule;

import static dev.sentinelzero.daemon.schedule.Fires.instant;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Missed fire times: at most one run, the latest missed, and only within the window. */
class CatchUpTest {

  private static Trigger trigger(String spec) throws ScheduleException {
    if (spec.startsWith("at ")) {
      return Trigger.parseAt(spec.substring(3), ZoneOffset.UTC);
    }
    return Trigger.parseCron(spec, ZoneOffset.UTC);
  }

  @ParameterizedTest(name = "{0} {1} window {2}, last {3}, now {4}: {5}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # mode | trigger                 | window | last fire         | now                      | run now
          none   | 0 * * * *               | 24h    | 2026-04-01T10:00Z | 2026-04-01T20:20Z        | -
          once   | 0 * * * *               | 24h    | 2026-04-01T10:00Z | 2026-04-01T10:30Z        | -
          once   | 0 * * * *               | 24h    | 2026-04-01T10:00Z | 2026-04-01T11:20Z        | 2026-04-01T11:00Z
          # ten missed: one run, the latest
          once   | 0 * * * *               | 24h    | 2026-04-01T10:00Z | 2026-04-01T20:20Z        | 2026-04-01T20:00Z
          once   | 0 2 * * *               | 24h    | 2026-04-01T02:00Z | 2026-04-05T12:00Z        | 2026-04-05T02:00Z
          # the latest missed is older than the window
          once   | @weekly                 | 24h    | 2026-04-05T00:00Z | 2026-04-14T12:00Z        | -
          once   | @weekly                 | 3d     | 2026-04-05T00:00Z | 2026-04-14T12:00Z        | 2026-04-12T00:00Z
          once   | at 2026-04-01T00:00Z    | 24h    | 2026-03-31T00:00Z | 2026-04-03T00:00Z        | -
          # the window's edge counts, a nanosecond past it does not
          once   | at 2026-04-01T00:00Z    | 24h    | 2026-03-31T00:00Z | 2026-04-02T00:00Z        | 2026-04-01T00:00Z
          once   | at 2026-04-01T00:00Z    | 24h    | 2026-03-31T00:00Z | 2026-04-02T00:00:00.000000001Z | -
          # a fire time equal to now is due now
          once   | 0 * * * *               | 24h    | 2026-04-01T10:00Z | 2026-04-01T11:00Z        | 2026-04-01T11:00Z
          # nothing after the last fire, or a clock that went back
          once   | 0 * * * *               | 24h    | 2026-04-01T11:00Z | 2026-04-01T11:00Z        | -
          once   | 0 * * * *               | 24h    | 2026-04-01T11:00Z | 2026-04-01T09:30Z        | -
          once   | @reboot                 | 24h    | 2026-04-01T11:00Z | 2026-04-03T09:30Z        | -
          # many fire times in the window: still one, the latest
          once   | * * * * * *             | 24h    | 2026-03-01T00:00Z | 2026-04-01T12:34:56.5Z   | 2026-04-01T12:34:56Z
          """)
  void decide_table(
      String mode, String spec, String window, String lastFire, String now, String expected)
      throws Exception {
    Optional<Instant> run =
        CatchUp.decide(
            CatchUp.Mode.parse(mode),
            CatchUp.parseWindow(window),
            instant(lastFire),
            instant(now),
            trigger(spec));
    if (expected.equals("-")) {
      assertThat(run).isEmpty();
    } else {
      assertThat(run).contains(instant(expected));
    }
  }

  @Test
  void everyInterval_downForAWeek_catchesUpOnce_onTheGrid() throws Exception {
    Instant anchor = Instant.parse("2026-04-01T00:00:00Z");
    Trigger every = Trigger.parseEvery("250ms", anchor);
    Instant now = anchor.plus(Duration.ofDays(7)).plusMillis(100);
    assertThat(CatchUp.decide(CatchUp.Mode.ONCE, CatchUp.DEFAULT_WINDOW, anchor, now, every))
        .contains(anchor.plus(Duration.ofDays(7)));
  }

  @Test
  void lastFireBeforeTheWindow_onlyFireTimesInsideTheWindowCount() throws Exception {
    // Daily at 02:00; down from 03-01 to 04-10 01:00, so the latest missed is 04-09 02:00 (23h ago).
    Trigger daily = Trigger.parseCron("0 2 * * *", ZoneOffset.UTC);
    assertThat(
            CatchUp.decide(
                CatchUp.Mode.ONCE,
                Duration.ofHours(24),
                instant("2026-03-01T02:00Z"),
                instant("2026-04-10T01:00Z"),
                daily))
        .contains(instant("2026-04-09T02:00Z"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"none, NONE", "once, ONCE", "' Once ', ONCE"})
  void mode_parse(String text, CatchUp.Mode mode) throws Exception {
    assertThat(CatchUp.Mode.parse(text)).isEqualTo(mode);
  }
}
