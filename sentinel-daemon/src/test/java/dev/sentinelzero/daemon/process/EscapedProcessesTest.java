package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #9, "Nothing escapes stop": a run's processes that leave its process group ({@code setsid},
 * {@code setsid -f}, a double fork plus setsid, one that ignores SIGTERM) are found by the run's
 * marker and ended with the group; a sibling run of the same name is left alone; a run adopted
 * from an earlier build (no run id) is followed by home and name; a sweep ends what no known run
 * owns. Survivors are counted by scanning /proc for the marker, independently of the production
 * scanner.
 */
class EscapedProcessesTest extends RealProcessTest {
  private static final String HOME = "home-escape-test-" + ProcessHandle.current().pid();
  private Process outsider;

  @AfterEach
  void killLeftovers() throws Exception {
    // Never leave a test's escapees running, whatever happened above.
    for (Procs.Entry e : Procs.liveWithEnv(MarkedProcesses.HOME_ID + "=" + HOME)) {
      ProcessHandle.of(e.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }
    if (outsider != null) {
      outsider.destroyForcibly();
      outsider.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private LaunchSpec marked(String name, String script) {
    Map<String, String> env = new HashMap<>(ENV);
    env.put(MarkedProcesses.HOME_ID, HOME);
    env.put(MarkedProcesses.NAME, name);
    LaunchSpec base = sh(script);
    return new LaunchSpec(base.executable(), base.argv(), env, base.cwd(), base.stdout(), base.stderr());
  }

  private static List<Procs.Entry> homeProcesses() {
    return Procs.liveWithEnv(MarkedProcesses.HOME_ID + "=" + HOME);
  }

  /** The live processes that carry the home's marker and are outside group {@code pgid}. */
  private static List<Procs.Entry> escapedFrom(long pgid) {
    return homeProcesses().stream().filter(e -> e.pgrp() != pgid).toList();
  }

  @Test
  void terminateGroup_endsGrandchildrenThatLeftTheGroup_bySetsidSetsidFAndDoubleFork()
      throws Exception {
    Spawned run =
        spawn(
            marked(
                "web",
                "setsid sleep 7781 & setsid -f sleep 7782; (setsid sleep 7783 &); sleep 1000 & wait"));
    long pgid = run.pid();
    await().atMost(Duration.ofSeconds(10)).until(() -> escapedFrom(pgid).size() == 3);
    assertThat(escapedFrom(pgid)).allSatisfy(e -> assertThat(e.comm()).isEqualTo("sleep"));

    terminate(pgid, term, 5_000);

    assertThat(homeProcesses()).as("processes of the run left after the stop").isEmpty();
  }

  @Test
  void terminateGroup_sendsSigkillAtTheDeadline_toAnEscapeeThatIgnoresSigterm() throws Exception {
    Spawned run =
        spawn(marked("web", "setsid sh -c \"trap '' TERM; exec sleep 7784\" & exec sleep 1000"));
    long pgid = run.pid();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> escapedFrom(pgid).stream().anyMatch(e -> e.comm().equals("sleep")));

    long start = System.nanoTime();
    terminate(pgid, term, 700);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(millis).as("SIGTERM alone could not end it").isGreaterThanOrEqualTo(700);
    assertThat(homeProcesses()).isEmpty();
  }

  @Test
  void terminateGroup_afterTheLeaderExitedByItself_endsTheOrphanedEscapee() throws Exception {
    Spawned run = spawn(marked("job", "setsid sleep 7785 & exit 3"));
    long pgid = run.pid();
    assertThat(run.awaitExit()).isEqualTo(new ExitStatus.Exited(3));
    await().atMost(Duration.ofSeconds(10)).until(() -> escapedFrom(pgid).size() == 1);

    terminate(pgid, term, 5_000); // what the supervisor does after every exit

    assertThat(homeProcesses()).isEmpty();
  }

  @Test
  void terminateGroup_leavesASiblingRunOfTheSameName_andItsEscapee() throws Exception {
    Spawned first = spawn(marked("backup", "setsid sleep 7786 & exec sleep 1000"));
    Spawned second = spawn(marked("backup", "setsid sleep 7787 & exec sleep 1000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> homeProcesses().size() == 4);

    terminate(first.pid(), term, 5_000);

    List<Procs.Entry> left = homeProcesses();
    assertThat(left).hasSize(2);
    assertThat(left).anyMatch(e -> e.pid() == second.pid());
    assertThat(left).noneMatch(e -> e.pgrp() == first.pid());
  }

  @Test
  void adoptedRunOfAnEarlierBuild_withoutRunId_isFollowedByHomeAndName() throws Exception {
    // A leader started the way an earlier build did: its own session, home and name marker, no
    // run id; it has an escapee, and a process of another name stands beside it.
    ProcessBuilder pb =
        new ProcessBuilder("setsid", "sh", "-c", "setsid sleep 7788 & exec sleep 1000");
    pb.environment().put(MarkedProcesses.HOME_ID, HOME);
    pb.environment().put(MarkedProcesses.NAME, "old");
    pb.environment().remove(MarkedProcesses.RUN_ID);
    outsider = pb.start();
    long pid = outsider.pid();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> homeProcesses().size() == 2 && Procs.entry(pid).pgrp() == pid);
    Spawned other = spawn(marked("other", "exec sleep 1000"));
    Instant start = ProcessControls.nativeOs().startTime(pid);
    CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    assertThat(control.adopt(new ChildProcess(pid, start), exit::complete)).isTrue();

    control.terminateGroup(pid, term, 5_000).get(20, TimeUnit.SECONDS);

    assertThat(homeProcesses()).extracting(Procs.Entry::pid).containsExactly(other.pid());
  }

  @Test
  void terminateStrays_endsMarkedProcessesOfNoKnownRun_andSparesKnownRuns() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("setsid", "sh", "-c", "exec sleep 7789");
    pb.environment().put(MarkedProcesses.HOME_ID, HOME);
    pb.environment().put(MarkedProcesses.NAME, "gone");
    pb.environment().put(MarkedProcesses.RUN_ID, "an-earlier-daemon.1");
    outsider = pb.start();
    Spawned known = spawn(marked("web", "setsid sleep 7790 & exec sleep 1000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> homeProcesses().size() == 3);

    control.terminateStrays(HOME, term, 5_000).get(20, TimeUnit.SECONDS);

    assertThat(outsider.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(homeProcesses())
        .as("the known run and its escapee")
        .hasSize(2)
        .anyMatch(e -> e.pid() == known.pid());

    terminate(known.pid(), term, 5_000);
    assertThat(homeProcesses()).isEmpty();
  }

  @Test
  void spawn_marksTheRunWithAnIdUniqueToIt() throws Exception {
    Spawned a = spawn(marked("web", "exec sleep 1000"));
    Spawned b = spawn(marked("web", "exec sleep 1000"));
    // While a process is in execve its environ reads empty for a moment.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> !runId(a.pid()).isEmpty() && !runId(b.pid()).isEmpty());
    String idA = runId(a.pid());
    String idB = runId(b.pid());
    assertThat(idA).isNotBlank();
    assertThat(idB).isNotBlank().isNotEqualTo(idA);
  }

  private static String runId(long pid) {
    List<String> env = ProcessControls.nativeOs().environment(pid);
    return env.stream()
        .filter(v -> v.startsWith(MarkedProcesses.RUN_ID + "="))
        .map(v -> v.substring(MarkedProcesses.RUN_ID.length() + 1))
        .findFirst()
        .orElse("");
  }
}
