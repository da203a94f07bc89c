package dev.sentinelzero.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --every}: a grid anchored at an instant, which cannot drift. */
class EveryTest {
  private static final Instant ANCHOR = Instant.parse("2026-04-01T10:00:00Z");

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "250ms,  PT0.25S",
    "5s,     PT5S",
    "10m,    PT10M",
    "5h,     PT5H",
    "1d,     PT24H",
    "1h30m,  PT1H30M",
    "1d12h,  PT36H",
    "2m500ms, PT2M0.5S",
    "' 15m ', PT15M",
  })
  void parse_acceptsNumberUnitParts(String text, String expected) throws Exception {
    assertThat(Trigger.parseEvery(text, ANCHOR).interval()).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest(name = "after {0} -> {1}")
  @CsvSource({
    "2026-04-01T09:00:00Z,           2026-04-01T10:00:00Z",
    "2026-04-01T10:00:00Z,           2026-04-01T10:15:00Z",
    "2026-04-01T10:14:59.999999999Z, 2026-04-01T10:15:00Z",
    "2026-04-01T10:15:00Z,           2026-04-01T10:30:00Z",
    "2026-04-02T07:31:12Z,           2026-04-02T07:45:00Z",
  })
  void nextAfter_isTheNextGridPoint(String after, String expected) throws Exception {
    Trigger every = Trigger.parseEvery("15m", ANCHOR);
    assertThat(every.nextAfter(Instant.parse(after))).contains(Instant.parse(expected));
  }

  /**
   * A scheduler that wakes late by a different amount each time, and asks for the next fire time
   * from when it woke, stays on the grid: after 10,000 runs it is exactly 10,000 intervals on.
   */
  @ParameterizedTest(name = "every {0}")
  @CsvSource({"250ms", "1h30m", "7s"})
  void noDrift_over10000Steps_withLateWakeUps(String interval) throws Exception {
    Trigger.Every every = Trigger.parseEvery(interval, ANCHOR);
    long step = every.interval().toNanos();
    Instant fire = ANCHOR;
    for (int k = 1; k <= 10_000; k++) {
      Instant wokeAt = fire.plusNanos((k * 7_919L) % step); // late, but before the next one
      fire = every.nextAfter(wokeAt).orElseThrow();
      assertThat(fire).isEqualTo(ANCHOR.plus(every.interval().multipliedBy(k)));
    }
  }

  @Test
  void aScheduleThatSleptThroughManyIntervals_resumesOnTheGrid() throws Exception {
    Trigger every = Trigger.parseEvery("10m", ANCHOR);
    assertThat(every.nextAfter(ANCHOR.plus(Duration.ofDays(3)).plusSeconds(1)))
        .contains(ANCHOR.plus(Duration.ofDays(3)).plus(Duration.ofMinutes(10)));
  }

  @Test
  void nearTheEndOfTime_thereIsNoNextFire_andNoException() throws Exception {
    Trigger every = Trigger.parseEvery("1d", Instant.MAX.minusSeconds(10));
    assertThat(every.nextAfter(Instant.MAX.minusSeconds(5))).isEmpty();
    assertThat(Trigger.parseEvery("1d", Instant.MIN).nextAfter(Instant.MAX)).isEmpty();
  }
}
