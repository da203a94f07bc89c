package dev.sentinelzero.daemon.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.daemon.policy.RestartPolicies.Ending;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RestartPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The restart decision as a pure function: tables of cases, no clock, no sleeping. */
class RestartPoliciesTest {
  private static RestartPolicy policy(Map<String, Object> changes) throws ProtocolException {
    return RestartPolicy.DEFAULT.with(changes);
  }

  private static List<Long> delays(RestartPolicy p, int count, double random) {
    List<Long> out = new ArrayList<>();
    for (int k = 1; k <= count; k++) {
      out.add(RestartPolicies.delayMs(p, k, random));
    }
    return out;
  }

  @Test
  void exponentialBackoff_fromZero_growsFrom100msBase_andIsCapped() throws Exception {
    RestartPolicy p = policy(Map.of("jitter", 0, "max_delay_ms", 1000));
    assertThat(delays(p, 6, 0.5)).containsExactly(0L, 200L, 400L, 800L, 1000L, 1000L);
  }

  @Test
  void exponentialBackoff_withAFirstDelayAndFactor3() throws Exception {
    RestartPolicy p = policy(Map.of("jitter", 0, "delay_ms", 1000, "backoff_factor", 3, "max_delay_ms", 60_000));
    assertThat(delays(p, 5, 0.5)).containsExactly(1000L, 3000L, 9000L, 27000L, 60000L);
  }

  @Test
  void fixedBackoff_isTheSameDelayEveryTime() throws Exception {
    RestartPolicy p = policy(Map.of("jitter", 0, "delay_ms", 2500, "backoff", "fixed"));
    assertThat(delays(p, 4, 0.5)).containsExactly(2500L, 2500L, 2500L, 2500L);
  }

  @Test
  void jitter_spreadsEachDelayWithinItsFraction_andNeverPastTheCap() throws Exception {
    RestartPolicy p = policy(Map.of("jitter", 0.1, "delay_ms", 1000, "backoff", "fixed", "max_delay_ms", 1050));
    assertThat(RestartPolicies.delayMs(p, 1, 0.0)).isEqualTo(900);
    assertThat(RestartPolicies.delayMs(p, 1, 0.5)).isEqualTo(1000);
    assertThat(RestartPolicies.delayMs(p, 1, 0.999999)).isEqualTo(1050); // 1100 capped
  }

  @Test
  void hugeAttemptNumbers_doNotOverflow() throws Exception {
    RestartPolicy p = policy(Map.of("jitter", 0));
    assertThat(RestartPolicies.delayMs(p, Integer.MAX_VALUE, 0.5)).isEqualTo(p.maxDelayMs());
  }

  @ParameterizedTest(name = "{0} after {1} ({2} ms run, {3} failed before) -> {4} with {5} failed")
  @CsvSource({
    // mode,      ending,  runMs,  before, decision, failedAfter
    "on-failure,  exit0,   100,    0,      Stay,     1",
    "on-failure,  exit0,   9000,   3,      Stay,     0",
    "on-failure,  exit1,   9000,   4,      Restart,  0",
    "on-failure,  exit1,   100,    0,      Restart,  1",
    "on-failure,  exit1,   100,    4,      Restart,  5",
    "on-failure,  exit1,   100,    5,      GiveUp,   6",
    "on-failure,  kill,    9000,   0,      Restart,  0",
    "on-failure,  launch,  0,      0,      Restart,  1",
    "on-failure,  unknown, 9000,   0,      Restart,  0",
    "always,      exit0,   9000,   0,      Restart,  0",
    "always,      exit0,   100,    5,      GiveUp,   6",
    "never,       exit1,   100,    0,      Stay,     1",
    "never,       kill,    9000,   0,      Stay,     0",
  })
  void decide_table(String mode, String ending, long runMs, int before, String decision, int after)
      throws Exception {
    RestartPolicy p = policy(Map.of("mode", mode));
    Ending e =
        switch (ending) {
          case "exit0" -> Ending.exited(0);
          case "exit1" -> Ending.exited(1);
          case "kill" -> Ending.killed("KILL");
          case "launch" -> Ending.launchFailure();
          default -> Ending.unknown();
        };

    RestartDecision d = RestartPolicies.decide(p, e, runMs, before, 0.5);

    assertThat(d.getClass().getSimpleName()).isEqualTo(decision);
    assertThat(d.failedStarts()).isEqualTo(after);
  }

  @Test
  void successExitCodes_countAsCleanUnderOnFailure() throws Exception {
    RestartPolicy p = policy(Map.of("success_exit_codes", List.of(0, 3)));
    assertThat(RestartPolicies.decide(p, Ending.exited(3), 9000, 0, 0.5)).isInstanceOf(RestartDecision.Stay.class);
    assertThat(RestartPolicies.decide(p, Ending.exited(2), 9000, 0, 0.5)).isInstanceOf(RestartDecision.Restart.class);
  }

  @Test
  void unlimitedRetries_neverGiveUp() throws Exception {
    RestartPolicy p = policy(Map.of("retries", RestartPolicy.UNLIMITED));
    assertThat(RestartPolicies.decide(p, Ending.exited(1), 0, 1_000_000, 0.5)).isInstanceOf(RestartDecision.Restart.class);
    assertThat(RestartPolicies.attemptsLeft(p, 1_000_000)).isNull();
  }

  @Test
  void attemptsLeft_countsDownToZero() throws Exception {
    RestartPolicy p = policy(Map.of("retries", 2));
    assertThat(RestartPolicies.attemptsLeft(p, 0)).isEqualTo(2);
    assertThat(RestartPolicies.attemptsLeft(p, 2)).isEqualTo(0);
    assertThat(RestartPolicies.attemptsLeft(p, 7)).isEqualTo(0);
  }
}
