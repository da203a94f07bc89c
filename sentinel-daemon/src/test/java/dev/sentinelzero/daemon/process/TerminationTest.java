package dev.sentinelzero.daemon.process;

import static dev.sentinelzero.daemon.process.Termination.Step.COMPLETE;
import static dev.sentinelzero.daemon.process.Termination.Step.SIGNAL_FIRST;
import static dev.sentinelzero.daemon.process.Termination.Step.SIGNAL_KILL;
import static dev.sentinelzero.daemon.process.Termination.Step.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The pure pacing of one termination, driven by a fake ticker; no processes, no sleeping. */
class TerminationTest {
  private static final Signal TERM = new Signal("TERM", 15);
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void next_signalsFirst_thenWaits_thenKillsAtTheDeadline_thenCompletes() {
    long t0 = 1_000;
    Termination termination = new Termination(42, TERM, 500, t0);

    assertThat(termination.next(t0, false, false)).isEqualTo(SIGNAL_FIRST);
    assertThat(termination.next(t0 + 499 * MS, false, false)).isEqualTo(WAIT);
    assertThat(termination.nanosUntilKill(t0 + 499 * MS)).isEqualTo(MS);
    assertThat(termination.next(t0 + 500 * MS, false, false)).isEqualTo(SIGNAL_KILL);
    assertThat(termination.next(t0 + 600 * MS, false, false)).isEqualTo(WAIT); // SIGKILL once
    assertThat(termination.nanosUntilKill(t0 + 600 * MS)).isEqualTo(Long.MAX_VALUE);
    assertThat(termination.next(t0 + 700 * MS, true, false)).isEqualTo(WAIT); // leader not seen
    assertThat(termination.next(t0 + 701 * MS, true, true)).isEqualTo(COMPLETE);
  }

  @Test
  void next_completesAtOnce_withoutSignalling_whenTheGroupIsAlreadyGone() {
    Termination termination = new Termination(42, TERM, 500, 0);

    assertThat(termination.next(0, true, true)).isEqualTo(COMPLETE);
  }

  @Test
  void next_neverKills_aGroupThatHasEmptied_whileItsLeaderExitIsPending() {
    Termination termination = new Termination(42, TERM, 0, 0);

    assertThat(termination.next(0, true, false)).isEqualTo(WAIT);
    assertThat(termination.next(10 * MS, true, false)).isEqualTo(WAIT);
  }

  @Test
  void next_doesNotEscalate_whenTheFirstSignalIsAlreadyKill() {
    Termination termination = new Termination(42, new Signal("KILL", 9), 0, 0);

    assertThat(termination.next(0, false, false)).isEqualTo(SIGNAL_FIRST);
    assertThat(termination.next(5 * MS, false, false)).isEqualTo(WAIT);
    assertThat(termination.nanosUntilKill(5 * MS)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void next_handlesATickerAboutToOverflow() {
    long t0 = Long.MAX_VALUE - 100 * MS;
    Termination termination = new Termination(42, TERM, 500, t0);

    assertThat(termination.next(t0, false, false)).isEqualTo(SIGNAL_FIRST);
    assertThat(termination.next(t0 + 499 * MS, false, false)).isEqualTo(WAIT); // wrapped negative
    assertThat(termination.next(t0 + 500 * MS, false, false)).isEqualTo(SIGNAL_KILL);
  }

  @Test
  void next_treatsAHugeTimeoutAsNeverRatherThanOverflowing() {
    Termination termination = new Termination(42, TERM, Long.MAX_VALUE, 0);

    assertThat(termination.next(0, false, false)).isEqualTo(SIGNAL_FIRST);
    assertThat(termination.next(Long.MAX_VALUE / 8, false, false)).isEqualTo(WAIT);
  }

  @Test
  void backoff_startsAtOnce_andIsCappedAt100Millis() {
    assertThat(IntStream.range(0, 9).mapToLong(Termination::backoffMillis).toArray())
        .containsExactly(0, 5, 10, 20, 50, 100, 100, 100, 100);
  }
}
