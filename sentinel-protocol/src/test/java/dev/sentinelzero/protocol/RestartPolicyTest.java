package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules that keep a restart policy consistent, applied to every client's request (issue 9). */
class RestartPolicyTest {
  private static final long FIVE_HOURS = 5 * 3_600_000L;

  @Test
  void aDelayAboveTheCap_givenWithoutMaxDelay_raisesTheCapToIt_andSaysSo() throws Exception {
    Map<String, Object> change = Map.of("retries", 3, "delay_ms", FIVE_HOURS);

    RestartPolicy after = RestartPolicy.DEFAULT.with(change);

    assertThat(after.delayMs()).isEqualTo(FIVE_HOURS);
    assertThat(after.maxDelayMs()).isEqualTo(FIVE_HOURS);
    assertThat(RestartPolicy.adjusted(RestartPolicy.DEFAULT, change, after))
        .isEqualTo(Map.of("max_delay_ms", Map.of("from", 300_000L, "to", FIVE_HOURS)));
  }

  @Test
  void aDelayUnderTheCap_leavesTheCap_andNothingIsAdjusted() throws Exception {
    Map<String, Object> change = Map.of("delay_ms", 60_000);

    RestartPolicy after = RestartPolicy.DEFAULT.with(change);

    assertThat(after.maxDelayMs()).isEqualTo(300_000L);
    assertThat(RestartPolicy.adjusted(RestartPolicy.DEFAULT, change, after)).isEmpty();
  }

  @Test
  void anExplicitMaxDelayBelowTheDelay_isRefused_namingBoth() {
    assertThatThrownBy(() -> RestartPolicy.DEFAULT.with(Map.of("delay_ms", FIVE_HOURS, "max_delay_ms", 60_000)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("max_delay_ms 60000 is shorter than delay_ms 18000000");
  }

  @Test
  void aMaxDelayAloneBelowTheStoredDelay_isRefused() throws Exception {
    RestartPolicy slow = RestartPolicy.DEFAULT.with(Map.of("delay_ms", FIVE_HOURS));

    assertThatThrownBy(() -> slow.with(Map.of("max_delay_ms", 60_000)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("max_delay_ms 60000 is shorter than delay_ms 18000000")
        .hasMessageContaining("with it");
  }

  @Test
  void anExplicitCap_isNeverReportedAsAdjusted() throws Exception {
    Map<String, Object> change = Map.of("delay_ms", FIVE_HOURS, "max_delay_ms", 2 * FIVE_HOURS);

    RestartPolicy after = RestartPolicy.DEFAULT.with(change);

    assertThat(after.maxDelayMs()).isEqualTo(2 * FIVE_HOURS);
    assertThat(RestartPolicy.adjusted(RestartPolicy.DEFAULT, change, after)).isEmpty();
  }
}
