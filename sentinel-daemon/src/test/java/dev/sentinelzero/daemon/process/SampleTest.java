package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sample: CPU and memory per group, through one process-table scan and OSHI. */
class SampleTest extends RealProcessTest {

  @Test
  void sample_showsABusyLoopNearOneCore_onTheSecondSample() throws Exception {
    ChildProcess busy = spawn(sh("while :; do :; done"), status -> {});
    ChildProcess idle = spawn(program("/bin/sleep", "1000"), status -> {});
    List<Long> groups = List.of(busy.pgid(), idle.pgid());
    long[] window = {Procs.cpuTicks(busy.pid()), System.nanoTime()}; // kernel's view, for scale

    Map<Long, ResourceUsage> first = control.sample(groups);
    assertThat(first.get(busy.pgid()).cpuPercent()).isNull();
    assertThat(first.get(busy.pgid()).processes()).isEqualTo(1);

    await()
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ofMillis(300))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              long ticks = Procs.cpuTicks(busy.pid());
              long now = System.nanoTime();
              Map<Long, ResourceUsage> usage = control.sample(groups);
              double kernelPercent =
                  (ticks - window[0]) * 1e11 / Procs.TICKS_PER_SECOND / (now - window[1]);
              window[0] = ticks;
              window[1] = now;

              ResourceUsage hot = usage.get(busy.pgid());
              assertThat(hot.cpuPercent()).isCloseTo(kernelPercent, offset(20.0));
              // About one core, unless the machine is so loaded that the kernel gave it less.
              assertThat(hot.cpuPercent()).isGreaterThan(Math.min(30.0, kernelPercent - 20));
              assertThat(hot.residentBytes()).isPositive();
              assertThat(usage.get(idle.pgid()).cpuPercent()).isLessThan(10.0);
            });
  }

  @Test
  void sample_leavesOutGroupsWithoutLiveMembers() throws Exception {
    Spawned gone = spawn(program("/bin/true"));
    gone.awaitExit(); // only its zombie is left

    assertThat(control.sample(List.of(gone.pid(), 999_999L))).isEmpty();
  }
}
