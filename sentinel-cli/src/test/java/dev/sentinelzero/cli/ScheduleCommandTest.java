package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.Response;
import dev.sentinelzero.protocol.Schedule;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sentinel schedule} and its subcommands against the stand-in daemon: the exact requests,
 * how the answers print, and how the daemon's errors end. Usage errors caught before anything is
 * sent are in {@link UsageErrorsTest}.
 */
class ScheduleCommandTest {
  /** Friday evening in Berlin (UTC+1 in November), so local times differ from UTC. */
  static final Instant NOW = Instant.parse("2026-11-27T20:00:00Z");

  static final Clock CLOCK = Clock.fixed(NOW, ZoneId.of("Europe/Berlin"));

  @RegisterExtension final StandInDaemon daemon = new StandInDaemon(CLOCK);

  // ---- schedule: the exact request

  @Test
  void cronJob_sendsTheProcessFieldsReplaceAndTheScheduleAsTyped() throws Exception {
    daemon.answer(scheduleResult(backup()));

    Cli.Result result =
        daemon.run(
            "schedule", "--name", "backup", "--cron", "0 2 * * *", "--tz", "Europe/Berlin",
            "--overlap", "queue", "--catch-up", "none", "--catch-up-window", "2h",
            "--", "./backup.sh", "--full");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyRequest()).containsEntry("v", 1).containsEntry("cmd", "schedule");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("name", "backup");
    expected.put("argv", List.of("./backup.sh", "--full"));
    expected.put("shell", false);
    expected.put("cwd", daemon.home().toString());
    expected.put("env", Map.of());
    expected.put("path", "/opt/test/bin:/usr/bin:/bin");
    expected.put("stop_signal", "TERM");
    expected.put("stop_timeout_ms", 10_000);
    expected.put("replace", false);
    expected.put(
        "schedule",
        schedule("0 2 * * *", null, null, "Europe/Berlin", "queue", "none", 7_200_000));
    assertThat(daemon.onlyArgs()).isEqualTo(expected);
  }

  @Test
  void intervalJob_sendsEveryMs_andTheDefaultsOfTheOtherScheduleFields() throws Exception {
    daemon.answer(scheduleResult(poll()));

    Cli.Result result =
        daemon.run("schedule", "--name", "poll", "--every", "1h30m", "--cmd", "curl -fsS x");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyArgs())
        .containsEntry("cmd", "curl -fsS x")
        .containsEntry(
            "schedule", schedule(null, 5_400_000L, null, null, "skip", "once", 86_400_000));
    assertThat(Json.write(daemon.onlyArgs().get("schedule")))
        .isEqualTo(
            "{\"cron\":null,\"every_ms\":5400000,\"at\":null,\"tz\":null,\"overlap\":\"skip\","
                + "\"catch_up\":\"once\",\"catch_up_window_ms\":86400000}");
  }

  @Test
  void oneTimeJob_sendsAtAndTzAsTyped_andReplace() throws Exception {
    daemon.answer(scheduleResult(once(true)));

    Cli.Result result =
        daemon.run(
            "schedule", "--name", "once", "--at", "2026-12-01T09:00", "--tz", "Europe/Lisbon ",
            "--replace", "--cmd", "./migrate.sh");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyArgs())
        .containsEntry("replace", true)
        .containsEntry(
            "schedule",
            schedule(null, null, "2026-12-01T09:00", "Europe/Lisbon ", "skip", "once", 86_400_000));
  }

  /** The daemon makes a job's policy {@code never} when no restart object comes. */
  @Test
  void withoutRestartOptions_sendsNoRestartObject_soTheJobsPolicyIsNever() throws Exception {
    daemon.answer(scheduleResult(backup()));

    Cli.Result result =
        daemon.run("schedule", "--name", "backup", "--cron", "@daily", "--cmd", "./backup.sh");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyArgs()).doesNotContainKeys("restart", "health", "limits");
  }

  @Test
  void withARestartOption_sendsOnlyTheFieldsGiven() throws Exception {
    daemon.answer(scheduleResult(backup()));

    Cli.Result result =
        daemon.run(
            "schedule", "--name", "backup", "--cron", "@daily", "--retries", "2", "--delay", "1m",
            "--cmd", "./backup.sh");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyArgs())
        .containsEntry("restart", Map.of("retries", 2, "delay_ms", 60_000));
  }

  /** Every process option of start, given to both: the same fields, plus the schedule. */
  @Test
  void processFields_areExactlyWhatStartSends() throws Exception {
    Files.createDirectories(daemon.home().resolve("app"));
    Files.writeString(daemon.home().resolve("app.env"), "A=from-file\nB=2\n");
    daemon.handle(
        (request, out) ->
            out.write(
                new Response.Ok(
                    request.get("id"),
                    "start".equals(request.get("cmd"))
                        ? Map.of("process", backup().process().toJson())
                        : scheduleResult(backup()))));
    String[] process = {
      "--name", "backup", "--cwd", "app", "--env-file", "app.env", "--env", "A=1",
      "--stop-signal", "sigint", "--stop-timeout", "1m", "--replace",
      "--restart", "on-failure", "--retries", "3", "--health-cmd", "test -f ok",
      "--health-interval", "10s", "--max-memory", "512M", "--limit-action", "stop",
      "--", "./backup.sh", "--full"
    };
    String[] trigger = {"schedule", "--cron", "0 2 * * *"};

    Cli.Result started = daemon.run(concat(new String[] {"start"}, process));
    Cli.Result scheduled = daemon.run(concat(trigger, process));

    assertThat(started.exit()).as(started.toString()).isZero();
    assertThat(scheduled.exit()).as(scheduled.toString()).isZero();
    List<Map<String, Object>> requests = daemon.requests();
    assertThat(requests).extracting(r -> r.get("cmd")).containsExactly("start", "schedule");
    Map<String, Object> startArgs = new HashMap<>(argsOf(requests.get(0)));
    assertThat(startArgs.remove("wait_ms")).as("start waits to see it stay up; a schedule starts nothing").isEqualTo(1000);
    Map<String, Object> scheduleArgs = new HashMap<>(argsOf(requests.get(1)));
    assertThat(scheduleArgs.remove("schedule")).isNotNull();
    assertThat(scheduleArgs).isEqualTo(startArgs);
    assertThat(startArgs)
        .containsEntry("cwd", daemon.home().resolve("app").toString())
        .containsEntry("env", Map.of("A", "1", "B", "2"))
        .containsEntry("stop_signal", "INT")
        .containsKeys("restart", "health", "limits");
  }

  // ---- schedule: what it prints

  @Test
  void cronJob_printsTriggerZoneAndNextRunInLocalTime() throws Exception {
    daemon.answer(scheduleResult(backup()));

    Cli.Result result =
        daemon.run("schedule", "--name", "backup", "--cron", "0 2 * * *", "--cmd", "./backup.sh");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .isEqualTo(
            "scheduled backup: cron 0 2 * * * (Europe/Berlin), next run 2026-11-28 02:00 +01:00\n");
  }

  @Test
  void jobInAnotherZone_printsTheNextRunInBothZones() throws Exception {
    daemon.answer(scheduleResult(report()));

    Cli.Result result =
        daemon.run(
            "schedule", "--name", "report", "--cron", "0 9 * * MON", "--tz", "America/New_York",
            "--cmd", "./report.sh");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "scheduled report: cron 0 9 * * MON (America/New_York), next run 2026-11-30 15:00"
                + " +01:00 (2026-11-30 09:00 -05:00 in America/New_York)\n");
  }

  @Test
  void intervalJob_printsNoZone() throws Exception {
    daemon.answer(scheduleResult(poll()));

    Cli.Result result = daemon.run("schedule", "--name", "poll", "--every", "15m", "--cmd", "x");

    assertThat(result.out()).isEqualTo("scheduled poll: every 15m, next run 2026-11-27 21:15 +01:00\n");
  }

  @Test
  void rebootJob_saysItRunsWhenTheDaemonStarts() throws Exception {
    ScheduleStatus reboot =
        new ScheduleStatus(
            "warm", Schedule.cron("@reboot", null), "Europe/Berlin", true, null, null, stopped("warm"));
    daemon.answer(scheduleResult(reboot));

    Cli.Result result = daemon.run("schedule", "--name", "warm", "--cron", "@reboot", "--cmd", "x");

    assertThat(result.out())
        .isEqualTo("scheduled warm: cron @reboot (Europe/Berlin), runs when the daemon starts\n");
  }

  @Test
  void json_printsTheDaemonsResultOnly() throws Exception {
    Map<String, Object> canned = scheduleResult(backup());
    daemon.answer(canned);

    Cli.Result result =
        daemon.run("schedule", "--json", "--name", "backup", "--cron", "@daily", "--cmd", "x");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(Json.parseObject(result.out())).isEqualTo(Json.parseObject(Json.write(canned)));
  }

  // ---- schedule: the daemon's errors

  @Test
  void badCronExpression_printsTheDaemonsMessageAsIs_andExits2() throws Exception {
    String message =
        "bad cron expression \"0 25 * * *\": the hour field (2nd) takes 0-23, got 25";
    daemon.fail(ErrorCode.INVALID_ARGUMENT, message);

    Cli.Result result =
        daemon.run("schedule", "--name", "backup", "--cron", "0 25 * * *", "--cmd", "x");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("sentinel: " + message + "\n");
  }

  @Test
  void nameTakenByAProcess_exits1() throws Exception {
    daemon.fail(
        ErrorCode.CONFLICT, "a process named web exists; give --replace to make it a scheduled job");

    Cli.Result result = daemon.run("schedule", "--name", "web", "--every", "1m", "--cmd", "x");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.errLines()).containsExactly("sentinel: a process named web exists; give --replace to make it a scheduled job");
  }

  @Test
  void badCronExpression_withJson_printsTheErrorObject() throws Exception {
    daemon.fail(ErrorCode.INVALID_ARGUMENT, "unknown time zone \"Europe/Berln\"; did you mean Europe/Berlin?");

    Cli.Result result =
        daemon.run(
            "schedule", "--json", "--name", "b", "--cron", "@daily", "--tz", "Europe/Berln",
            "--cmd", "x");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(Json.parseObject(result.out()).get("error"))
        .isEqualTo(
            Map.of(
                "code", "invalid_argument",
                "message", "unknown time zone \"Europe/Berln\"; did you mean Europe/Berlin?"));
  }

  // ---- schedule list

  @Test
  void list_sendsNoArguments_andPrintsATable() throws Exception {
    daemon.answer(schedulesResult(backup(), report(), poll(), once(false)));

    Cli.Result result = daemon.run("schedule", "list");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyRequest()).containsEntry("cmd", "schedule.list");
    assertThat(daemon.onlyArgs()).isEmpty();
    assertThat(result.out())
        .isEqualTo(
            """
            NAME    TRIGGER                              NEXT              LAST              STATE
            backup  cron 0 2 * * *                       2026-11-28 02:00  2026-11-27 02:00  exited (code 0)
            report  cron 0 9 * * MON (America/New_York)  2026-11-30 15:00  -                 stopped
            poll    every 15m                            2026-11-27 21:15  2026-11-27 20:45  running (pid 4242)
            once    at 2026-12-01T09:00                  disabled          -                 failed (SIGKILL)
            """);
  }

  @Test
  void listOfOne_sendsTheName() throws Exception {
    daemon.answer(schedulesResult(backup()));

    Cli.Result result = daemon.run("--json", "schedule", "list", "backup");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyArgs()).isEqualTo(Map.of("name", "backup"));
    assertThat(Json.parseObject(result.out()))
        .isEqualTo(Json.parseObject(Json.write(schedulesResult(backup()))));
  }

  @Test
  void list_empty_saysHowToMakeAJob() throws Exception {
    daemon.answer(schedulesResult());

    Cli.Result result = daemon.run("schedule", "list");

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "no scheduled jobs; make one with: sentinel schedule --name NAME --cron \"0 2 * * *\""
                + " --cmd \"COMMAND\"\n");
  }

  @Test
  void listOfOne_thatIsNotThere_exits1() throws Exception {
    daemon.answer(schedulesResult());

    Cli.Result result = daemon.run("schedule", "list", "nope");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo("sentinel: no scheduled job named nope; see: sentinel schedule list\n");
  }

  // ---- enable, disable, remove, run

  @Test
  void enable_sendsTheName_andPrintsTheNextRun() throws Exception {
    daemon.answer(changed(backup(), true));

    Cli.Result result = daemon.run("schedule", "enable", "backup");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyRequest()).containsEntry("cmd", "schedule.enable");
    assertThat(daemon.onlyArgs()).isEqualTo(Map.of("name", "backup"));
    assertThat(result.out()).isEqualTo("enabled backup: next run 2026-11-28 02:00 +01:00\n");
  }

  @Test
  void enable_whenEnabled_saysSo() throws Exception {
    daemon.answer(changed(backup(), false));

    Cli.Result result = daemon.run("schedule", "enable", "backup");

    assertThat(result.out())
        .isEqualTo("backup was already enabled: next run 2026-11-28 02:00 +01:00\n");
  }

  @Test
  void disable_ofARunningJob_saysTheRunGoesOn() throws Exception {
    ScheduleStatus poll = poll();
    ScheduleStatus disabled =
        new ScheduleStatus(
            poll.name(), poll.schedule(), poll.zone(), false, poll.lastFire(), null, poll.process());
    daemon.answer(changed(disabled, true));

    Cli.Result result = daemon.run("schedule", "disable", "poll");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyRequest()).containsEntry("cmd", "schedule.disable");
    assertThat(daemon.onlyArgs()).isEqualTo(Map.of("name", "poll"));
    assertThat(result.out()).isEqualTo("disabled poll; its current run (pid 4242) goes on\n");
  }

  @Test
  void disable_whenDisabled_saysSo() throws Exception {
    daemon.answer(changed(once(false), false));

    Cli.Result result = daemon.run("schedule", "disable", "once");

    assertThat(result.out()).isEqualTo("once was already disabled\n");
  }

  @Test
  void remove_sendsTheName_andSaysItIsGone() throws Exception {
    daemon.answer(Map.of("removed", "backup"));

    Cli.Result result = daemon.run("schedule", "remove", "backup");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyRequest()).containsEntry("cmd", "schedule.remove");
    assertThat(daemon.onlyArgs()).isEqualTo(Map.of("name", "backup"));
    assertThat(result.out()).isEqualTo("removed backup\n");
  }

  @Test
  void remove_ofAnUnknownJob_exits1() throws Exception {
    daemon.fail(ErrorCode.NOT_FOUND, "no scheduled job named nope; see: sentinel schedule list");

    Cli.Result result = daemon.run("schedule", "remove", "nope");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.errLines())
        .containsExactly("sentinel: no scheduled job named nope; see: sentinel schedule list");
  }

  @Test
  void run_sendsTheName_andPrintsThePid() throws Exception {
    daemon.answer(started(poll(), true));

    Cli.Result result = daemon.run("schedule", "run", "poll");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(daemon.onlyRequest()).containsEntry("cmd", "schedule.run");
    assertThat(daemon.onlyArgs()).isEqualTo(Map.of("name", "poll"));
    assertThat(result.out()).isEqualTo("started poll (pid 4242)\n");
  }

  @Test
  void run_besideARunningOne_printsTheNewRunsPid_notTheRunningOnes() throws Exception {
    Map<String, Object> reply = new java.util.LinkedHashMap<>(started(poll(), true));
    reply.put("action", "started_beside");
    reply.put("pid", 5151);
    daemon.answer(reply);

    Cli.Result result = daemon.run("schedule", "run", "poll");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("started another run of poll (pid 5151) beside the running one\n");
  }

  @Test
  void run_withTheActionAndPid_printsThePidOfTheNewRun() throws Exception {
    Map<String, Object> reply = new java.util.LinkedHashMap<>(started(poll(), true));
    reply.put("action", "started");
    reply.put("pid", 6161);
    daemon.answer(reply);

    assertThat(daemon.run("schedule", "run", "poll").out()).isEqualTo("started poll (pid 6161)\n");
  }

  @Test
  void every_longerThanTenYears_isAUsageError() throws Exception {
    Cli.Result result = daemon.run("schedule", "--name", "x", "--every", "4000d", "--cmd", "true");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.errLines()).singleElement().asString().contains("--every").contains("too long");
  }

  @Test
  void run_queuedBehindARun_saysSo() throws Exception {
    daemon.answer(started(poll(), false));

    Cli.Result result = daemon.run("schedule", "run", "poll");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo("queued a run of poll: it starts when the current run (pid 4242) ends\n");
  }

  @Test
  void run_replacingARun_saysTheNewOneStartsOnceTheOldHasStopped() throws Exception {
    ScheduleStatus poll = poll();
    ProcessStatus stopping =
        new ProcessStatus(
            "poll", "stopping", 4242L, NOW, 1_000L, 0, null, "stopping to replace the run", null,
            null, "curl -fsS x", spec("poll", "curl -fsS x"));
    daemon.answer(
        started(
            new ScheduleStatus(
                "poll", poll.schedule(), poll.zone(), true, poll.lastFire(), poll.nextFire(),
                stopping),
            true));

    Cli.Result result = daemon.run("schedule", "run", "poll");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "replacing the current run of poll (pid 4242): the new run starts once it has stopped\n");
  }

  @Test
  void run_thatCouldNotStart_exits1() throws Exception {
    ExitInfo launch =
        new ExitInfo(ExitInfo.LAUNCH_FAILED, null, null, NOW, "./backup.sh: not executable");
    ScheduleStatus backup = backup();
    ProcessStatus failed =
        new ProcessStatus(
            "backup", "failed", null, NOW, null, 0, launch, "could not start: not executable",
            null, null, "./backup.sh", spec("backup", "./backup.sh"));
    daemon.answer(
        started(
            new ScheduleStatus(
                "backup", backup.schedule(), backup.zone(), true, backup.lastFire(),
                backup.nextFire(), failed),
            true));

    Cli.Result result = daemon.run("schedule", "run", "backup");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEqualTo("backup: failed (could not start: not executable)\n");
  }

  @Test
  void run_whileRunning_withOverlapSkip_printsTheConflict_andExits1() throws Exception {
    daemon.fail(
        ErrorCode.CONFLICT,
        "poll is running (pid 4242) and its overlap policy is skip; stop it first: sentinel stop poll");

    Cli.Result result = daemon.run("schedule", "run", "poll");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.err()).startsWith("sentinel: poll is running (pid 4242)");
  }

  @Test
  void subcommandJson_printsTheDaemonsResultOnly() throws Exception {
    Map<String, Object> canned = started(poll(), true);
    daemon.answer(canned);

    Cli.Result result = daemon.run("schedule", "run", "--json", "poll");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(Json.parseObject(result.out())).isEqualTo(Json.parseObject(Json.write(canned)));
  }

  // ---- help

  @Test
  void help_documentsBothForms_andTheSubcommands() {
    Cli.Result result = daemon.run("schedule", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .startsWith("Usage: sentinel schedule --name NAME TRIGGER [OPTIONS] --cmd COMMAND\n")
        .contains("sentinel schedule --name NAME TRIGGER [OPTIONS] -- PROGRAM [ARG...]")
        .contains("sentinel schedule COMMAND [NAME]")
        .contains("TRIGGER is one of --cron EXPR, --every DURATION and --at TIME.")
        .contains(
            "--cron=EXPR", "--every=DURATION", "--at=TIME", "--tz=ZONE", "--overlap=POLICY",
            "--catch-up=MODE", "--catch-up-window=DURATION", "--replace")
        .contains("--cmd=COMMAND", "--stop-timeout=DURATION", "--retries=N", "--health-cmd=COMMAND")
        .contains("--max-memory=SIZE", "--env-file=FILE")
        .containsPattern("(?m)^  list +List the scheduled jobs")
        .containsPattern("(?m)^  enable ")
        .containsPattern("(?m)^  disable ")
        .containsPattern("(?m)^  remove ")
        .containsPattern("(?m)^  run +Run a job now")
        .contains("docs/scheduling.md");
  }

  // ---- canned data

  static Map<String, Object> schedule(
      String cron, Long everyMs, String at, String tz, String overlap, String catchUp, long windowMs) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("cron", cron);
    json.put("every_ms", everyMs == null ? null : narrow(everyMs));
    json.put("at", at);
    json.put("tz", tz);
    json.put("overlap", overlap);
    json.put("catch_up", catchUp);
    json.put("catch_up_window_ms", narrow(windowMs));
    return json;
  }

  /** A number as the JSON reader gives it back: an Integer when it fits. */
  private static Object narrow(long n) {
    return n == (int) n ? (Object) (int) n : (Object) n;
  }

  static ProcessSpec spec(String name, String command) {
    return new ProcessSpec(name, command, null, false, "/srv", Map.of(), null, "TERM", 10_000);
  }

  static ProcessStatus stopped(String name) {
    return new ProcessStatus(
        name, "stopped", null, null, null, 0, null, "defined", null, null, "x", spec(name, "x"));
  }

  /** Daily at 02:00 Berlin time; it ran last night and exited with 0. */
  static ScheduleStatus backup() {
    ExitInfo ok = new ExitInfo(ExitInfo.EXITED, 0, null, Instant.parse("2026-11-27T01:00:04Z"), "exited with code 0");
    ProcessStatus process =
        new ProcessStatus(
            "backup", "exited", null, Instant.parse("2026-11-27T01:00:00Z"), null, 0, ok,
            "exited with code 0", null, null, "./backup.sh", spec("backup", "./backup.sh"));
    return new ScheduleStatus(
        "backup", Schedule.cron("0 2 * * *", null), "Europe/Berlin", true,
        Instant.parse("2026-11-27T01:00:00Z"), Instant.parse("2026-11-28T01:00:00Z"), process);
  }

  /** Mondays at 09:00 New York time (14:00 UTC, 15:00 in Berlin); never ran. */
  static ScheduleStatus report() {
    return new ScheduleStatus(
        "report", Schedule.cron("0 9 * * MON", "America/New_York"), "America/New_York", true, null,
        Instant.parse("2026-11-30T14:00:00Z"), stopped("report"));
  }

  /** Every 15 minutes; a run is going. */
  static ScheduleStatus poll() {
    ProcessStatus running =
        new ProcessStatus(
            "poll", "running", 4242L, NOW, 1_000L, 0, null, "started by the schedule", null, null,
            "curl -fsS x", spec("poll", "curl -fsS x"));
    return new ScheduleStatus(
        "poll", Schedule.every(900_000), "Europe/Berlin", true, Instant.parse("2026-11-27T19:45:00Z"),
        Instant.parse("2026-11-27T20:15:00Z"), running);
  }

  /** Once, on 1 December at 09:00 local; enabled or not, its last run was killed. */
  static ScheduleStatus once(boolean enabled) {
    ExitInfo killed = new ExitInfo(ExitInfo.KILLED, null, "KILL", NOW, "killed by SIGKILL");
    ProcessStatus process =
        new ProcessStatus(
            "once", "failed", null, NOW, null, 0, killed, "killed by SIGKILL", null, null,
            "./migrate.sh", spec("once", "./migrate.sh"));
    return new ScheduleStatus(
        "once",
        new Schedule(null, null, "2026-12-01T09:00", null, null, null, Schedule.DEFAULT_CATCH_UP_WINDOW_MS),
        "Europe/Berlin", enabled, null, enabled ? Instant.parse("2026-12-01T08:00:00Z") : null,
        process);
  }

  static Map<String, Object> scheduleResult(ScheduleStatus status) {
    return Map.of("schedule", status.toJson());
  }

  static Map<String, Object> schedulesResult(ScheduleStatus... statuses) {
    return Map.of("schedules", List.of(statuses).stream().map(ScheduleStatus::toJson).toList());
  }

  private static Map<String, Object> changed(ScheduleStatus status, boolean changed) {
    return Map.of("schedule", status.toJson(), "changed", changed);
  }

  private static Map<String, Object> started(ScheduleStatus status, boolean started) {
    return Map.of("schedule", status.toJson(), "started", started);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> argsOf(Map<String, Object> request) {
    return (Map<String, Object>) request.get("args");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
