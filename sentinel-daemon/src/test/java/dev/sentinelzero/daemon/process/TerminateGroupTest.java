package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** terminateGroup: whole trees go, SIGKILL comes at the deadline, the leader is reaped last. */
class TerminateGroupTest extends RealProcessTest {

  @Test
  void terminateGroup_killsTheWholeTree_includingDoubleForkedAndTermIgnoringMembers()
      throws Exception {
    // A double-forked sleep (re-parented away from the leader), then a leader and two sleeps
    // that ignore TERM (an ignored disposition is inherited across fork and exec).
    Spawned child = spawn(sh("(sleep 1000 &); trap '' TERM; sleep 1000 & sleep 1000 & wait"));
    long pgid = child.pid();
    await().atMost(Duration.ofSeconds(10)).until(() -> Procs.liveGroup(pgid).size() == 4);

    long start = System.nanoTime();
    terminate(pgid, term, 500);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.println("terminateGroup with SIGKILL escalation after 500 ms: " + millis + " ms");

    assertThat(millis).isGreaterThanOrEqualTo(500); // TERM alone could not do it
    assertThat(child.exit()).isCompletedWithValue(new ExitStatus.Killed(kill, false));
    assertNothingLeft(pgid);
  }

  @Test
  void terminateGroup_completesPromptly_whenEverythingDiesOnTerm() throws Exception {
    Spawned child = spawn(sh("sleep 1000 & sleep 1000 & wait"));
    long pgid = child.pid();
    await().atMost(Duration.ofSeconds(10)).until(() -> Procs.liveGroup(pgid).size() == 3);

    long start = System.nanoTime();
    terminate(pgid, term, 10_000);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.println("terminateGroup of a 3-process group dying on TERM: " + millis + " ms");

    assertThat(millis).isLessThan(2_000);
    assertThat(child.exit()).isCompletedWithValue(new ExitStatus.Killed(term, false));
    assertNothingLeft(pgid);
  }

  @Test
  void terminateGroup_clearsStragglers_afterTheLeaderExitedByItself() throws Exception {
    Spawned child = spawn(sh("sleep 1000 & exit 0"));
    long pgid = child.pid();
    assertThat(child.awaitExit()).isEqualTo(new ExitStatus.Exited(0));
    // The background child may still be the forked shell for a moment before it execs sleep.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Procs.liveGroup(pgid).stream().map(Procs.Entry::comm).toList().equals(List.of("sleep")));
    List<Procs.Entry> stragglers = Procs.liveGroup(pgid);
    assertThat(stragglers).extracting(Procs.Entry::comm).containsExactly("sleep");

    terminate(pgid, term, 5_000);

    assertNothingLeft(pgid);
    assertThat(Procs.entry(stragglers.get(0).pid()))
        .satisfiesAnyOf(e -> assertThat(e).isNull(), e -> assertThat(e.zombie()).isTrue());
  }

  @Test
  void terminateGroup_runsTheExitListenerFirst_whenItStopsARunningLeader() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    ChildProcess child =
        spawn(program("/bin/sleep", "1000"), status -> events.add("exit " + status));

    long start = System.nanoTime();
    CompletableFuture<Void> done = control.terminateGroup(child.pgid(), term, 5_000);
    done.thenRun(() -> events.add("terminated")).get(10, TimeUnit.SECONDS);
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
    System.out.println("terminateGroup of one running sleep (stop): " + micros + " us");

    assertThat(events).containsExactly("exit " + new ExitStatus.Killed(term, false), "terminated");
    assertNothingLeft(child.pgid());
  }

  @Test
  void terminateGroup_returnsTheSameFuture_whileATerminationIsPending() throws Exception {
    ChildProcess child = spawn(sh("trap '' TERM; sleep 1000"), status -> {});
    await().atMost(Duration.ofSeconds(10)).until(() -> Procs.liveGroup(child.pgid()).size() == 2);

    CompletableFuture<Void> first = control.terminateGroup(child.pgid(), term, 60_000);
    CompletableFuture<Void> second = control.terminateGroup(child.pgid(), kill, 0);

    assertThat(second).isSameAs(first);
    assertThat(control.signalGroup(child.pgid(), kill)).isTrue(); // the stronger signal
    first.get(10, TimeUnit.SECONDS);
    assertNothingLeft(child.pgid());
  }

  @Test
  void terminateGroup_continuesAStoppedGroup_soThatItActsOnTerm() throws Exception {
    Spawned child = spawn(program("/bin/sleep", "1000"));
    control.signalGroup(child.pid(), control.signal("STOP"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Procs.entry(child.pid()).state() == 'T');

    terminate(child.pid(), term, 10_000);

    assertThat(child.exit()).isCompletedWithValue(new ExitStatus.Killed(term, false));
  }

  @Test
  void terminateGroup_escalatesToKill_whenTheInjectedTickerPassesTheDeadline() throws Exception {
    AtomicLong now = new AtomicLong(Long.MAX_VALUE - TimeUnit.MINUTES.toNanos(1)); // will overflow
    try (ProcessControl faked = ProcessControls.create(now::get)) {
      CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
      ChildProcess child = faked.spawn(sh("trap '' TERM; sleep 1000 & wait"), exit::complete);
      await().atMost(Duration.ofSeconds(10)).until(() -> Procs.liveGroup(child.pgid()).size() == 2);

      CompletableFuture<Void> done = faked.terminateGroup(child.pgid(), term, 3_600_000);
      // Real time passes but the injected clock stands still: TERM is ignored, no SIGKILL yet.
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> !done.isDone());
      now.addAndGet(TimeUnit.HOURS.toNanos(1));

      done.get(10, TimeUnit.SECONDS);
      assertThat(exit).isCompletedWithValue(new ExitStatus.Killed(kill, false));
      assertNothingLeft(child.pgid());
    }
  }

  @Test
  void signalGroup_returnsFalse_whenTheGroupIsGone() throws Exception {
    Spawned child = spawn(program("/bin/true"));
    child.awaitExit();
    terminate(child.pid(), term, 1000);

    assertThat(control.signalGroup(child.pid(), term)).isFalse();
  }

  /** No live member; no zombie of ours. Orphans re-parented to init may linger as its zombies. */
  private static void assertNothingLeft(long pgid) {
    assertThat(Procs.liveGroup(pgid)).isEmpty();
    assertThat(Procs.group(pgid)).allSatisfy(e -> assertThat(e.ppid()).isNotEqualTo(Procs.JVM_PID));
    assertThat(Procs.isOurChild(pgid)).as("leader still our child (unreaped)").isFalse();
  }
}
