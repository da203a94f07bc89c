package dev.sentinelzero.daemon.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.daemon.logs.LogFiles;
import dev.sentinelzero.daemon.process.ExitStatus;
import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RestartPolicy;
import dev.sentinelzero.protocol.RunRecord;
import dev.sentinelzero.protocol.Schedule;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
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

/**
 * Scheduled jobs through the supervisor, with a wall clock the test moves (a sleep is a jump),
 * a timer the test fires, and a fake process layer: no real time passes.
 */
class ScheduledJobsTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  /** A wall clock the test sets. */
  static final class MovableClock extends Clock {
    volatile Instant now = T0;
    volatile ZoneId zone = ZoneOffset.UTC;

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @TempDir Path dir;
  private final MovableClock clock = new MovableClock();
  private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
  private FakeProcessControl os;
  private FakeTimer timer;
  private Store store;
  private Supervisor supervisor;

  @BeforeEach
  void setUp() throws Exception {
    os = new FakeProcessControl();
    timer = new FakeTimer();
    store = Store.open(dir.resolve("sentinel.db"), clock);
    supervisor = newSupervisor();
  }

  private Supervisor newSupervisor() throws Exception {
    Supervisor s =
        new Supervisor(os, store, new LogFiles(dir), Map.of("PATH", "/usr/bin:/bin"), clock, ticker::get, timer, () -> 0.5);
    get(s.restore());
    return s;
  }

  @AfterEach
  void tearDown() {
    supervisor.close();
    store.close();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  private ProcessSpec job(String name) throws ProtocolException {
    return new ProcessSpec(name, null, List.of("/bin/sh", "-c", "true"), false, dir.toString(), Map.of(), null, "TERM", 5000)
        .withRestart(RestartPolicy.DEFAULT.with(Map.of("mode", "never")));
  }

  private static Schedule every(long ms, String overlap) {
    return new Schedule(null, ms, null, "UTC", overlap, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
  }

  private List<RunRecord> history(String name) throws Exception {
    return get(supervisor.history(name, 100));
  }

  /** Moves the wall clock and lets the scheduler's pending wake-up run, as the timer would. */
  private void wakeAt(Instant at) throws Exception {
    clock.now = at;
    int before = timer.all().size();
    timer.fireNext();
    // The wake-up posts a tick; once it has run, it plans the next wake-up.
    await().atMost(Duration.ofSeconds(10)).until(() -> timer.all().size() >= before); // fireNext took one out
  }

  @Test
  void aJobIsNotStartedWhenDefined_andRunsAtItsFireTime_withTheFireTimeInItsHistory() throws Exception {
    ScheduleStatus s = get(supervisor.defineSchedule(job("tick"), every(60_000, "skip"), false));

    assertThat(s.nextFire()).isEqualTo(T0.plusSeconds(60));
    assertThat(os.launches).isEmpty();
    assertThat(timer.pending()).singleElement().satisfies(t -> assertThat(t.delayMs).isLessThanOrEqualTo(1000));

    wakeAt(T0.plusSeconds(30));
    assertThat(os.launches).as("not yet").isEmpty();
    wakeAt(T0.plusSeconds(60).plusMillis(3));

    assertThat(os.launches).hasSize(1);
    assertThat(history("tick")).singleElement().satisfies(r -> {
      assertThat(r.reason()).isEqualTo(RunRecord.SCHEDULE);
      assertThat(r.scheduledFor()).isEqualTo(T0.plusSeconds(60));
    });
    assertThat(get(supervisor.schedules("tick")).get(0).lastFire()).isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void anIntervalsGrid_startsOnTheWholeSecond_itWasDefinedIn() throws Exception {
    clock.now = T0.plusMillis(300);

    ScheduleStatus s = get(supervisor.defineSchedule(job("tick"), every(1000, "skip"), false));

    assertThat(s.nextFire()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void aJobWithoutTz_followsTheMachinesZone_whenItChanges() throws Exception {
    Schedule nineOClock = new Schedule("0 9 * * *", null, null, null, null, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
    Schedule berlin = new Schedule("0 9 * * *", null, null, "Europe/Berlin", null, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
    ScheduleStatus s = get(supervisor.defineSchedule(job("local"), nineOClock, false));
    get(supervisor.defineSchedule(job("fixed"), berlin, false));
    assertThat(s.nextFire()).isEqualTo(Instant.parse("2026-11-28T09:00:00Z"));
    assertThat(s.zone()).isEqualTo("Z");

    clock.zone = ZoneId.of("Asia/Tokyo"); // the laptop landed in Tokyo
    wakeAt(T0.plusSeconds(1));

    assertThat(get(supervisor.schedules("local")).get(0).nextFire()).isEqualTo(Instant.parse("2026-11-28T00:00:00Z"));
    assertThat(get(supervisor.schedules("local")).get(0).zone()).isEqualTo("Asia/Tokyo");
    assertThat(get(supervisor.schedules("fixed")).get(0).nextFire()).as("its own zone").isEqualTo(Instant.parse("2026-11-28T08:00:00Z"));
  }

  @Test
  void afterASleep_theMissedFireTimesGiveOneCatchUpRun_notABurst() throws Exception {
    get(supervisor.defineSchedule(job("tick"), every(60_000, "skip"), false));

    wakeAt(T0.plus(Duration.ofHours(5)).plusSeconds(10)); // 300 fire times passed asleep

    assertThat(os.launches).hasSize(1);
    assertThat(history("tick")).singleElement().satisfies(r -> {
      assertThat(r.reason()).isEqualTo(RunRecord.CATCH_UP);
      assertThat(r.scheduledFor()).isEqualTo(T0.plus(Duration.ofHours(5)));
    });
    assertThat(get(supervisor.schedules("tick")).get(0).nextFire()).isEqualTo(T0.plus(Duration.ofHours(5)).plusSeconds(60));
  }

  @Test
  void overlapSkip_dropsAFireWhileARunGoes_andQueue_runsOnceMoreWhenItEnds() throws Exception {
    get(supervisor.defineSchedule(job("skip"), every(60_000, "skip"), false));
    get(supervisor.defineSchedule(job("queue"), every(60_000, "queue"), false));
    wakeAt(T0.plusSeconds(60));
    assertThat(os.launches).hasSize(2);

    wakeAt(T0.plusSeconds(120));
    wakeAt(T0.plusSeconds(180));
    assertThat(os.launches).as("both still running: skip drops, queue keeps one").hasSize(2);

    long queuePid = get(supervisor.list("queue")).get(0).pid();
    os.exit(queuePid, new ExitStatus.Exited(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 3);
    assertThat(history("queue")).extracting(RunRecord::scheduledFor)
        .containsExactly(T0.plusSeconds(60), T0.plusSeconds(120));
    assertThat(history("skip")).hasSize(1);
  }

  @Test
  void aQueuedRun_isDropped_whenTheRunItWaitedForIsStoppedByHand_andTheNextFireStartsAfresh() throws Exception {
    get(supervisor.defineSchedule(job("queue"), every(60_000, "queue"), false));
    wakeAt(T0.plusSeconds(60));
    wakeAt(T0.plusSeconds(120)); // queued behind the first run
    long pid = get(supervisor.list("queue")).get(0).pid();

    CompletableFuture<?> stopped = supervisor.stop("queue");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    os.exit(pid, new ExitStatus.Killed(new dev.sentinelzero.daemon.process.Signal("TERM", 15), false));
    os.groupGone(pid);
    get(stopped);
    wakeAt(T0.plusSeconds(180));
    long next = get(supervisor.list("queue")).get(0).pid();
    os.exit(next, new ExitStatus.Exited(0));

    await().atMost(Duration.ofSeconds(10)).until(() -> history("queue").size() == 2 && history("queue").get(1).endedAt() != null);
    assertThat(os.launches).as("the stale queued run did not follow").hasSize(2);
  }

  @Test
  void stoppingAJobByHand_callsOffTheQueuedRun_soALaterRequestedRunIsNotFollowedByIt() throws Exception {
    get(supervisor.defineSchedule(job("queue"), every(60_000, "queue"), false));
    wakeAt(T0.plusSeconds(60));
    wakeAt(T0.plusSeconds(70).plusSeconds(50)); // the 120 s fire: queued behind the first run
    long pid = get(supervisor.list("queue")).get(0).pid();
    CompletableFuture<?> stopped = supervisor.stop("queue");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    os.exit(pid, new ExitStatus.Killed(new dev.sentinelzero.daemon.process.Signal("TERM", 15), false));
    os.groupGone(pid);
    get(stopped);

    get(supervisor.start("queue")); // by hand, not through the schedule
    long manual = get(supervisor.list("queue")).get(0).pid();
    os.exit(manual, new ExitStatus.Exited(0));

    await().atMost(Duration.ofSeconds(10)).until(() -> history("queue").size() == 2 && history("queue").get(1).endedAt() != null);
    assertThat(os.launches).as("no stale queued run after the requested one").hasSize(2);
    assertThat(history("queue")).extracting(RunRecord::reason).containsExactly(RunRecord.SCHEDULE, RunRecord.MANUAL);
  }

  @Test
  void aDisabledJob_doesNotFire_norCatchUpWhenEnabledAgain() throws Exception {
    get(supervisor.defineSchedule(job("tick"), every(60_000, "skip"), false));
    assertThat(get(supervisor.setScheduleEnabled("tick", false)).changed()).isTrue();
    assertThat(timer.pending()).as("nothing to wake for").isEmpty();

    clock.now = T0.plus(Duration.ofHours(2));
    get(supervisor.setScheduleEnabled("tick", true));
    wakeAt(T0.plus(Duration.ofHours(2)).plusMillis(500));

    assertThat(os.launches).isEmpty();
    wakeAt(T0.plus(Duration.ofHours(2)).plusSeconds(60));
    assertThat(os.launches).hasSize(1);
  }

  @Test
  void aDaemonRestart_keepsTheSchedule_andCatchesUpWhatItMissedWhileDown() throws Exception {
    get(supervisor.defineSchedule(job("tick"), every(60_000, "skip"), false));
    supervisor.close();
    clock.now = T0.plusSeconds(150);

    supervisor = newSupervisor();

    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 1);
    assertThat(history("tick")).singleElement().satisfies(r -> {
      assertThat(r.reason()).isEqualTo(RunRecord.CATCH_UP);
      assertThat(r.scheduledFor()).isEqualTo(T0.plusSeconds(120));
    });
    assertThat(get(supervisor.schedules("tick")).get(0).nextFire()).isEqualTo(T0.plusSeconds(180));
  }

  @Test
  void aJobsName_cannotBeTakenByAPlainProcess_norTheOtherWayRound() throws Exception {
    get(supervisor.defineSchedule(job("job"), every(60_000, "skip"), false));
    get(supervisor.define(job("web"), false));

    ExecutionException e1 = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> supervisor.define(job("job"), true).get(10, TimeUnit.SECONDS));
    ExecutionException e2 = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> supervisor.defineSchedule(job("web"), every(1000, "skip"), true).get(10, TimeUnit.SECONDS));
    ExecutionException e3 = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> supervisor.defineSchedule(job("job"), every(1000, "skip"), false).get(10, TimeUnit.SECONDS));

    assertThat(((ProtocolException) e1.getCause()).code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(e2.getCause().getMessage()).contains("not a scheduled job");
    assertThat(e3.getCause().getMessage()).contains("--replace");
  }

  /** Runs the scheduler's pending wake-ups at {@code at}, if any, and waits until their ticks ran. */
  private void wakeWhileShuttingDown(Instant at) throws Exception {
    clock.now = at;
    while (!timer.pending().isEmpty()) {
      timer.fireNext();
    }
    get(supervisor.unstoppedGroups()); // runs after the posted ticks, even while shutting down
  }

  @Test
  void aFireTimeThatPassesWhileTheDaemonShutsDown_isNotRecordedAsRun_soTheNextDaemonCatchesItUp() throws Exception {
    get(supervisor.defineSchedule(job("tick"), every(60_000, "skip"), false));
    get(supervisor.shutdown());

    wakeWhileShuttingDown(T0.plusSeconds(60)); // a slow shutdown: the fire time passes meanwhile
    assertThat(os.launches).as("nothing starts while shutting down").isEmpty();
    supervisor.close();
    clock.now = T0.plusSeconds(90);
    supervisor = newSupervisor();

    assertThat(os.launches).hasSize(1);
    assertThat(history("tick")).singleElement().satisfies(r -> {
      assertThat(r.reason()).isEqualTo(RunRecord.CATCH_UP);
      assertThat(r.scheduledFor()).isEqualTo(T0.plusSeconds(60));
    });
  }

  @Test
  void overlapAllow_startsNoRunBesideTheMainOne_whileTheDaemonShutsDown() throws Exception {
    get(supervisor.defineSchedule(job("many"), every(60_000, "allow"), false));
    wakeAt(T0.plusSeconds(60));
    assertThat(os.launches).hasSize(1);
    get(supervisor.shutdown(true)); // leaving the running one for the next daemon

    wakeWhileShuttingDown(T0.plusSeconds(120));

    assertThat(os.launches).as("no process started that nobody will stop").hasSize(1);
    supervisor.close();
    assertThat(store.schedules().history("many", 100)).hasSize(1);
  }

  @Test
  void aOneTimeJobWithoutTz_thatHasRun_doesNotRunAgain_whenTheMachinesZoneMovesItsTimeLater() throws Exception {
    Schedule eleven = new Schedule(null, null, "2026-11-27T11:00", null, null, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
    get(supervisor.defineSchedule(job("remind"), eleven, false));
    get(supervisor.defineSchedule(job("hourly"), every(3_600_000, "skip"), false)); // keeps the scheduler ticking
    wakeAt(Instant.parse("2026-11-27T11:00:00Z"));
    assertThat(history("remind")).hasSize(1);
    os.exit(get(supervisor.list("remind")).get(0).pid(), new ExitStatus.Exited(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> "exited".equals(get(supervisor.list("remind")).get(0).state()));

    clock.zone = ZoneId.of("America/New_York"); // flew west: 11:00 there is 16:00 UTC
    wakeAt(Instant.parse("2026-11-27T11:00:01Z"));

    assertThat(get(supervisor.schedules("remind")).get(0).nextFire()).as("it has run").isNull();
    wakeAt(Instant.parse("2026-11-27T16:00:00Z"));
    assertThat(history("remind")).as("once, not again at 11:00 in New York").hasSize(1);
  }

  @Test
  void aFireThatFails_inTheDatabase_doesNotStopTheSchedulerForGood() throws Exception {
    get(supervisor.defineSchedule(job("tick"), every(60_000, "skip"), false));
    String refuse = "CREATE TRIGGER refuse BEFORE UPDATE ON schedules BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("sentinel.db"));
        java.sql.Statement st = c.createStatement()) {
      st.execute(refuse); // a write that fails once, as on a full disk
    }
    clock.now = T0.plusSeconds(60);
    timer.fireNext();
    get(supervisor.list(null)); // after the tick
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("sentinel.db"));
        java.sql.Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER refuse");
    }

    assertThat(timer.pending()).as("still ticking").isNotEmpty();
    wakeAt(T0.plusSeconds(120));
    assertThat(os.launches).as("the next fire time runs").hasSize(1);
  }

  @Test
  void overlapAllow_aRunBesideTheMainOneThatCannotStart_isInTheHistory() throws Exception {
    Path work = java.nio.file.Files.createDirectory(dir.resolve("work"));
    ProcessSpec spec =
        new ProcessSpec("many", null, List.of("/bin/sh", "-c", "true"), false, work.toString(), Map.of(), null, "TERM", 5000)
            .withRestart(RestartPolicy.DEFAULT.with(Map.of("mode", "never")));
    get(supervisor.defineSchedule(spec, every(60_000, "allow"), false));
    wakeAt(T0.plusSeconds(60));
    java.nio.file.Files.delete(work); // removed while the first run goes on

    wakeAt(T0.plusSeconds(120));

    assertThat(os.launches).hasSize(1);
    assertThat(history("many")).hasSize(2);
    assertThat(history("many").get(1)).satisfies(r -> {
      assertThat(r.scheduledFor()).isEqualTo(T0.plusSeconds(120));
      assertThat(r.pid()).isNull();
      assertThat(r.exit().kind()).isEqualTo(dev.sentinelzero.protocol.ExitInfo.LAUNCH_FAILED);
      assertThat(r.exit().message()).contains("does not exist");
    });
  }

  @Test
  void withOnlyJobsThatCannotFireAgain_theSchedulerStopsWakingUpEverySecond() throws Exception {
    get(supervisor.defineSchedule(job("boot"), Schedule.cron("@reboot", "UTC"), false));
    assertThat(timer.pending()).as("@reboot fires only when the daemon starts").isEmpty();

    Schedule once = new Schedule(null, null, "2026-11-27T10:00:30Z", null, null, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
    get(supervisor.defineSchedule(job("once"), once, false));
    assertThat(timer.pending()).hasSize(1);
    clock.now = T0.plusSeconds(30);
    timer.fireNext();
    get(supervisor.list(null)); // after the tick

    assertThat(os.launches).hasSize(1);
    assertThat(timer.pending()).as("a one-time job that has run").isEmpty();
  }

  @Test
  void overlapReplace_theRunThatReplacesTheRunningOne_isAScheduledRun() throws Exception {
    get(supervisor.defineSchedule(job("fresh"), every(60_000, "replace"), false));
    wakeAt(T0.plusSeconds(60));
    long first = get(supervisor.list("fresh")).get(0).pid();

    wakeAt(T0.plusSeconds(120));
    assertThat(os.terminating(first)).isTrue();
    os.exit(first, new ExitStatus.Killed(new dev.sentinelzero.daemon.process.Signal("TERM", 15), false));
    os.groupGone(first);
    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 2);

    assertThat(get(supervisor.list("fresh")).get(0).reasonCode()).isEqualTo(dev.sentinelzero.protocol.ProcessStatus.REASON_SCHEDULED);
    assertThat(history("fresh").get(1)).satisfies(r -> {
      assertThat(r.reason()).isEqualTo(RunRecord.SCHEDULE);
      assertThat(r.scheduledFor()).isEqualTo(T0.plusSeconds(120));
    });
  }

  @Test
  void overlapQueue_theQueuedRunAfterARunThatGaveUp_isNotJoinedByASecondRunWhenTheCooldownEnds() throws Exception {
    ProcessSpec spec = job("flaky").withRestart(
        RestartPolicy.DEFAULT.with(Map.of("mode", "on-failure", "retries", 0, "cooldown_ms", 600_000L, "jitter", 0.0)));
    get(supervisor.defineSchedule(spec, every(60_000, "queue"), false));
    wakeAt(T0.plusSeconds(60));
    wakeAt(T0.plusSeconds(120)); // queued behind the first run
    long first = get(supervisor.list("flaky")).get(0).pid();

    os.exit(first, new ExitStatus.Exited(1)); // fails at once: the policy gives up (cooldown 10 min)
    await().atMost(Duration.ofSeconds(10)).until(() -> os.launches.size() == 2); // the queued run
    long queued = get(supervisor.list("flaky")).get(0).pid();
    for (FakeTimer.Task t : timer.pending()) {
      if (t.delayMs == 600_000) {
        t.run.run(); // the cooldown's end, if one was left pending
      }
    }
    get(supervisor.list(null)); // after what it posted

    assertThat(os.launches).as("one run at a time").hasSize(2);
    assertThat(get(supervisor.list("flaky")).get(0).pid()).isEqualTo(queued);
  }

  @Test
  void aJobRemovedWhileItsRunStops_staysRemoved_whenTheDaemonShutsDownMeanwhile() throws Exception {
    get(supervisor.defineSchedule(job("gone"), every(60_000, "skip"), false));
    wakeAt(T0.plusSeconds(60));
    long pid = get(supervisor.list("gone")).get(0).pid();

    CompletableFuture<String> removed = supervisor.removeSchedule("gone");
    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(pid));
    CompletableFuture<Void> shutdown = supervisor.shutdown(); // while the run is still stopping
    get(supervisor.unstoppedGroups());
    os.exit(pid, new ExitStatus.Killed(new dev.sentinelzero.daemon.process.Signal("TERM", 15), false));
    os.groupGone(pid);
    assertThat(get(removed)).isEqualTo("gone");
    get(shutdown);
    supervisor.close();

    supervisor = newSupervisor();
    assertThat(get(supervisor.list(null))).as("the client was told it is removed").isEmpty();
  }

  @Test
  void aOneTimeJobWithoutTz_thatHasRun_doesNotRunAgain_whenTheDaemonStartsInAZoneWestOfTheOld() throws Exception {
    Schedule eleven = new Schedule(null, null, "2026-11-27T11:00", null, null, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS);
    get(supervisor.defineSchedule(job("remind"), eleven, false));
    clock.now = Instant.parse("2026-11-27T11:00:00Z");
    timer.fireNext(); // its last wake-up: nothing is left to fire
    assertThat(history("remind")).hasSize(1);
    os.exit(get(supervisor.list("remind")).get(0).pid(), new ExitStatus.Exited(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> history("remind").get(0).endedAt() != null);
    supervisor.close();

    clock.zone = ZoneId.of("America/New_York"); // flew west while the laptop was off: 11:00 there is 16:00 UTC
    clock.now = Instant.parse("2026-11-27T17:00:00Z");
    supervisor = newSupervisor();

    assertThat(history("remind")).as("it ran once; no catch-up of 11:00 in New York").hasSize(1);
    assertThat(get(supervisor.schedules("remind")).get(0).nextFire()).isNull();
  }

  @Test
  void overlapAllow_aRunBesideTheMainOneWhoseHistoryRowCannotBeWritten_isStillStoppedWithItsJob() throws Exception {
    get(supervisor.defineSchedule(job("many"), every(60_000, "allow"), false));
    wakeAt(T0.plusSeconds(60));
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("sentinel.db"));
        java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE TRIGGER refuse BEFORE INSERT ON history BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    }
    wakeAt(T0.plusSeconds(120));
    assertThat(os.launches).hasSize(2);
    long beside = os.nextPid.get();

    CompletableFuture<?> stopped = supervisor.stop("many");

    await().atMost(Duration.ofSeconds(10)).until(() -> os.terminating(beside));
    assertThat(stopped).isNotDone();
  }

  private List<dev.sentinelzero.protocol.EventRecord> events(String name) {
    try (dev.sentinelzero.daemon.store.EventLog log = dev.sentinelzero.daemon.store.EventLog.open(dir.resolve("sentinel.db"))) {
      return log.query(name, null, 0, 10_000);
    }
  }

  private long lastPid() {
    return os.nextPid.get();
  }

  /**
   * Regression (issue 9): a per-second job wrote about 4 events a second (fired, starting, running,
   * exited), 345,000 a day, pushing every other process's history out. A routine run is now
   * recorded by its history row alone; a failed run and an overlap decision still get entries.
   */
  @Test
  void routineRuns_writeNoEvents_butAFailedRunAndASkippedFireDo() throws Exception {
    get(supervisor.defineSchedule(job("tick"), every(60_000, "skip"), false));
    for (int i = 1; i <= 3; i++) {
      wakeAt(T0.plusSeconds(60L * i).plusMillis(3));
      assertThat(os.launches).hasSize(i);
      os.exit(lastPid(), new ExitStatus.Exited(0));
      await().atMost(Duration.ofSeconds(10)).until(() -> get(supervisor.list("tick")).get(0).state().equals("exited"));
    }
    assertThat(history("tick")).hasSize(3).allSatisfy(r -> assertThat(r.exit().code()).isZero());
    assertThat(events("tick")).as("routine runs").isEmpty();

    wakeAt(T0.plusSeconds(240).plusMillis(3));
    wakeAt(T0.plusSeconds(300).plusMillis(3)); // the run of 240 s is still going: skipped
    os.exit(lastPid(), new ExitStatus.Exited(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> get(supervisor.list("tick")).get(0).state().equals("failed"));

    assertThat(events("tick")).extracting(dev.sentinelzero.protocol.EventRecord::kind).containsExactly("schedule", "failed");
    assertThat(events("tick").get(0).message()).contains("skipped");
    assertThat(events("tick").get(1).message()).isEqualTo("exited with code 1");
  }
}
