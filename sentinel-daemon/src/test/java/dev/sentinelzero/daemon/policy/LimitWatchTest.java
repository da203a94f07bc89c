package dev.sentinelzero.daemon.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ResourceLimits;
import org.junit.jupiter.api.Test;

/** Sustained-threshold windows with a fake clock: a spike does not trigger, a sustained excess does. */
class LimitWatchTest {
  private static final long S = 1_000_000_000L;
  private static final long MIB = 1024 * 1024;

  @Test
  void memoryOverTheLimit_isABreachAtOnce() {
    LimitWatch w = new LimitWatch();
    ResourceLimits limits = new ResourceLimits(512 * MIB, null, 30_000, "restart");

    assertThat(w.observe(limits, 0, 1.0, 100 * MIB)).isNull();
    LimitWatch.Breach b = w.observe(limits, 2 * S, 1.0, 600 * MIB);

    assertThat(b.limit()).isEqualTo("memory");
    assertThat(b.message()).contains("600.0 MiB").contains("512.0 MiB");
  }

  @Test
  void aCpuSpike_doesNotTrigger_butASustainedExcessDoes() {
    LimitWatch w = new LimitWatch();
    ResourceLimits limits = new ResourceLimits(null, 100.0, 10_000, "restart");

    assertThat(w.observe(limits, 0, 180.0, 0)).as("spike starts the window").isNull();
    assertThat(w.observe(limits, 2 * S, 50.0, 0)).as("back under: window reset").isNull();
    assertThat(w.observe(limits, 4 * S, 150.0, 0)).isNull();
    assertThat(w.observe(limits, 8 * S, 150.0, 0)).as("over for 4 s of 10").isNull();
    assertThat(w.observe(limits, 12 * S, 150.0, 0)).as("over for 8 s").isNull();

    LimitWatch.Breach b = w.observe(limits, 14 * S, 160.0, 0);

    assertThat(b.limit()).isEqualTo("cpu");
    assertThat(b.message()).contains("160%").contains("10.0s").contains("100%");
  }

  @Test
  void cpuNotYetMeasured_isNoBreach_andResetForgetsTheWindow() {
    LimitWatch w = new LimitWatch();
    ResourceLimits limits = new ResourceLimits(null, 50.0, 0, "log");

    assertThat(w.observe(limits, 0, null, 0)).isNull();
    assertThat(w.observe(limits, S, 60.0, 0)).isNotNull(); // limit_for 0: the first sample over counts
    w.reset();
    ResourceLimits sustained = new ResourceLimits(null, 50.0, 5_000, "log");
    assertThat(w.observe(sustained, 2 * S, 60.0, 0)).isNull();
  }

  @Test
  void nearTheEndOfTheTickerRange_theWindowStillWorks() {
    LimitWatch w = new LimitWatch();
    ResourceLimits limits = new ResourceLimits(null, 100.0, 5_000, "restart");
    long start = Long.MAX_VALUE - 3 * S;

    assertThat(w.observe(limits, start, 200.0, 0)).isNull();
    assertThat(w.observe(limits, start + 6 * S, 200.0, 0)).as("ticker wrapped past MAX_VALUE").isNotNull();
  }
}
