package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled jobs with real processes, a real daemon and its real database (issue 4). */
class ScheduleEndToEndTest {
  @TempDir Path tmp;
  private RunningDaemon daemon;
  private RunningDaemon.Client client;

  @BeforeEach
  void start() throws Exception {
    daemon = RunningDaemon.start(tmp.resolve("home"));
    client = daemon.client();
  }

  @AfterEach
  void stop(TestInfo info) throws Exception {
    client.close();
    daemon.close();
  }

  private Response.Ok ok(String cmd, Map<String, Object> args) throws Exception {
    Response r = client.call(cmd, args);
    assertThat(r).as("%s %s -> %s\n%s", cmd, args, r, daemon.log()).isInstanceOf(Response.Ok.class);
    return (Response.Ok) r;
  }

  private Response.Failure failure(String cmd, Map<String, Object> args) throws Exception {
    Response r = client.call(cmd, args);
    assertThat(r).as("%s %s -> %s", cmd, args, r).isInstanceOf(Response.Failure.class);
    return (Response.Failure) r;
  }

  private Map<String, Object> schedule(String name, String cmd, Map<String, Object> schedule) throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("cmd", cmd);
    args.put("shell", true);
    args.put("cwd", tmp.toString());
    args.put("path", "/usr/bin:/bin");
    args.put("schedule", schedule);
    return job(ok("schedule", args).result().get("schedule"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> job(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> history(String name) throws Exception {
    return (List<Map<String, Object>>) ok("history", Map.of("name", name, "limit", 1000)).result().get("runs");
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> listed(String name) throws Exception {
    return ((List<Map<String, Object>>) ok("schedule.list", Map.of("name", name)).result().get("schedules")).get(0);
  }

  @Test
  void anEverySecondSchedule_runsItsJobRepeatedly_andRecordsEachRun() throws Exception {
    Map<String, Object> s = schedule("tick", "date +%s.%N >> ticks.txt", Map.of("cron", "* * * * * *"));
    assertThat(s.get("enabled")).isEqualTo(true);
    assertThat(s.get("next_fire")).isNotNull();

    await().atMost(Duration.ofSeconds(30)).until(() -> history("tick").stream().filter(r -> r.get("exit") != null).count() >= 3);

    List<Map<String, Object>> runs = history("tick");
    for (Map<String, Object> run : runs.subList(0, 3)) {
      assertThat(run.get("reason")).isEqualTo("schedule");
      Instant scheduled = Instant.parse((String) run.get("scheduled_for"));
      Instant started = Instant.parse((String) run.get("started_at"));
      assertThat(scheduled.getNano()).as("every second, on the second").isZero();
      assertThat(started).isAfterOrEqualTo(scheduled.minusMillis(5)).isBefore(scheduled.plusSeconds(2));
      assertThat(job(run.get("exit")).get("code")).isEqualTo(0);
      assertThat(run.get("duration_ms")).isNotNull();
    }
    assertThat(runs.get(0).get("scheduled_for")).isNotEqualTo(runs.get(1).get("scheduled_for"));
    assertThat(Files.readAllLines(tmp.resolve("ticks.txt")).size()).isGreaterThanOrEqualTo(3);
    assertThat(listed("tick").get("last_fire")).isNotNull();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> fires = (List<Map<String, Object>>) ok("upcoming", Map.of("count", 3)).result().get("fires");
    assertThat(fires).hasSize(3);
    assertThat(Instant.parse((String) fires.get(1).get("at"))).isEqualTo(Instant.parse((String) fires.get(0).get("at")).plusSeconds(1));
  }

  @Test
  void disable_stopsTheFires_andEnable_resumesThem() throws Exception {
    schedule("tick", "true", Map.of("every_ms", 1000));
    await().atMost(Duration.ofSeconds(30)).until(() -> history("tick").size() >= 1);

    Map<String, Object> off = job(ok("schedule.disable", Map.of("name", "tick")).result().get("schedule"));
    assertThat(off.get("enabled")).isEqualTo(false);
    assertThat(off.get("next_fire")).isNull();
    int runs = history("tick").size();
    await()
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(10))
        .until(() -> history("tick").size() == runs);

    ok("schedule.enable", Map.of("name", "tick"));
    await().atMost(Duration.ofSeconds(30)).until(() -> history("tick").size() >= runs + 2);
    assertThat(history("tick")).allSatisfy(r -> assertThat(r.get("reason")).isEqualTo("schedule"));
  }

  @Test
  void aSchedule_survivesADaemonRestart_enabledOrNot() throws Exception {
    schedule("tick", "true", Map.of("cron", "* * * * * *", "tz", "Europe/Berlin"));
    schedule("off", "true", Map.of("cron", "0 3 * * *"));
    ok("schedule.disable", Map.of("name", "off"));
    await().atMost(Duration.ofSeconds(30)).until(() -> history("tick").size() >= 1);

    daemon.restart();
    client.close();
    client = daemon.client();

    assertThat(listed("tick").get("enabled")).isEqualTo(true);
    assertThat(listed("tick").get("zone")).isEqualTo("Europe/Berlin");
    assertThat(listed("off").get("enabled")).isEqualTo(false);
    int before = history("tick").size();
    await().atMost(Duration.ofSeconds(30)).until(() -> history("tick").size() >= before + 2);
  }

  @Test
  void anAtRebootJob_runsWhenTheDaemonStarts() throws Exception {
    schedule("boot", "echo booted", Map.of("cron", "@reboot"));
    assertThat(history("boot")).as("defining it runs nothing").isEmpty();

    daemon.restart();
    client.close();
    client = daemon.client();

    await().atMost(Duration.ofSeconds(30)).until(() -> history("boot").size() == 1);
    assertThat(history("boot").get(0).get("reason")).isEqualTo("schedule");
  }

  @Test
  void aFireMissedWhileTheDaemonWasDown_isCaughtUpOnce_atStart() throws Exception {
    schedule("job", "true", Map.of("every_ms", 1000));
    await().atMost(Duration.ofSeconds(30)).until(() -> history("job").size() >= 1);
    daemon.stop();
    Instant down = Instant.now();
    await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(down.plusSeconds(3)));

    daemon.launch();
    client.close();
    client = daemon.client();

    await().atMost(Duration.ofSeconds(30)).until(() -> history("job").stream().anyMatch(r -> "catch-up".equals(r.get("reason"))));
    List<Map<String, Object>> catchUps = history("job").stream().filter(r -> "catch-up".equals(r.get("reason"))).toList();
    assertThat(catchUps).as("once, never a burst").hasSize(1);
    assertThat(Instant.parse((String) catchUps.get(0).get("scheduled_for"))).isAfter(down);
  }

  @Test
  void overlapAllow_startsRunsBesideEachOther_andRemoveStopsThemAll() throws Exception {
    schedule("slow", "sleep 30", Map.of("every_ms", 1000, "overlap", "allow"));

    await().atMost(Duration.ofSeconds(30)).until(() -> history("slow").stream().filter(r -> r.get("ended_at") == null).count() >= 2);
    List<Long> pids = history("slow").stream().map(r -> ((Number) r.get("pid")).longValue()).toList();

    ok("schedule.remove", Map.of("name", "slow"));

    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("pid %d", pid).isEmpty();
    }
    assertThat(failure("schedule.list", Map.of("name", "slow")).code().wireName()).isEqualTo("not_found");
  }

  @Test
  void overlapSkip_neverRunsTwoAtOnce_andRunNowIsRefusedWhileOneRuns() throws Exception {
    schedule("slow", "sleep 30", Map.of("every_ms", 1000));
    await().atMost(Duration.ofSeconds(30)).until(() -> history("slow").size() == 1);
    await().during(Duration.ofMillis(2200)).atMost(Duration.ofSeconds(10)).until(() -> history("slow").size() == 1);

    Response.Failure f = failure("schedule.run", Map.of("name", "slow"));
    assertThat(f.code().wireName()).isEqualTo("conflict");
    assertThat(f.message()).contains("overlap policy is skip");
  }

  @Test
  void runNow_startsARun_withReasonManual() throws Exception {
    schedule("later", "echo now", Map.of("cron", "0 3 1 1 *"));

    ok("schedule.run", Map.of("name", "later"));

    await().atMost(Duration.ofSeconds(30)).until(() -> history("later").size() == 1 && history("later").get(0).get("exit") != null);
    assertThat(history("later").get(0).get("reason")).isEqualTo("manual");
    assertThat(history("later").get(0).get("scheduled_for")).isNull();
  }

  @Test
  void badSchedules_areRefused_withAMessageThatPointsAtTheBadPart_andNothingIsStored() throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "bad");
    args.put("cmd", "true");
    args.put("cwd", tmp.toString());
    args.put("schedule", Map.of("cron", "0 25 * * *"));
    assertThat(failure("schedule", args).message()).contains("hour");

    args.put("schedule", Map.of("cron", "0 2 * * *", "tz", "Europe/Berln"));
    assertThat(failure("schedule", args).message()).contains("Europe/Berlin");

    args.put("schedule", Map.of("at", "2001-01-01T00:00"));
    assertThat(failure("schedule", args).message()).contains("in the past");

    args.put("schedule", Map.of("cron", "0 2 * * *", "every_ms", 1000));
    assertThat(failure("schedule", args).message()).contains("only one of");

    assertThat(failure("schedule.list", Map.of("name", "bad")).code().wireName()).isEqualTo("not_found");
    assertThat(ok("schedule.list", Map.of()).result().get("schedules")).isEqualTo(List.of());
  }

  @Test
  void aScheduledJob_isAProcess_withLogsAndStatus_butPlainStartCannotRedefineIt() throws Exception {
    schedule("job", "echo hello-from-job", Map.of("every_ms", 1000));
    await().atMost(Duration.ofSeconds(30)).until(() -> history("job").size() >= 1);

    await().atMost(Duration.ofSeconds(30)).until(() -> {
      Response r = client.call("logs", Map.of("name", "job", "tail", 5));
      return r.toString().contains("hello-from-job");
    });
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "job");
    args.put("cmd", "true");
    args.put("cwd", tmp.toString());
    args.put("replace", true);
    assertThat(failure("start", args).message()).contains("scheduled job");
    Map<String, Object> restart = job(listed("job").get("process"));
    assertThat(job(restart.get("restart")).get("mode")).as("a job's default policy").isEqualTo("never");
  }

  @Test
  void overlapReplace_stopsTheRunningOne_andStartsTheNext() throws Exception {
    schedule("slow", "sleep 30", Map.of("every_ms", 1000, "overlap", "replace"));

    await().atMost(Duration.ofSeconds(30)).until(() -> history("slow").size() >= 3);
    List<Map<String, Object>> runs = history("slow");
    assertThat(runs.subList(0, 2)).allSatisfy(r -> {
      assertThat(r.get("ended_at")).as("replaced runs ended").isNotNull();
      assertThat(job(r.get("exit")).get("signal")).isEqualTo("TERM");
    });
    assertThat(runs.stream().filter(r -> r.get("ended_at") == null).count()).isLessThanOrEqualTo(1);
  }

  @Test
  void overlapQueue_runsOnceMoreRightAfter_neverBuildingAQueue() throws Exception {
    Path gate = tmp.resolve("gate");
    schedule("slow", "while [ ! -e gate ]; do sleep 0.05; done", Map.of("every_ms", 1000, "overlap", "queue"));
    await().atMost(Duration.ofSeconds(30)).until(() -> history("slow").size() == 1);
    // Several fire times pass while the first run waits: one run is queued, the others dropped.
    await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(10)).until(() -> history("slow").size() == 1);

    Files.createFile(gate);

    await().atMost(Duration.ofSeconds(30)).until(() -> history("slow").size() >= 2);
    Map<String, Object> queued = history("slow").get(1);
    Instant firstEnded = Instant.parse((String) history("slow").get(0).get("ended_at"));
    assertThat(Instant.parse((String) queued.get("started_at"))).isBefore(firstEnded.plusMillis(900));
    assertThat(Instant.parse((String) queued.get("scheduled_for"))).isBefore(firstEnded);
  }

  @Test
  void aFailedRun_isRetriedUnderItsRestartPolicy_asRetry() throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "flaky");
    args.put("cmd", "exit 3");
    args.put("shell", true);
    args.put("cwd", tmp.toString());
    args.put("restart", Map.of("mode", "on-failure", "retries", 1, "jitter", 0));
    args.put("schedule", Map.of("cron", "0 3 1 1 *"));
    ok("schedule", args);

    ok("schedule.run", Map.of("name", "flaky"));

    await().atMost(Duration.ofSeconds(30)).until(() -> history("flaky").size() == 2 && history("flaky").get(1).get("exit") != null);
    assertThat(history("flaky")).extracting(r -> r.get("reason")).containsExactly("manual", "retry");
    assertThat(history("flaky")).allSatisfy(r -> assertThat(job(r.get("exit")).get("code")).isEqualTo(3));
    assertThat(job(listed("flaky").get("process")).get("state")).isEqualTo("failed");
  }

  @Test
  void aJobRunning_whenTheDaemonIsKilled_isAdopted_notRunTwice_andItsEndIsRecorded() throws Exception {
    // Long enough to outlive a new daemon's start on a loaded machine; the test ends it itself.
    schedule("long", "sleep 300", Map.of("cron", "0 3 1 1 *"));
    ok("schedule.run", Map.of("name", "long"));
    await().atMost(Duration.ofSeconds(30)).until(() -> history("long").size() == 1);
    long pid = ((Number) history("long").get(0).get("pid")).longValue();

    daemon.process().destroyForcibly(); // SIGKILL
    daemon.process().waitFor();
    daemon.launch();
    client.close();
    client = daemon.client();

    Map<String, Object> process = job(listed("long").get("process"));
    assertThat(process.get("state")).isEqualTo("running");
    assertThat(((Number) process.get("pid")).longValue()).isEqualTo(pid);
    ProcessHandle.of(pid).orElseThrow().destroy(); // the run ends by itself, as far as the daemon knows
    await().atMost(Duration.ofSeconds(30)).until(() -> history("long").get(0).get("exit") != null);
    assertThat(history("long")).hasSize(1);
    assertThat(job(history("long").get(0).get("exit")).get("kind")).as("an adopted run's status cannot be read").isEqualTo("unknown");
  }

  @Test
  void runsBesideTheMainOne_whenTheDaemonIsKilled_areAdoptedByTheNextDaemon_notStopped() throws Exception {
    schedule("many", "sleep 30", Map.of("cron", "0 3 1 1 *", "overlap", "allow"));
    assertThat(ok("schedule.run", Map.of("name", "many")).result().get("action")).isEqualTo("started");
    assertThat(ok("schedule.run", Map.of("name", "many")).result().get("action")).isEqualTo("started_beside");
    List<Long> pids = history("many").stream().map(r -> ((Number) r.get("pid")).longValue()).toList();
    assertThat(pids).hasSize(2);

    daemon.process().destroyForcibly(); // SIGKILL
    daemon.process().waitFor();
    daemon.launch();
    client.close();
    client = daemon.client();

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> pids.stream().allMatch(pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()));
    assertThat(history("many")).as("both still running").allSatisfy(r -> assertThat(r.get("ended_at")).isNull());
    assertThat(((Number) job(listed("many").get("process")).get("pid")).longValue()).isEqualTo(pids.get(0));

    ok("schedule.remove", Map.of("name", "many"));
    // Not the daemon's children any more: init reaps them, a moment after they are gone.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> pids.stream().noneMatch(pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()));
  }
}
