package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;
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

    Map<Long, ResourceUsage> first = control.sample(groups);
    assertThat(first.get(busy.pgid()).cpuPercent()).isNull();
    assertThat(first.get(busy.pgid()).processes()).isEqualTo(1);

    await()
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ofMillis(300))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              Map<Long, ResourceUsage> usage = control.sample(groups);
              ResourceUsage hot = usage.get(busy.pgid());
              assertThat(hot.cpuPercent()).isBetween(30.0, 150.0);
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
