package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.EventRecord;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.FireTime;
import dev.sentinelzero.protocol.HealthCheck;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ResourceLimits;
import dev.sentinelzero.protocol.Response;
import dev.sentinelzero.protocol.RunRecord;
import dev.sentinelzero.protocol.Schedule;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Warms up every command's classes in the one run that records the AppCDS archive, so that the
 * archive serves all commands and not only the one that happened to run first.
 *
 * <p>bin/sentinel sets {@code -Dsentinel.cds.training=1} on that run (with {@code
 * -XX:ArchiveClassesAtExit}). The JVM writes the archive after the shutdown hooks have run, so a
 * hook that builds the whole command tree, renders every help page, parses sample command lines
 * and formats sample output gets all those classes into it. It prints nothing, talks to nobody,
 * and swallows every failure: the user's command has already finished.
 */
final class CdsTraining implements Runnable {
  static final String PROPERTY = "sentinel.cds.training";

  /** Set by the main thread before the hook starts (Thread.start orders it), read by both. */
  private static boolean installed;

  /**
   * Command lines to parse, at least one for every command and subcommand (a test checks that),
   * with their options.
   */
  static final String[][] SAMPLES = {
    {"start", "--name", "a", "--cmd", "b c", "--env", "A=1", "--stop-timeout", "1m30s"},
    {"start", "--json", "--name", "a", "--shell", "--cwd", "/", "--no-wait", "--", "b", "c"},
    {
      "start", "--name", "a", "--cmd", "b", "--restart", "always", "--success-exit-codes", "0,3",
      "--retries", "unlimited", "--delay", "250ms", "--backoff", "exponential",
      "--backoff-factor", "1.5", "--max-delay", "5m", "--jitter", "0.1", "--min-uptime", "5s",
      "--cooldown", "none"
    },
    {"restart-policy", "--name", "a", "--retries", "3", "--backoff", "fixed", "--cooldown", "1m"},
    {
      "start", "--name", "a", "--cmd", "b", "--health-cmd", "c d", "--health-shell",
      "--health-interval", "10s", "--health-timeout", "2s", "--health-retries", "2",
      "--health-start-period", "1m", "--health-action", "stop"
    },
    {"health", "--name", "a", "--health-tcp", "localhost:1", "--health-action", "none"},
    {"health", "--name", "a", "--health-http", "http://localhost/", "--json"},
    {"health", "--name", "a", "--none"},
    {
      "start", "--name", "a", "--cmd", "b", "--max-memory", "1.5G", "--max-cpu", "150%",
      "--limit-for", "1m", "--limit-action", "log"
    },
    {"limits", "--name", "a", "--max-memory", "512MiB", "--json"},
    {"limits", "--name", "a", "--none"},
    {"logs", "a", "-f", "--tail", "5", "--stderr"},
    {"events", "--name", "a", "--since", "10m", "--limit", "5", "-f", "--json"},
    {"--home", "/tmp", "status", "a"},
    {"stop", "a"},
    {"restart", "a", "--json"},
    {"remove", "a"},
    {"list"},
    {"daemon", "stop", "--json"},
    {"daemon", "start"},
    {"daemon", "status"},
    {"daemon", "run"},
    {
      "schedule", "--name", "a", "--cron", "0 2 * * *", "--tz", "Europe/Berlin", "--overlap",
      "queue", "--catch-up", "none", "--catch-up-window", "2h", "--retries", "2", "--", "b", "c"
    },
    {"schedule", "--name", "a", "--every", "15m", "--replace", "--cmd", "b", "--json"},
    {"schedule", "--name", "a", "--at", "2026-12-01T02:00", "--cmd", "b"},
    {"schedule", "list", "a"},
    {"schedule", "--json", "enable", "a"},
    {"schedule", "disable", "a"},
    {"schedule", "remove", "a"},
    {"schedule", "run", "a"},
    {"upcoming", "a", "--count", "3"},
    {"history", "a", "--limit", "5", "--json"},
  };

  private CdsTraining() {}

  /** Installs the hook when this run records the archive; once, so the hook's own trees don't. */
  static void installIfRequested() {
    if (installed || System.getProperty(PROPERTY) == null) {
      return;
    }
    installed = true;
    Runtime.getRuntime().addShutdownHook(new Thread(new CdsTraining(), "sentinel-cds-training"));
  }

  @Override
  public void run() {
    try {
      exercise();
    } catch (Throwable e) {
      // Only the archive's coverage suffers.
    }
  }

  /** The warm-up itself; throws when a sample no longer parses (a test checks that). */
  static void exercise() throws Exception {
    Context context = Context.system();
    PrintWriter sink = new PrintWriter(new StringWriter());
    CommandLine all = SentinelCommand.commandLine(new String[0], context);
    all.usage(sink);
    for (CommandLine command : all.getSubcommands().values()) {
      command.usage(sink);
      for (CommandLine sub : command.getSubcommands().values()) {
        sub.usage(sink);
      }
    }
    for (String[] args : SAMPLES) {
      SentinelCommand.commandLine(args, context).parseArgs(args);
    }
    ProcessStatus process =
        new ProcessStatus(
            "a", "running", 1L, Instant.EPOCH, 1L, 0, new ExitInfo("exited", 1, null, null, "x"),
            "r", 1.0, 1L, "b", new ProcessSpec("a", "b", null, false, "/", Map.of(), null, null, 1));
    Map<String, Object> json = process.toJson();
    ProcessView.table(List.of(ProcessStatus.fromJson(json)), sink);
    ProcessView.details(process, context.clock(), sink);
    ProcessStatus backoff =
        new ProcessStatus(
            "a", "backoff", null, Instant.EPOCH, null, 1, null, "r", null, null, "b",
            process.spec(), ProcessStatus.REASON_RESTARTING, Instant.EPOCH.plusSeconds(3), 2);
    ProcessView.details(ProcessStatus.fromJson(backoff.toJson()), context.clock(), sink);
    Map<String, Object> early = new java.util.LinkedHashMap<>();
    early.put("process", backoff.toJson());
    early.put("early_exit", Map.of("exit", process.lastExit().toJson(), "ran_ms", 12));
    early.put("adjusted", Map.of("max_delay_ms", Map.of("from", 300_000, "to", 600_000)));
    sink.println(StartCommand.earlyFailure(early, backoff));
    sink.println(RestartPolicyOptions.adjustedNote(early));
    HealthCheck check = new HealthCheck("cmd", "c", false, 30_000, 5_000, 3, 0, "restart");
    ProcessStatus unhealthy =
        new ProcessStatus(
            "a", "running", 1L, Instant.EPOCH, 1L, 0, null, "r", null, null, "b",
            process.spec().withHealth(check), ProcessStatus.REASON_MANUAL, null, null,
            "unhealthy", "x\ny");
    ProcessStatus checked = ProcessStatus.fromJson(unhealthy.toJson());
    ProcessView.table(List.of(checked), sink);
    ProcessView.details(checked, context.clock(), sink);
    ResourceLimits limits = new ResourceLimits(512L << 20, 150.0, 30_000, ResourceLimits.RESTART);
    ProcessStatus limited =
        new ProcessStatus(
            "a", "running", 1L, Instant.EPOCH, 1L, 0, null, "r", null, null, "b",
            process.spec().withLimits(limits), ProcessStatus.REASON_MANUAL, null, null, null, null);
    ProcessView.details(ProcessStatus.fromJson(limited.toJson()), context.clock(), sink);
    Response.parse(Json.write(new Response.Ok("1", Map.of("processes", List.of(json))).toJson()));
    for (String since : new String[] {"2026-11-27T10:00:00Z", "2026-11-27 10:00", "2026-11-27"}) {
      EventsCommand.since(since, context.clock());
    }
    EventRecord state =
        new EventRecord(1, Instant.EPOCH, "a", "failed", "gave up", Map.of("pid", 1L));
    EventRecord request =
        new EventRecord(
            2, Instant.EPOCH, "a", "request", "",
            Map.of("user", "u", "command", "stop", "args", Map.of("name", "a"), "outcome", "ok"));
    for (EventRecord event : new EventRecord[] {state, request}) {
      EventRecord parsed = EventRecord.fromJson(Json.parseObject(Json.write(event.toJson())));
      sink.println(EventsCommand.line(parsed, context.clock().getZone()));
    }
    sink.println(Json.writePretty(json));
    scheduleViews(process, context, sink);
  }

  /** The schedule, list, upcoming and history renderings, through the JSON the daemon sends. */
  private static void scheduleViews(ProcessStatus process, Context context, PrintWriter sink)
      throws Exception {
    ZoneId zone = context.clock().getZone();
    Instant next = Instant.EPOCH.plusSeconds(86_400);
    ScheduleStatus cron =
        new ScheduleStatus(
            "a", Schedule.cron("0 2 * * *", "America/New_York"), "America/New_York", true,
            Instant.EPOCH, next, process);
    ScheduleStatus every =
        new ScheduleStatus("b", Schedule.every(60_000), "UTC", false, null, null, process);
    Map<String, Object> schedules =
        Map.of("schedules", List.of(cron.toJson(), every.toJson()));
    Response.parse(Json.write(new Response.Ok("1", schedules).toJson()));
    List<ScheduleStatus> parsed = ScheduleView.schedules(schedules);
    sink.println(ScheduleView.scheduled(parsed.get(0), zone));
    ScheduleView.table(parsed, zone, sink);
    FireTime fire =
        new FireTime(
            "a", next, next.atZone(zone).toOffsetDateTime(), "America/New_York",
            next.atZone(ZoneId.of("America/New_York")).toOffsetDateTime());
    ScheduleView.upcoming(ScheduleView.fires(Map.of("fires", List.of(fire.toJson()))), zone, sink);
    RunRecord done =
        new RunRecord(
            1, "a", RunRecord.CATCH_UP, Instant.EPOCH, next, next.plusSeconds(3), 1L,
            new ExitInfo("exited", 0, null, null, "x"));
    RunRecord running =
        new RunRecord(2, "a", RunRecord.MANUAL, null, next, null, 2L, null);
    ScheduleView.history(
        ScheduleView.runs(Map.of("runs", List.of(done.toJson(), running.toJson()))),
        context.clock(),
        sink);
  }
}
