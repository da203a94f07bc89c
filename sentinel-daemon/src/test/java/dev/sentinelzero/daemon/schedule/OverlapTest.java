package dev.sentinelzero.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a fire time does while the previous run is still going. */
class OverlapTest {

  @ParameterizedTest(name = "{0}, running {1}, one waiting {2} -> {3}")
  @CsvSource({
    "skip,    false, false, START",
    "queue,   false, false, START",
    "replace, false, false, START",
    "allow,   false, false, START",
    "skip,    true,  false, DROP",
    "queue,   true,  false, WAIT",
    "queue,   true,  true,  DROP",
    "replace, true,  false, STOP_THEN_START",
    "allow,   true,  false, START_ANOTHER",
  })
  void onFire_table(String policy, boolean running, boolean waiting, Overlap.Action action)
      throws Exception {
    assertThat(Overlap.parse(policy).onFire(running, waiting)).isEqualTo(action);
  }
}
