package dev.sentinelzero.daemon.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.daemon.logs.LogFiles;
import dev.sentinelzero.daemon.process.ExitStatus;
import dev.sentinelzero.daemon.process.LaunchException;
import dev.sentinelzero.daemon.process.Signal;
import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RestartPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor's state machine, driven through a fake process layer: no real processes. */
class SupervisorTest {
  @TempDir Path dir;
  private FakeProcessControl os;
  private FakeTimer timer;
  private Store store;
  private Supervisor supervisor;
  private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);

  @BeforeEach
  void setUp() {
    os = new FakeProcessControl();
    timer = new FakeTimer();
    store = Store.open(dir.resolve("sentinel.db"), clock);
    supervisor = newSupervisor();
  }

  private Supervisor newSupervisor() {
    return new Supervisor(
        os, store, new LogFiles(dir), Map.of("PATH", "/usr/bin:/bin"), clock, ticker::get, timer, () -> 0.5);
  }

  @AfterEach
  void tearDown() {
    supervisor.close();
    store.close();
  }

  private ProcessSpec spec(String name) {
    return new ProcessSpec(
        name, null, List.of("/bin/sh", "-c", "sleep 1000"), false, dir.toString(), Map.of(), null, "TERM", 5000);
  }

  /** A definition that is never restarted automatically. */
  private ProcessSpec once(String name) throws ProtocolException {
    return spec(name).withRestart(RestartPolicy.DEFAULT.with(Map.of("mode", "never")));
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  private ProcessStatus status(String name) throws Exception {
    return get(supervisor.list(name)).get(0);
  }

  private static ProtocolException failure(CompletableFuture<?> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ProtocolException.class);
      return (ProtocolException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected the request to fail");
  }

  @Test
  void define_spawnsAndPersists_runningWithPid() throws Exception {
    Supervisor.Outcome outcome = get(supervisor.define(spec("web"), false));

    assertThat(outcome.process().state()).isEqualTo("running");
    assertThat(outcome.process().pid()).isEqualTo(1001L);
    assertThat(os.launches).hasSize(1);
    assertThat(os.launches.get(0).stdout()).isEqualTo(dir.resolve("web.out.log"));
    assertThat(store.loadProcesses()).singleElement().satisfies(p -> {
      assertThat(p.spec().name()).isEqualTo("web");
      assertThat(p.desiredRunning()).isTrue();
    });
  }

  @Test
  void define_existingNameWithoutReplace_isConflict() throws Exception {
    get(supervisor.define(spec("web"), false));

    ProtocolException e = failure(supervisor.define(spec("web"), false));

    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(e.getMessage()).contains("--replace");
    assertThat(os.launches).hasSize(1);
  }

  @Test
  void define_missingProgram_storesNothing() {
    ProcessSpec bad =
        new ProcessSpec("web", "no-such-program-xyz", null, false, dir.toString(), Map.of(), "/nonexistent", "TERM", 1000);

    ProtocolException e = failure(supervisor.define(bad, false));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("no-such-program-xyz").contains("PATH");
    assertThat(store.loadProcesses()).isEmpty();
    assertThat(os.launches).isEmpty();
  }

  @Test
  void define_badStopSignal_isInvalidArgument() {
    ProcessSpec bad =
        new ProcessSpec("web", null, List.of("/bin/sh"), false, dir.toString(), Map.of(), null, "NOPE", 1000);

    assertThat(failure(supervisor.define(bad, false)).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(store.loadProcesses()).isEmpty();
  }

  @Test
  void define_launchFailure_rollsBackTheDefinition() {
    os.nextFailure = new LaunchException(8, "/x is not in an executable format");

    ProtocolException e = failure(supervisor.define(spec("web"), false));

    assertThat(e.code()).isEqualTo(ErrorCode.LAUNCH_FAILED);
    assertThat(e.getMessage()).contains("executable format");
    assertThat(store.loadProcesses()).isEmpty();
  }

  @Test
  void runningToExited_whenLeaderExitsWithZero_andStragglersAreCleared() throws Exception {
    long pid = get(supervisor.define(spec("job"), false)).process().pid();

    os.exit(pid, new ExitStatus.Exited(0));

    await().atMost(Duration.ofSeconds(10)).until(() -> status("job").state().equals("exited"));
    assertThat(os.launches).as("on-failure does not restart a clean exit").hasSize(1);
    ProcessStatus s = status("job");
    assertThat(s.lastExit().code()).isZero();
    assertThat(s.pid()).isNull();
    assertThat(os.terminating(pid)).as("stragglers in the group are torn down").isTrue();
  }

  @Test
  void runningToFailed_whenLeaderExitsNonZero_orIsKilled() throws Exception {
    long a = get(supervisor.define(once("a"), false)).process().pid();
    long b = get(supervisor.define(once("b"), false)).process().pid();

    os.exit(a, new ExitStatus.Exited(3));
    os.exit(b, new ExitStatus.Killed(new Signal("KILL", 9), false));

    await().atMost(Duration.ofSeconds(10)).until(() -> status("b").state().equals("failed"));
    assertThat(status("a").state()).isEqualTo("failed");
    assertThat(status("a").reason()).isEqualTo("exited with code 3");
    assertThat(status("b").lastExit().signal()).isEqualTo("KILL");
    assertThat(status("b").reason()).isEqualTo("killed by SIGKILL");
  }

  @Test
  void stop_returnsOnlyAfterTheWholeGroupIsGone() throws Exception {
    long pid = get(supervisor.define(spec("web"), false)).process().pid();

    CompletableFuture<Supervisor.Outcome> stop = supervisor.stop("web");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    os.exit(pid, new ExitStatus.Killed(new Signal("TERM", 15), false));

    assertThat(status("web").state()).isEqualTo("stopping");
    assertThat(stop).isNotDone();

    os.groupGone(pid);
    Supervisor.Outcome outcome = get(stop);
    assertThat(outcome.process().state()).isEqualTo("stopped");
    assertThat(outcome.process().lastExit().signal()).isEqualTo("TERM");
    assertThat(os.signals).contains(pid + ":TERM");
    assertThat(store.loadProcesses().get(0).desiredRunning()).isFalse();
  }

  @Test
  void stop_usesTheDefinedStopSignal() throws Exception {
    ProcessSpec s =
        new ProcessSpec("web", null, List.of("/bin/sh"), false, dir.toString(), Map.of(), null, "INT", 1000);
    long pid = get(supervisor.define(s, false)).process().pid();

    supervisor.stop("web");

    await().atMost(Duration.ofSeconds(10)).until(() -> os.signals.contains(pid + ":INT"));
  }

  @Test
  void restart_spawnsANewRunAfterTheOldGroupIsGone() throws Exception {
    long first = get(supervisor.define(spec("web"), false)).process().pid();

    CompletableFuture<Supervisor.Outcome> restart = supervisor.restart("web");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(first));
    assertThat(os.launches).hasSize(1);
    os.exit(first, new ExitStatus.Killed(new Signal("TERM", 15), false));
    os.groupGone(first);

    ProcessStatus after = get(restart).process();
    assertThat(after.state()).isEqualTo("running");
    assertThat(after.pid()).isNotEqualTo(first);
    assertThat(after.restarts()).isEqualTo(1);
  }

  @Test
  void exitOfAnEarlierRun_doesNotMoveTheCurrentOne() throws Exception {
    long first = get(supervisor.define(spec("web"), false)).process().pid();
    CompletableFuture<Supervisor.Outcome> restart = supervisor.restart("web");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(first));
    os.groupGone(first); // group gone before the exit event was seen
    long second = get(restart).process().pid();

    os.exit(first, new ExitStatus.Exited(1)); // late event of the first run

    assertThat(status("web").state()).isEqualTo("running");
    assertThat(status("web").pid()).isEqualTo(second);
  }

  @Test
  void exitSeenAfterTheStopCompleted_doesNotRestartIt() throws Exception {
    // An adopted leader's exit can be reported after its group was seen gone: the stop is over,
    // and the late exit must not be taken for a crash (the restart policy would start it again,
    // even while the daemon shuts down).
    ProcessSpec s = spec("web").withRestart(RestartPolicy.DEFAULT.with(Map.of("mode", "always", "delay_ms", 0)));
    long pid = get(supervisor.define(s, false)).process().pid();
    CompletableFuture<Supervisor.Outcome> stop = supervisor.stop("web");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    os.groupGone(pid);
    assertThat(get(stop).process().state()).isEqualTo("stopped");

    os.exit(pid, new ExitStatus.Killed(new Signal("TERM", 15), false));

    assertThat(status("web").state()).isEqualTo("stopped");
    assertThat(os.launches).hasSize(1);
  }

  @Test
  void exitSeenAfterTheShutdownStoppedIt_startsNothing() throws Exception {
    ProcessSpec s = spec("web").withRestart(RestartPolicy.DEFAULT.with(Map.of("mode", "always", "delay_ms", 0)));
    long pid = get(supervisor.define(s, false)).process().pid();
    CompletableFuture<Void> shutdown = supervisor.shutdown();
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    os.groupGone(pid);

    os.exit(pid, new ExitStatus.Killed(new Signal("TERM", 15), false));

    await().atMost(Duration.ofSeconds(10)).until(shutdown::isDone);
    assertThat(os.launches).hasSize(1);
    assertThat(store.loadProcesses().get(0).desiredRunning()).as("the next daemon starts it").isTrue();
  }

  @Test
  void start_ofARunningProcess_changesNothing() throws Exception {
    get(supervisor.define(spec("web"), false));

    Supervisor.Outcome outcome = get(supervisor.start("web"));

    assertThat(outcome.changed()).isFalse();
    assertThat(os.launches).hasSize(1);
  }

  // --- a start that waits to see its run stay up (issue 9) -------------------------------------

  @Test
  void startThatWaits_answersWithTheEarlyExit_afterThePolicyActed_whenTheRunEndsWithinTheWindow() throws Exception {
    CompletableFuture<Supervisor.Outcome> start = supervisor.define(spec("crashy"), false, 1000);
    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 1);
    long pid = 1001L;
    assertThat(start).as("waits for the window").isNotDone();

    ticker.addAndGet(20_000_000L); // it ran 20 ms
    os.exit(pid, new ExitStatus.Exited(2));

    Supervisor.Outcome outcome = get(start);
    assertThat(outcome.earlyExit()).isNotNull();
    assertThat(outcome.earlyExit().exit().code()).isEqualTo(2);
    assertThat(outcome.earlyExit().ranMs()).isEqualTo(20);
    assertThat(outcome.process().pid()).as("the policy restarted it at once: the answer shows that").isNotEqualTo(pid);
  }

  @Test
  void startThatWaits_answersWithoutAnEarlyExit_onceTheWindowHasPassed() throws Exception {
    get(supervisor.define(once("web"), false));
    os.exit(1001L, new ExitStatus.Exited(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> status("web").state().equals("exited"));

    CompletableFuture<Supervisor.Outcome> again = supervisor.start("web", 1000);
    await().atMost(Duration.ofSeconds(10)).until(() -> timer.pending().stream().anyMatch(t -> t.delayMs == 1000));
    assertThat(again).isNotDone();
    timer.pending().stream().filter(t -> t.delayMs == 1000).findFirst().orElseThrow().run.run();

    Supervisor.Outcome outcome = get(again);
    assertThat(outcome.earlyExit()).isNull();
    assertThat(outcome.process().state()).isEqualTo("running");
  }

  @Test
  void startThatWaits_ofARunStoppedWithinTheWindow_isNoEarlyExit() throws Exception {
    CompletableFuture<Supervisor.Outcome> start = supervisor.define(spec("web"), false, 1000);
    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 1);

    CompletableFuture<Supervisor.Outcome> stop = supervisor.stop("web");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(1001L));
    os.exit(1001L, new ExitStatus.Killed(new Signal("TERM", 15), false));
    os.groupGone(1001L);
    get(stop);

    assertThat(get(start).earlyExit()).as("someone stopped it: not a failed start").isNull();
  }

  // --- the desired state and who set it (issue 9) -----------------------------------------------

  @Test
  void desiredState_followsRequestsAndThePolicy_andIsStored() throws Exception {
    long pid = get(supervisor.define(spec("web"), false)).process().pid();
    assertThat(status("web").desired()).isEqualTo("running");
    assertThat(status("web").desiredBy()).isEqualTo("request");

    get(supervisor.define(once("one"), false));
    os.exit(1002L, new ExitStatus.Exited(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> status("one").state().equals("exited"));

    assertThat(status("one").desired()).isEqualTo("stopped");
    assertThat(status("one").desiredBy()).isEqualTo("exited");
    assertThat(store.loadProcesses())
        .extracting(p -> p.spec().name() + ":" + p.desiredRunning() + ":" + p.desiredBy() + ":" + p.state().get("state"))
        .containsExactly("web:true:request:running", "one:false:exited:exited");
    assertThat(pid).isEqualTo(1001L);
  }

  @Test
  void aStopByTheHealthCheck_hasItsOwnReasonCode_andLeavesItDesiredStopped() throws Exception {
    FakeProber prober = new FakeProber();
    supervisor.useHealthProber(prober);
    long pid = get(supervisor.define(withHealth("a", Map.of("kind", "tcp", "target", "h:1", "retries", 1, "action", "stop")), false)).process().pid();

    check(prober, false, "down");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    os.exit(pid, new ExitStatus.Killed(new Signal("TERM", 15), false));
    os.groupGone(pid);
    await().atMost(Duration.ofSeconds(10)).until(() -> status("a").state().equals("stopped"));

    assertThat(status("a").reasonCode()).isEqualTo("unhealthy");
    assertThat(status("a").desired()).isEqualTo("stopped");
    assertThat(status("a").desiredBy()).isEqualTo("unhealthy");
    assertThat(store.loadProcesses().get(0).desiredRunning()).isFalse();
  }

  @Test
  void start_afterExit_spawnsAgain_andCountsARestart() throws Exception {
    long pid = get(supervisor.define(spec("job"), false)).process().pid();
    os.exit(pid, new ExitStatus.Exited(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> status("job").state().equals("exited"));

    ProcessStatus s = get(supervisor.start("job")).process();

    assertThat(s.state()).isEqualTo("running");
    assertThat(s.restarts()).isEqualTo(1);
  }

  @Test
  void unknownName_isNotFound_andABadName_isInvalid() {
    assertThat(failure(supervisor.stop("ghost")).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(failure(supervisor.stop("../etc")).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void remove_stopsThenDeletesTheDefinition() throws Exception {
    long pid = get(supervisor.define(spec("web"), false)).process().pid();

    CompletableFuture<String> remove = supervisor.remove("web");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    assertThat(store.loadProcesses()).hasSize(1);
    os.exit(pid, new ExitStatus.Killed(new Signal("TERM", 15), false));
    os.groupGone(pid);

    assertThat(get(remove)).isEqualTo("web");
    assertThat(store.loadProcesses()).isEmpty();
    assertThat(get(supervisor.list(null))).isEmpty();
  }

  @Test
  void replace_stopsTheOldRunAndStartsTheNewDefinition() throws Exception {
    long first = get(supervisor.define(spec("web"), false)).process().pid();
    ProcessSpec changed =
        new ProcessSpec("web", null, List.of("/bin/sh", "-c", "sleep 5"), false, dir.toString(), Map.of(), null, "TERM", 1000);

    CompletableFuture<Supervisor.Outcome> replace = supervisor.define(changed, true);
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(first));
    os.exit(first, new ExitStatus.Killed(new Signal("TERM", 15), false));
    os.groupGone(first);

    ProcessStatus s = get(replace).process();
    assertThat(s.state()).isEqualTo("running");
    assertThat(s.spec().argv()).containsExactly("/bin/sh", "-c", "sleep 5");
    assertThat(store.loadProcesses().get(0).spec().argv()).containsExactly("/bin/sh", "-c", "sleep 5");
  }

  @Test
  void shutdown_stopsEveryProcess_keepsTheirDesiredState_andRefusesNewRequests() throws Exception {
    long a = get(supervisor.define(spec("a"), false)).process().pid();
    long b = get(supervisor.define(spec("b"), false)).process().pid();

    CompletableFuture<Void> shutdown = supervisor.shutdown();
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(a) && os.terminating(b));
    assertThat(failure(supervisor.list(null)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    os.groupGone(a);
    assertThat(shutdown).isNotDone();
    os.groupGone(b);

    get(shutdown);
    assertThat(store.loadProcesses()).allSatisfy(p -> assertThat(p.desiredRunning()).isTrue());
  }

  @Test
  void shutdown_whoseGroupCannotBeTornDown_leavesItListedAsUnstopped() throws Exception {
    long a = get(supervisor.define(spec("a"), false)).process().pid();
    long b = get(supervisor.define(spec("b"), false)).process().pid();
    long c = get(supervisor.define(once("c"), false)).process().pid();
    os.exit(c, new ExitStatus.Exited(0)); // ended by itself; its group's teardown never finishes
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(c));

    CompletableFuture<Void> shutdown = supervisor.shutdown();
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(a) && os.terminating(b));
    os.groupGone(a); // b's group never goes (a member the kernel will not let go of)

    assertThat(shutdown).isNotDone();
    assertThat(get(supervisor.unstoppedGroups())).containsExactly(Map.entry("b", b), Map.entry("c", c));
  }

  @Test
  void unstoppedGroups_isEmpty_afterAShutdownThatStoppedEverything() throws Exception {
    long a = get(supervisor.define(spec("a"), false)).process().pid();

    CompletableFuture<Void> shutdown = supervisor.shutdown();
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(a));
    os.groupGone(a);
    get(shutdown);

    assertThat(get(supervisor.unstoppedGroups())).isEmpty();
  }

  @Test
  void restore_startsOnlyTheProcessesThatWereRunning() throws Exception {
    get(supervisor.define(spec("up"), false));
    long down = get(supervisor.define(spec("down"), false)).process().pid();
    CompletableFuture<Supervisor.Outcome> stop = supervisor.stop("down");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(down));
    os.groupGone(down);
    get(stop);
    supervisor.close();
    int launchesBefore = os.launches.size();

    supervisor = newSupervisor();
    get(supervisor.restore());

    assertThat(os.launches).hasSize(launchesBefore + 1);
    assertThat(status("up").state()).isEqualTo("running");
    assertThat(status("down").state()).isEqualTo("stopped");
  }

  @Test
  void uptime_comesFromTheTicker() throws Exception {
    get(supervisor.define(spec("web"), false));

    ticker.addAndGet(2_500_000_000L);

    assertThat(status("web").uptimeMs()).isEqualTo(2500L);
  }

  // --- restart policies (issue 3) ---

  private ProcessSpec withPolicy(String name, Map<String, Object> policy) throws ProtocolException {
    return spec(name).withRestart(RestartPolicy.DEFAULT.with(policy));
  }

  private long currentPid(String name) throws Exception {
    Long pid = status(name).pid();
    assertThat(pid).as("%s has a live run", name).isNotNull();
    return pid;
  }

  @Test
  void crash_isRestartedAtOnce_whenTheFirstDelayIsZero() throws Exception {
    long first = get(supervisor.define(spec("web"), false)).process().pid();
    ticker.addAndGet(60_000_000_000L); // a good run: longer than min uptime

    os.exit(first, new ExitStatus.Killed(new Signal("KILL", 9), false));

    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 2);
    ProcessStatus s = status("web");
    assertThat(s.state()).isEqualTo("running");
    assertThat(s.pid()).isNotEqualTo(first);
    assertThat(s.restarts()).isEqualTo(1);
    assertThat(s.reasonCode()).isEqualTo(ProcessStatus.REASON_RESTARTING);
    assertThat(s.reason()).contains("killed by SIGKILL");
    assertThat(timer.all()).as("no timer for an immediate restart").isEmpty();
  }

  @Test
  void backoffToFailed_whenFailedStartsExceedRetries_withGrowingDelays() throws Exception {
    get(supervisor.define(withPolicy("flaky", Map.of("retries", 3, "jitter", 0)), false));

    // Failed start 1: restarted at once (delay 0).
    os.exit(currentPid("flaky"), new ExitStatus.Exited(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 2);
    // Failed starts 2 and 3: backoff, 200 ms then 400 ms.
    List<Long> delays = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      os.exit(currentPid("flaky"), new ExitStatus.Exited(1));
      await().atMost(Duration.ofSeconds(10)).until(() -> status("flaky").state().equals("backoff"));
      ProcessStatus waiting = status("flaky");
      assertThat(waiting.nextAttemptAt()).isNotNull();
      assertThat(waiting.attemptsLeft()).isEqualTo(3 - (i + 2));
      delays.add(timer.pending().get(0).delayMs);
      timer.fireNext();
      await().atMost(Duration.ofSeconds(10)).until(() -> status("flaky").state().equals("running"));
    }
    assertThat(delays).containsExactly(200L, 400L);

    // Failed start 4 > retries 3: give up.
    os.exit(currentPid("flaky"), new ExitStatus.Exited(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> status("flaky").state().equals("failed"));
    ProcessStatus failed = status("flaky");
    assertThat(failed.reasonCode()).isEqualTo(ProcessStatus.REASON_GAVE_UP);
    assertThat(failed.reason()).contains("exited with code 1").contains("4 failed starts");
    assertThat(failed.attemptsLeft()).isZero();
    assertThat(timer.pending()).as("no cooldown configured").isEmpty();
  }

  @Test
  void aRunLongerThanMinUptime_resetsTheFailedStartCount() throws Exception {
    get(supervisor.define(withPolicy("svc", Map.of("retries", 1, "jitter", 0)), false));
    os.exit(currentPid("svc"), new ExitStatus.Exited(1)); // failed start 1: restart now
    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 2);

    ticker.addAndGet(6_000_000_000L); // runs 6 s > min uptime 5 s
    os.exit(currentPid("svc"), new ExitStatus.Exited(1));

    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 3);
    assertThat(status("svc").state()).isEqualTo("running");
    assertThat(status("svc").attemptsLeft()).isEqualTo(1);
  }

  @Test
  void successExitCodes_andModes_decideWhetherACleanExitRestarts() throws Exception {
    get(supervisor.define(withPolicy("ok3", Map.of("success_exit_codes", List.of(0, 3))), false));
    get(supervisor.define(withPolicy("again", Map.of("mode", "always")), false));
    ticker.addAndGet(60_000_000_000L);

    os.exit(currentPid("ok3"), new ExitStatus.Exited(3));
    os.exit(currentPid("again"), new ExitStatus.Exited(0));

    await().atMost(Duration.ofSeconds(10)).until(() -> status("ok3").state().equals("exited"));
    await().atMost(Duration.ofSeconds(10)).until(() -> status("again").restarts() == 1);
    assertThat(status("again").state()).isEqualTo("running");
  }

  @Test
  void stop_duringBackoff_callsOffTheRestart() throws Exception {
    get(supervisor.define(withPolicy("web", Map.of("delay_ms", 5000)), false));
    long pid = currentPid("web");
    os.exit(pid, new ExitStatus.Exited(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> status("web").state().equals("backoff"));
    FakeTimer.Task pending = timer.pending().get(0);

    CompletableFuture<Supervisor.Outcome> stop = supervisor.stop("web");
    await().atMost(Duration.ofSeconds(10)).until(() -> pending.cancelled);
    assertThat(stop).as("waits for the crashed run's stragglers").isNotDone();
    os.groupGone(pid);
    Supervisor.Outcome stopped = get(stop);

    assertThat(stopped.process().state()).isEqualTo("stopped");
    assertThat(pending.cancelled).isTrue();
    pending.run.run(); // a timer that fires anyway changes nothing
    assertThat(status("web").state()).isEqualTo("stopped");
    assertThat(os.launches).hasSize(1);
  }

  @Test
  void cooldown_triesAFailedProcessAgainWithFreshCounters() throws Exception {
    get(supervisor.define(withPolicy("job", Map.of("retries", 0, "cooldown_ms", 600_000)), false));
    os.exit(currentPid("job"), new ExitStatus.Exited(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> status("job").state().equals("failed"));
    assertThat(timer.pending()).singleElement().satisfies(t -> assertThat(t.delayMs).isEqualTo(600_000L));
    assertThat(status("job").nextAttemptAt()).isEqualTo(clock.instant().plusMillis(600_000));

    timer.fireNext();

    await().atMost(Duration.ofSeconds(10)).until(() -> status("job").state().equals("running"));
    assertThat(status("job").reasonCode()).isEqualTo(ProcessStatus.REASON_COOLDOWN);
    assertThat(status("job").attemptsLeft()).isZero();
  }

  @Test
  void manualStart_clearsFailedAndItsCounters() throws Exception {
    get(supervisor.define(withPolicy("job", Map.of("retries", 0)), false));
    os.exit(currentPid("job"), new ExitStatus.Exited(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> status("job").state().equals("failed"));

    ProcessStatus s = get(supervisor.start("job")).process();

    assertThat(s.state()).isEqualTo("running");
    assertThat(s.attemptsLeft()).isZero();
    assertThat(s.reasonCode()).isEqualTo(ProcessStatus.REASON_MANUAL);
  }

  @Test
  void launchFailureOnAutomaticRestart_backsOffAtLeastASecond() throws Exception {
    get(supervisor.define(spec("web"), false));
    ticker.addAndGet(60_000_000_000L);
    os.nextFailure = new LaunchException(2, "the program vanished");

    os.exit(currentPid("web"), new ExitStatus.Exited(1));

    await().atMost(Duration.ofSeconds(10)).until(() -> status("web").state().equals("backoff"));
    assertThat(timer.pending().get(0).delayMs).isGreaterThanOrEqualTo(Restarts.LAUNCH_RETRY_MIN_MS);
    assertThat(status("web").lastExit().kind()).isEqualTo("launch_failed");
  }

  @Test
  void setRestartPolicy_changesOnlyTheGivenFields_andPersists() throws Exception {
    get(supervisor.define(spec("web"), false));

    ProcessStatus s = get(supervisor.setRestartPolicy("web", Map.of("retries", 3, "delay_ms", 5000))).process();

    assertThat(s.spec().restart().retries()).isEqualTo(3);
    assertThat(s.spec().restart().delayMs()).isEqualTo(5000);
    assertThat(s.spec().restart().mode()).isEqualTo("on-failure");
    assertThat(store.loadProcesses().get(0).spec().restart().retries()).isEqualTo(3);
    ProtocolException bad = failure(supervisor.setRestartPolicy("web", Map.of("jitter", 2)));
    assertThat(bad.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(bad.getMessage()).contains("jitter");
  }

  // --- adoption after a daemon crash (issue 5) ---

  @Test
  void restore_adoptsTheRecordedRun_whenItIsStillAlive_insteadOfStartingItTwice() throws Exception {
    long pid = get(supervisor.define(spec("web"), false)).process().pid();
    supervisor.close(); // the daemon dies without stopping anything
    os.adoptable.add(pid);

    supervisor = newSupervisor();
    get(supervisor.restore());

    ProcessStatus s = status("web");
    assertThat(s.state()).isEqualTo("running");
    assertThat(s.pid()).isEqualTo(pid);
    assertThat(s.reason()).contains("adopted");
    assertThat(os.launches).hasSize(1);
  }

  @Test
  void restore_startsItAgain_whenTheRecordedRunEndedMeanwhile() throws Exception {
    long pid = get(supervisor.define(spec("web"), false)).process().pid();
    supervisor.close();

    supervisor = newSupervisor();
    get(supervisor.restore());

    assertThat(os.launches).hasSize(2);
    assertThat(status("web").pid()).isNotEqualTo(pid);
  }

  @Test
  void anAdoptedProcessThatEnds_isRestartedByItsPolicy() throws Exception {
    long pid = get(supervisor.define(spec("web"), false)).process().pid();
    supervisor.close();
    os.adoptable.add(pid);
    supervisor = newSupervisor();
    get(supervisor.restore());
    ticker.addAndGet(60_000_000_000L);

    os.exit(pid, new ExitStatus.Unknown());

    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 2);
    assertThat(status("web").lastExit().kind()).isEqualTo("unknown");
    assertThat(status("web").state()).isEqualTo("running");
  }

  @Test
  void aStoppedProcess_leavesNoRunToAdopt() throws Exception {
    long pid = get(supervisor.define(spec("web"), false)).process().pid();
    CompletableFuture<Supervisor.Outcome> stop = supervisor.stop("web");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    os.groupGone(pid);
    get(stop);

    assertThat(store.loadProcesses().get(0).run()).isNull();
  }

  // --- health checks (issue 3) ---

  /** Checks whose results the test hands in, one at a time. */
  static final class FakeProber implements HealthProber {
    final java.util.concurrent.BlockingQueue<CompletableFuture<Result>> calls =
        new java.util.concurrent.LinkedBlockingQueue<>();

    @Override
    public CompletableFuture<Result> probe(ProcessSpec spec, dev.sentinelzero.protocol.HealthCheck check) {
      CompletableFuture<Result> f = new CompletableFuture<>();
      calls.add(f);
      return f;
    }

    void answer(boolean passed, String output) throws InterruptedException {
      CompletableFuture<Result> f = calls.poll(10, TimeUnit.SECONDS);
      assertThat(f).as("a check was run").isNotNull();
      f.complete(new Result(passed, output));
    }

    @Override
    public void close() {}
  }

  private ProcessSpec withHealth(String name, Map<String, Object> check) throws ProtocolException {
    return spec(name).withHealth(dev.sentinelzero.protocol.HealthCheck.fromJson(check));
  }

  /** Fires the next scheduled health check and answers it. */
  private void check(FakeProber prober, boolean passed, String output) throws Exception {
    timer.fireNext();
    prober.answer(passed, output);
  }

  @Test
  void health_startsAsStarting_becomesHealthy_thenUnhealthyAfterRetries_andTheProcessIsRestarted() throws Exception {
    FakeProber prober = new FakeProber();
    supervisor.useHealthProber(prober);
    long pid = get(supervisor.define(withHealth("web", Map.of("kind", "tcp", "target", "localhost:1", "retries", 2)), false))
        .process().pid();
    assertThat(status("web").health()).isEqualTo("starting");
    assertThat(timer.pending()).singleElement().satisfies(t -> assertThat(t.delayMs).isEqualTo(30_000L));

    check(prober, true, "connected");
    await().atMost(Duration.ofSeconds(10)).until(() -> "healthy".equals(status("web").health()));
    check(prober, false, "refused");
    await().atMost(Duration.ofSeconds(10)).until(() -> "refused".equals(status("web").healthOutput()));
    assertThat(status("web").health()).as("one failure is not enough").isEqualTo("healthy");
    check(prober, false, "refused again");

    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    assertThat(status("web").health()).isEqualTo("unhealthy");
    ticker.addAndGet(60_000_000_000L);
    os.exit(pid, new ExitStatus.Killed(new Signal("TERM", 15), false));
    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 2);
    ProcessStatus s = status("web");
    assertThat(s.state()).isEqualTo("running");
    assertThat(s.reason()).contains("unhealthy: refused again");
    assertThat(s.health()).as("a new run starts its checks afresh").isEqualTo("starting");
  }

  @Test
  void health_failuresDuringTheStartPeriod_doNotCount() throws Exception {
    FakeProber prober = new FakeProber();
    supervisor.useHealthProber(prober);
    get(supervisor.define(withHealth("web", Map.of("kind", "tcp", "target", "localhost:1", "retries", 1, "start_period_ms", 60_000)), false));

    check(prober, false, "not yet");
    await().atMost(Duration.ofSeconds(10)).until(() -> "not yet".equals(status("web").healthOutput()));
    assertThat(status("web").health()).isEqualTo("starting");
    ticker.addAndGet(61_000_000_000L);
    check(prober, false, "still not");

    await().atMost(Duration.ofSeconds(10)).until(() -> "unhealthy".equals(status("web").health()));
  }

  @Test
  void health_actionStop_stopsTheProcess_andActionNone_onlyReports() throws Exception {
    FakeProber prober = new FakeProber();
    supervisor.useHealthProber(prober);
    long stopped = get(supervisor.define(withHealth("a", Map.of("kind", "tcp", "target", "h:1", "retries", 1, "action", "stop")), false)).process().pid();

    check(prober, false, "down");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(stopped));
    assertThat(status("a").state()).isEqualTo("stopping");

    get(supervisor.define(withHealth("b", Map.of("kind", "tcp", "target", "h:1", "retries", 1, "action", "none")), false));
    check(prober, false, "down");
    await().atMost(Duration.ofSeconds(10)).until(() -> "unhealthy".equals(status("b").health()));
    assertThat(status("b").state()).isEqualTo("running");
    assertThat(timer.pending()).as("checks go on").isNotEmpty();
  }

  @Test
  void setHealthCheck_addsAndClearsTheCheck_andPersists() throws Exception {
    get(supervisor.define(spec("web"), false));

    ProcessStatus with = get(supervisor.setHealthCheck("web",
        dev.sentinelzero.protocol.HealthCheck.fromJson(Map.of("kind", "http", "target", "http://localhost:1/")))).process();
    assertThat(with.health()).isEqualTo("starting");
    assertThat(store.loadProcesses().get(0).spec().health().kind()).isEqualTo("http");

    ProcessStatus without = get(supervisor.setHealthCheck("web", null)).process();
    assertThat(without.health()).isNull();
    assertThat(without.healthOutput()).isNull();
    assertThat(store.loadProcesses().get(0).spec().health()).isNull();
    assertThat(timer.pending()).isEmpty();
  }

  // --- resource limits (issue 3) ---

  @Test
  void memoryLimit_breach_restartsTheProcessWithTheMeasuredValueAsReason() throws Exception {
    long pid = get(supervisor.define(spec("hog").withLimits(
        new dev.sentinelzero.protocol.ResourceLimits(64L * 1024 * 1024, null, 30_000, "restart")), false)).process().pid();
    os.usage.put(pid, new dev.sentinelzero.daemon.process.ResourceUsage(5.0, 10L * 1024 * 1024, 1));
    supervisor.sampleLimits();
    assertThat(os.terminating(pid)).isFalse();

    os.usage.put(pid, new dev.sentinelzero.daemon.process.ResourceUsage(5.0, 100L * 1024 * 1024, 1));
    supervisor.sampleLimits();

    assertThat(os.terminating(pid)).isTrue();
    ticker.addAndGet(60_000_000_000L);
    os.exit(pid, new ExitStatus.Killed(new Signal("TERM", 15), false));
    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 2);
    assertThat(status("hog").reason()).contains("memory limit: 100.0 MiB");
  }

  @Test
  void cpuLimit_withActionLog_onlyReports_once() throws Exception {
    long pid = get(supervisor.define(spec("busy").withLimits(
        new dev.sentinelzero.protocol.ResourceLimits(null, 50.0, 0, "log")), false)).process().pid();
    os.usage.put(pid, new dev.sentinelzero.daemon.process.ResourceUsage(99.0, 1024, 1));

    supervisor.sampleLimits();
    supervisor.sampleLimits();

    assertThat(os.terminating(pid)).isFalse();
    assertThat(status("busy").state()).isEqualTo("running");
    try (dev.sentinelzero.daemon.store.EventLog log = dev.sentinelzero.daemon.store.EventLog.open(dir.resolve("sentinel.db"))) {
      assertThat(log.query("busy", null, 0, 100)).filteredOn(e -> e.kind().equals("limit")).hasSize(1);
    }
  }

  @Test
  void setLimits_persists_andNullClears() throws Exception {
    get(supervisor.define(spec("web"), false));

    get(supervisor.setLimits("web", new dev.sentinelzero.protocol.ResourceLimits(null, 200.0, 5000, "stop")));
    assertThat(store.loadProcesses().get(0).spec().limits().maxCpuPercent()).isEqualTo(200.0);
    get(supervisor.setLimits("web", null));
    assertThat(store.loadProcesses().get(0).spec().limits()).isNull();
  }

  // --- the transaction log (issue 5) ---

  @Test
  void anAuditedRequest_isLoggedWithItsChange_andARefusedOne_withItsError() throws Exception {
    supervisor.auditNextRequest(new Supervisor.Audit("alice", "start", Map.of("name", "web")));
    get(supervisor.define(spec("web"), false));
    assertThat(supervisor.auditTaken()).isTrue();
    supervisor.auditNextRequest(new Supervisor.Audit("bob", "stop", Map.of("name", "ghost")));
    failure(supervisor.stop("ghost"));
    assertThat(supervisor.auditTaken()).isTrue();
    supervisor.auditNextRequest(new Supervisor.Audit("eve", "start", Map.of()));
    assertThat(supervisor.auditTaken()).as("nothing was submitted").isFalse();

    try (dev.sentinelzero.daemon.store.EventLog log = dev.sentinelzero.daemon.store.EventLog.open(dir.resolve("sentinel.db"))) {
      List<dev.sentinelzero.protocol.EventRecord> requests =
          log.query(null, null, 0, 100).stream().filter(e -> e.kind().equals("request")).toList();
      assertThat(requests).extracting(dev.sentinelzero.protocol.EventRecord::message)
          .containsExactly("alice: start web -> ok", "bob: stop ghost -> not_found: no process named ghost; see: sentinel list");
      List<String> webKinds =
          log.query("web", null, 0, 100).stream().map(dev.sentinelzero.protocol.EventRecord::kind).toList();
      assertThat(webKinds).containsExactly("request", "starting", "running");
    }
  }

  @Test
  void anAuditedRequest_namesTheClientsPid_whenItIsKnown() throws Exception {
    supervisor.auditNextRequest(new Supervisor.Audit("alice", "start", Map.of("name", "web"), 4242L));
    get(supervisor.define(spec("web"), false));
    supervisor.auditTaken();

    try (dev.sentinelzero.daemon.store.EventLog log = dev.sentinelzero.daemon.store.EventLog.open(dir.resolve("sentinel.db"))) {
      dev.sentinelzero.protocol.EventRecord request =
          log.query("web", null, 0, 100).stream().filter(e -> e.kind().equals("request")).findFirst().orElseThrow();
      assertThat(request.message()).isEqualTo("alice (pid 4242): start web -> ok");
      assertThat(((Number) request.data().get("pid")).longValue()).isEqualTo(4242L);
    }
  }

  // --- crash loops (issue 12) ---

  private List<dev.sentinelzero.protocol.EventRecord> events(String name) {
    try (dev.sentinelzero.daemon.store.EventLog log = dev.sentinelzero.daemon.store.EventLog.open(dir.resolve("sentinel.db"))) {
      return log.query(name, null, 0, 10_000);
    }
  }

  /**
   * Regression: a zero-delay crash loop wrote two events (and two daemon.log lines) per restart,
   * 27,840 restarts a minute. After {@link Transitions#LOOP_RESTARTS} restarts its restarts are
   * summed up once a minute; each run is still in the history, which stays at its newest 1,000.
   */
  @Test
  void aCrashLoop_isSummedUpOnceAMinute_notRecordedOneRestartAtATime() throws Exception {
    get(supervisor.define(
        withPolicy("loop", Map.of("mode", "always", "retries", -1, "delay_ms", 0, "backoff", "fixed",
            "min_uptime_ms", 0, "jitter", 0)), false));
    get(supervisor.define(once("quiet"), false));
    int restarts = 1_500;
    for (int i = 0; i < restarts; i++) {
      int launched = os.launches.size();
      os.exit(currentPid("loop"), new ExitStatus.Exited(1));
      await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
          .until(() -> os.launches.size() == launched + 1);
    }

    List<dev.sentinelzero.protocol.EventRecord> loop = events("loop");
    assertThat(loop.size()).as("events of %d restarts", restarts).isLessThan(Transitions.LOOP_RESTARTS * 2 + 5);
    assertThat(loop.get(loop.size() - 1).kind()).isEqualTo("crash-loop");
    assertThat(loop.get(loop.size() - 1).message()).startsWith("in a crash loop: restarted 10 times within");
    assertThat(get(supervisor.history("loop", 10_000))).hasSize(dev.sentinelzero.daemon.store.Schedules.RUNS_KEPT);
    assertThat(events("quiet")).as("another process's events are untouched").isNotEmpty();

    // A minute later: one summary (the timer's only task is the loop's summary).
    assertThat(timer.pending()).singleElement().satisfies(t -> assertThat(t.delayMs).isEqualTo(Transitions.LOOP_WINDOW_MS));
    timer.fireNext();
    await().atMost(Duration.ofSeconds(10)).until(() -> events("loop").size() == loop.size() + 1);
    assertThat(events("loop").get(loop.size()).message())
        .isEqualTo("crash loop: restarted " + (restarts - Transitions.LOOP_RESTARTS)
            + " times in the last minute (" + restarts + " in all); last: restarted: exited with code 1, pid "
            + currentPid("loop"));

    // Stopped: the loop ends, said once, and the stop is recorded as always.
    int before = events("loop").size();
    long pid = currentPid("loop");
    CompletableFuture<Supervisor.Outcome> stop = supervisor.stop("loop");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    os.exit(pid, new ExitStatus.Killed(new Signal("TERM", 15), false));
    os.groupGone(pid);
    get(stop);
    assertThat(events("loop").subList(before, events("loop").size()))
        .extracting(dev.sentinelzero.protocol.EventRecord::kind).containsExactly("crash-loop", "stopping", "stopped");
    assertThat(events("loop").get(before).message()).startsWith("the crash loop ended: stopped by request");
  }
}
