package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Schedule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code sentinel schedule}: defines a scheduled job, and (as subcommands) lists, enables,
 * disables, removes and runs them.
 *
 * <p>A definition sends what a defining {@code start} sends (the process's fields from {@link
 * ProcessOptions}, and {@code replace}) plus {@code schedule}, a {@link Schedule} in its JSON
 * form. Durations ({@code --every}, {@code --catch-up-window}) are read here like every other
 * duration of the CLI; the cron expression, the {@code --at} time and the zone go as typed, since
 * only the daemon parses them and its answer names the bad part. The shape (exactly one trigger,
 * nothing empty) is checked here with {@link Schedule#fromJson}, the same check the daemon makes.
 *
 * <p>A job's restart policy is {@code never} unless a restart-policy option is given, so the
 * request carries {@code restart} only then, as {@code start} does.
 */
@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    synopsisSubcommandLabel = "COMMAND",
    description = {
      "Run a command on a schedule (cron, interval or once), or list, enable, disable, remove or"
          + " run scheduled jobs.",
      "TRIGGER is one of --cron EXPR, --every DURATION and --at TIME. Each run is the process"
          + " NAME: sentinel status, logs and stop work on it.",
    },
    customSynopsis = {
      "sentinel schedule --name NAME TRIGGER [OPTIONS] --cmd COMMAND",
      "sentinel schedule --name NAME TRIGGER [OPTIONS] -- PROGRAM [ARG...]",
      "sentinel schedule COMMAND [NAME]",
    },
    footer = {
      "",
      "Examples:",
      "  sentinel schedule --name backup --cron '0 2 * * *' -- ./backup.sh",
      "  sentinel schedule --name poll --every 15m --cmd 'curl -fsS localhost/poll'",
      "  sentinel schedule --name report --cron @weekly --tz America/New_York -- ./r",
      "  sentinel schedule --name migrate --at 2026-12-01T09:00 -- ./migrate.sh",
      "  sentinel schedule list; sentinel upcoming; sentinel history backup",
      "",
      "A cron expression has 5 fields (minute hour day-of-month month day-of-week), or 6"
          + " with leading seconds, or is a macro: @yearly, @monthly, @weekly, @daily, @hourly,"
          + " or @reboot (when the daemon starts). Quote it.",
      "--at TIME is a local time in --tz, or has Z or an offset like +01:00.",
      "The daemon checks the expression, time and zone, and says what is wrong.",
      ProcessOptions.DURATIONS_HELP,
      "Without restart-policy options a failed run waits for the next fire time (policy never);"
          + " with them it is retried under that policy, the options not given taking start's"
          + " defaults.",
      ProcessOptions.HEALTH_HELP,
      ProcessOptions.LIMITS_HELP,
      ProcessOptions.ENV_FILE_HELP,
      "More: docs/scheduling.md (cron, daylight saving time, missed runs)."
    })
final class ScheduleCommand extends ClientCommand {
  /** The subcommands, in the order help lists them. */
  static final String SUBCOMMANDS = "list, enable, disable, remove or run";

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The job's name, also the name of the process each run is.")
  String name;

  @Option(
      names = "--cron",
      paramLabel = "EXPR",
      description = "Run at the times of a cron expression, e.g. \"0 2 * * *\" or @daily.")
  String cron;

  @Option(
      names = "--every",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Run every DURATION (100ms or more), counted from when the job is made.")
  Duration every;

  @Option(
      names = "--at",
      paramLabel = "TIME",
      description = "Run once, at TIME: 2026-12-01T02:00 (in --tz), or with Z or an offset.")
  String at;

  @Option(
      names = "--tz",
      paramLabel = "ZONE",
      description = "The time zone of --cron and --at, e.g. Europe/Berlin (default: the system's).")
  String tz;

  @Option(
      names = "--overlap",
      paramLabel = "POLICY",
      converter = OverlapConverter.class,
      description =
          "A fire time that comes while a run is going: skip it, queue one run for after it,"
              + " replace the run (stop it, then start), or allow a second run (default: skip).")
  String overlap;

  @Option(
      names = "--catch-up",
      paramLabel = "MODE",
      converter = CatchUpConverter.class,
      description =
          "Fire times missed while the machine slept or the daemon was down: once runs the"
              + " latest one, if within --catch-up-window; none drops them (default: once).")
  String catchUp;

  @Option(
      names = "--catch-up-window",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How old a missed fire time may be and still be caught up (default: 1d).")
  Duration catchUpWindow;

  @Option(
      names = "--replace",
      description =
          "Replace an existing job or process named NAME; a job keeps its history and last fire"
              + " time, and a run in progress goes on.")
  boolean replace;

  @Mixin ProcessOptions process;

  @Parameters(
      paramLabel = "PROGRAM ARG",
      arity = "0..*",
      description = "(after --) The program and its arguments.")
  List<String> positional;

  ScheduleCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    ProcessOptions.Words words = ProcessOptions.Words.of(positional, spec);
    if (!words.beforeDashes().isEmpty()) {
      throw unexpected(words.beforeDashes().get(0));
    }
    if (name == null) {
      if (!anyOption() && words.argv() == null) {
        throw usage(
            "give a job to schedule (sentinel schedule --name NAME --cron EXPR --cmd COMMAND) or a"
                + " command: "
                + SUBCOMMANDS
                + " (see: sentinel schedule --help)");
      }
      throw usage(
          "give the job's name with --name (sentinel schedule --name NAME --cron EXPR --cmd"
              + " COMMAND)");
    }
    Schedule schedule = schedule();
    Map<String, Object> args = process.definition(name, words.argv(), context);
    args.put("replace", replace);
    args.put("schedule", schedule.toJson());
    // No timeout: replacing a process that runs stops it first, which takes up to its stop timeout.
    Map<String, Object> result = request(Commands.SCHEDULE, args, 0);
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    out().println(ScheduleView.scheduled(ScheduleView.schedule(result), context.clock().getZone()));
    String note = RestartPolicyOptions.adjustedNote(result);
    if (note != null) {
      out().println(note);
    }
    out().flush();
    return ExitCodes.OK;
  }

  /**
   * The schedule as given, checked for its shape as the daemon checks it (exactly one trigger, no
   * empty expression, time or zone); what the expression, time or zone mean is the daemon's to say.
   */
  private Schedule schedule() throws ProtocolException {
    if (every != null && every.toMillis() < Schedule.MIN_EVERY_MS) {
      throw usage(
          "--every "
              + Units.exactDuration(every.toMillis())
              + " is too short: at least "
              + Units.exactDuration(Schedule.MIN_EVERY_MS)
              + " (for a process that runs all the time use sentinel start)");
    }
    if (every != null && every.toMillis() > Schedule.MAX_MS) {
      throw usage("--every " + Units.exactDuration(every.toMillis()) + " is too long: at most ten years");
    }
    if (catchUpWindow != null && catchUpWindow.toMillis() > Schedule.MAX_MS) {
      throw usage(
          "--catch-up-window " + Units.exactDuration(catchUpWindow.toMillis()) + " is too long: at most ten years");
    }
    Schedule given =
        new Schedule(
            cron,
            every == null ? null : every.toMillis(),
            at,
            tz,
            overlap,
            catchUp,
            catchUpWindow == null ? Schedule.DEFAULT_CATCH_UP_WINDOW_MS : catchUpWindow.toMillis());
    return Schedule.fromJson(given.toJson());
  }

  private boolean anyOption() {
    return cron != null
        || every != null
        || at != null
        || tz != null
        || overlap != null
        || catchUp != null
        || catchUpWindow != null
        || replace
        || process.given()
        || process.restartPolicy.given()
        || process.health.given()
        || process.limits.given();
  }

  /** A word before {@code --}: a mistyped command, or a program that belongs after {@code --}. */
  private ProtocolException unexpected(String word) {
    if (name == null && !anyOption()) {
      return usage(
          "unknown command '"
              + word
              + "': use "
              + SUBCOMMANDS
              + ", or define a job with sentinel schedule --name NAME --cron EXPR --cmd COMMAND"
              + " (see: sentinel schedule --help)");
    }
    if (cron != null && !cron.contains(" ") && !cron.startsWith("@")) {
      return usage(
          "unexpected argument '"
              + word
              + "': quote the cron expression, as in --cron '0 2 * * *' (and put a program with"
              + " arguments after --)");
    }
    return usage(
        "unexpected argument '"
            + word
            + "': put the program and its arguments after --, as in sentinel schedule --name "
            + (name == null ? "NAME" : OptionEcho.shellQuote(name))
            + " TRIGGER -- PROGRAM ARG...");
  }

  // ---- converters: each checks one value and names what it accepts

  static final class OverlapConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (value.equals(Schedule.SKIP)
          || value.equals(Schedule.QUEUE)
          || value.equals(Schedule.REPLACE)
          || value.equals(Schedule.ALLOW)) {
        return value;
      }
      throw new TypeConversionException(
          "'" + value + "' is not an overlap policy: use skip, queue, replace or allow");
    }
  }

  static final class CatchUpConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (value.equals(Schedule.CATCH_UP_ONCE) || value.equals(Schedule.CATCH_UP_NONE)) {
        return value;
      }
      throw new TypeConversionException("'" + value + "' is not a catch-up mode: use once or none");
    }
  }
}
