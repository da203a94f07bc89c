package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Exit detection: one callback per child, with the right status, on the watcher thread. */
class ExitWatchTest extends RealProcessTest {

  @Test
  void exit_reportsKilled_whenSigkillComesFromOutside() throws Exception {
    Spawned child = spawn(program("/bin/sleep", "1000"));

    ProcessHandle.of(child.pid()).orElseThrow().destroyForcibly();

    assertThat(child.awaitExit()).isEqualTo(new ExitStatus.Killed(kill, false));
  }

  @Test
  void exit_callsTheListenerOnTheWatcherThread() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    spawn(program("/bin/true"), status -> threads.add(Thread.currentThread().getName()));

    await().atMost(Duration.ofSeconds(10)).until(() -> !threads.isEmpty());
    assertThat(threads).containsExactly("sentinel-exit-watcher");
  }

  @Test
  void exit_leavesTheLeaderUnreaped_untilItsGroupIsTerminated() throws Exception {
    Spawned child = spawn(program("/bin/true"));
    child.awaitExit();

    assertThat(Procs.entry(child.pid()).state()).isEqualTo('Z'); // pins the pgid

    terminate(child.pid(), term, 1000);
    assertThat(Procs.isOurChild(child.pid())).isFalse();
  }

  @Test
  void watch_reportsAChildThatEndedBeforeItWasWatched() throws Exception {
    NativeOs os = ProcessControls.nativeOs();
    int pid = os.spawn(program("/bin/sh", "-c", "exit 7"));
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> Procs.entry(pid).state() == 'Z');
      CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
      try (ExitWatcher watcher = new ExitWatcher(os, (p, s) -> {})) {
        watcher.watch(pid, true, exit::complete);

        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(7));
      }
      assertThat(Procs.entry(pid).state()).as("still unreaped").isEqualTo('Z');
    } finally {
      assertThat(os.reap(pid)).isEqualTo(NativeOs.Reap.REAPED);
    }
  }

  @Test
  void exit_firesExactlyOncePerChild_with200ConcurrentShortLivedChildren() throws Exception {
    int threads = 4;
    int perThread = 50;
    Map<Integer, List<ExitStatus>> exits = new ConcurrentHashMap<>();
    Map<Integer, Long> pids = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        work.add(
            pool.submit(
                () -> {
                  for (int i = base; i < base + perThread; i++) {
                    int n = i;
                    exits.put(n, new CopyOnWriteArrayList<>());
                    ChildProcess child =
                        spawn(sh("exit " + (n % 200)), status -> exits.get(n).add(status));
                    pids.put(n, child.pid());
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdown();
    }

    int total = threads * perThread;
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> exits.values().stream().filter(l -> !l.isEmpty()).count() == total);
    for (int n = 0; n < total; n++) {
      terminate(pids.get(n), term, 1000); // completes only after the listener ran
    }
    for (int n = 0; n < total; n++) {
      assertThat(exits.get(n))
          .as("exits of child %d", n)
          .containsExactly(new ExitStatus.Exited(n % 200));
    }
  }

  @Test
  void adopt_reportsUnknown_whenAProcessItDidNotStartExits() throws Exception {
    Process stranger = new ProcessBuilder("sleep", "1000").start();
    try {
      Instant started = ProcessControls.nativeOs().startTime(stranger.pid());
      List<ExitStatus> exits = new CopyOnWriteArrayList<>();

      boolean watching = control.adopt(new ChildProcess(stranger.pid(), started), exits::add);
      stranger.destroy();

      assertThat(watching).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> !exits.isEmpty());
      assertThat(exits).containsExactly(new ExitStatus.Unknown());
    } finally {
      stranger.destroyForcibly().waitFor();
    }
  }

  @Test
  void adopt_refuses_whenThePidNowBelongsToAnotherProcess() throws Exception {
    Process stranger = new ProcessBuilder("sleep", "1000").start();
    try {
      Instant someOtherStart = Instant.parse("2001-01-01T00:00:00Z");

      assertThat(control.adopt(new ChildProcess(stranger.pid(), someOtherStart), s -> {}))
          .isFalse();
    } finally {
      stranger.destroyForcibly().waitFor();
    }
  }

  @Test
  void terminateGroup_endsAnAdoptedGroup_andReportsUnknown() throws Exception {
    // setsid makes the stranger the leader of its own group; the JDK, its parent, reaps it.
    Process stranger = new ProcessBuilder("setsid", "sh", "-c", "sleep 1000 & wait").start();
    try {
      long pgid = stranger.pid();
      await().atMost(Duration.ofSeconds(10)).until(() -> Procs.liveGroup(pgid).size() == 2);
      List<ExitStatus> exits = new CopyOnWriteArrayList<>();
      assertThat(control.adopt(new ChildProcess(pgid, null), exits::add)).isTrue();

      control.terminateGroup(pgid, term, 5000).get(10, TimeUnit.SECONDS);

      assertThat(exits).containsExactly(new ExitStatus.Unknown());
      assertThat(Procs.liveGroup(pgid)).isEmpty();
      assertThat(stranger.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(stranger.exitValue()).isEqualTo(128 + 15);
    } finally {
      stranger.destroyForcibly().waitFor();
    }
  }

  @Test
  void terminateGroup_leavesAnAdoptedProcessOutsideItsGroupAlone() throws Exception {
    // A ProcessBuilder child stays in the JVM's group: "its" group is empty.
    Process stranger = new ProcessBuilder("sleep", "1000").start();
    try {
      control.adopt(new ChildProcess(stranger.pid(), null), s -> {});

      control.terminateGroup(stranger.pid(), term, 1000).get(10, TimeUnit.SECONDS);

      assertThat(stranger.isAlive()).isTrue();
    } finally {
      stranger.destroyForcibly().waitFor();
    }
  }
}
