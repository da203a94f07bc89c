package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Hundreds of children cost no threads, and all of them are torn down and reaped. */
class ScaleTest extends RealProcessTest {

  @Test
  void threeHundredChildren_useNoExtraThreads_andAreAllTornDown() throws Exception {
    int count = 300;
    Spawned warmUp = spawn(program("/bin/true")); // starts whatever is started lazily
    warmUp.awaitExit();
    terminate(warmUp.pid(), term, 1000);
    int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
    AtomicInteger killedByTerm = new AtomicInteger();
    List<ChildProcess> children = new ArrayList<>();

    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      children.add(
          spawn(
              program("/bin/sleep", "1000"),
              status -> {
                if (status.equals(new ExitStatus.Killed(term, false))) {
                  killedByTerm.incrementAndGet();
                }
              }));
    }
    long spawnMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
    // posix_spawn returns once the child has exec'd sleep, so each TERM meets sleep itself.
    start = System.nanoTime();
    List<CompletableFuture<Void>> done =
        children.stream().map(c -> control.terminateGroup(c.pgid(), term, 5_000)).toList();
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    long teardownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.printf(
        "%d children: spawned in %d ms (%d us each), torn down in %d ms; threads %d -> %d%n",
        count,
        spawnMillis,
        spawnMillis * 1000 / count,
        teardownMillis,
        threadsBefore,
        threadsAfter);

    assertThat(threadsAfter - threadsBefore).isLessThanOrEqualTo(3);
    assertThat(killedByTerm).hasValue(count);
    assertThat(Procs.ourZombies()).isEmpty();
  }
}
