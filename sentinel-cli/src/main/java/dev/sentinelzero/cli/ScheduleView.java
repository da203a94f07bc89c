package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.FireTime;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RunRecord;
import dev.sentinelzero.protocol.Schedule;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How scheduled jobs, fire times and runs read as text: the line {@code schedule} prints, the
 * table of {@code schedule list}, the lines of {@code upcoming} and the table of {@code history}.
 *
 * <p>Times are shown on the CLI's clock ({@link Context#clock}'s zone, "local"), like {@code
 * events} shows them; a job whose zone reads another wall time also shows that one, because its
 * cron expression or {@code --at} time is written in it. Times are cut to the second (a fire time
 * of an interval job may carry milliseconds); without {@code DateTimeFormatter}, whose first use
 * costs more start-up time than the whole rendering.
 */
final class ScheduleView {
  private static final String[] LIST_HEADER = {"NAME", "TRIGGER", "NEXT", "LAST", "STATE"};
  private static final String[] HISTORY_HEADER = {"STARTED", "ENDED", "DURATION", "RESULT", "REASON"};
  private static final String NONE = "-";

  /** A run that started this much after its fire time shows the fire time too. */
  static final long LATE_MS = 1_000;

  private ScheduleView() {}

  // ---- the daemon's answers

  /** The {@code schedule} object of a {@code schedule}, {@code enable}, {@code disable} or {@code run} result. */
  @SuppressWarnings("unchecked")
  static ScheduleStatus schedule(Map<String, Object> result) throws ProtocolException {
    Object value = result.get("schedule");
    if (!(value instanceof Map)) {
      throw malformed("no \"schedule\" object");
    }
    return parse(() -> ScheduleStatus.fromJson((Map<String, Object>) value), "a schedule");
  }

  /** The {@code schedules} array of a {@code schedule.list} result. */
  static List<ScheduleStatus> schedules(Map<String, Object> result) throws ProtocolException {
    List<ScheduleStatus> out = new ArrayList<>();
    for (Map<String, Object> item : objects(result, "schedules")) {
      out.add(parse(() -> ScheduleStatus.fromJson(item), "a schedule"));
    }
    return out;
  }

  /** The {@code fires} array of an {@code upcoming} result. */
  static List<FireTime> fires(Map<String, Object> result) throws ProtocolException {
    List<FireTime> out = new ArrayList<>();
    for (Map<String, Object> item : objects(result, "fires")) {
      out.add(parse(() -> FireTime.fromJson(item), "a fire time"));
    }
    return out;
  }

  /** The {@code runs} array of a {@code history} result. */
  static List<RunRecord> runs(Map<String, Object> result) throws ProtocolException {
    List<RunRecord> out = new ArrayList<>();
    for (Map<String, Object> item : objects(result, "runs")) {
      out.add(parse(() -> RunRecord.fromJson(item), "a run"));
    }
    return out;
  }

  // ---- schedule, schedule list

  /**
   * What {@code schedule} prints: {@code scheduled backup: cron 0 2 * * * (Europe/Berlin), next
   * run 2026-11-28 02:00 +01:00}.
   */
  static String scheduled(ScheduleStatus s, ZoneId local) {
    return "scheduled " + s.name() + ": " + trigger(s, null) + ", " + nextRun(s, local);
  }

  /**
   * The trigger for people, e.g. {@code cron 0 2 * * *}, {@code every 15m}, {@code at
   * 2026-12-01T02:00}, followed by {@code (ZONE)} when the trigger is read in a zone (a cron
   * expression, an {@code --at} time without an offset) and that zone is not {@code unless}.
   *
   * @param unless a zone not to name (the local one, in a table), or null to always name it
   */
  static String trigger(ScheduleStatus s, ZoneId unless) {
    Schedule schedule = s.schedule();
    String text = schedule.triggerText();
    boolean zoned = schedule.cron() != null || (schedule.at() != null && !hasOffset(schedule.at()));
    if (!zoned || s.zone() == null || (unless != null && unless.getId().equals(s.zone()))) {
      return text;
    }
    return text + " (" + s.zone() + ")";
  }

  /**
   * The next run in a few words: {@code next run 2026-11-28 02:00 +01:00}, with the wall time in
   * the job's zone when that differs ({@code next run 2026-11-28 08:00 +01:00 (2026-11-28 02:00
   * -05:00 in America/New_York)}), or why there is none.
   */
  static String nextRun(ScheduleStatus s, ZoneId local) {
    if (s.nextFire() != null) {
      OffsetDateTime here = s.nextFire().atZone(local).toOffsetDateTime();
      String text = "next run " + minutesWithOffset(here);
      OffsetDateTime there = inZone(s.nextFire(), s.zone());
      if (there != null && !sameWallTime(here, there)) {
        text += " (" + minutesWithOffset(there) + " in " + s.zone() + ")";
      }
      return text;
    }
    if (!s.enabled()) {
      return "disabled (sentinel schedule enable " + OptionEcho.shellQuote(s.name()) + " turns it on)";
    }
    if (isReboot(s.schedule())) {
      return "runs when the daemon starts";
    }
    return s.schedule().at() != null ? "no next run (it ran at its time)" : "no next run";
  }

  /**
   * The table of {@code schedule list}: name, trigger (its zone when not the local one), next fire
   * time or {@code disabled}, last fire time, and the state of its process with the last exit or
   * the pid.
   */
  static void table(List<ScheduleStatus> schedules, ZoneId local, PrintWriter out) {
    if (schedules.isEmpty()) {
      out.println(
          "no scheduled jobs; make one with: sentinel schedule --name NAME --cron \"0 2 * * *\""
              + " --cmd \"COMMAND\"");
      out.flush();
      return;
    }
    List<String[]> rows = new ArrayList<>();
    for (ScheduleStatus s : schedules) {
      rows.add(
          new String[] {
            s.name(),
            trigger(s, local),
            next(s, local),
            s.lastFire() == null ? NONE : minutes(s.lastFire(), local),
            state(s.process())
          });
    }
    Text.table(LIST_HEADER, rows, out);
  }

  private static String next(ScheduleStatus s, ZoneId local) {
    if (!s.enabled()) {
      return "disabled";
    }
    if (s.nextFire() != null) {
      return minutes(s.nextFire(), local);
    }
    return isReboot(s.schedule()) ? "at daemon start" : NONE;
  }

  /** {@code running (pid 4242)}, {@code exited (code 0)}, {@code failed (SIGKILL)}, {@code stopped}. */
  static String state(ProcessStatus p) {
    if (p == null) {
      return NONE;
    }
    if (p.pid() != null) {
      return p.state() + " (pid " + p.pid() + ")";
    }
    if (p.lastExit() != null) {
      return p.state() + " (" + ProcessView.shortExit(p.lastExit()) + ")";
    }
    return p.state();
  }

  // ---- upcoming

  /**
   * One line per fire time, soonest first as the daemon sent them: local time with its offset,
   * UTC, the job, and the wall time in the job's zone when it differs from the local one: {@code
   * 2026-11-28 02:00:00 +01:00  2026-11-28 01:00:00Z  backup}.
   */
  static void upcoming(List<FireTime> fires, ZoneId local, PrintWriter out) {
    List<String[]> rows = new ArrayList<>();
    for (FireTime fire : fires) {
      OffsetDateTime here = fire.at().atZone(local).toOffsetDateTime();
      String utc = seconds(LocalDateTime.ofInstant(fire.at(), ZoneOffset.UTC)) + "Z";
      OffsetDateTime there = fire.inZone();
      if (there == null || sameWallTime(here, there)) {
        rows.add(new String[] {secondsWithOffset(here), utc, fire.name()});
      } else {
        rows.add(
            new String[] {
              secondsWithOffset(here), utc, fire.name(), secondsWithOffset(there) + " " + fire.zone()
            });
      }
    }
    Text.rows(rows, out);
  }

  // ---- history

  /**
   * The table of {@code history}, oldest run first: when it started (local), when it ended (the
   * time only when on the same day) or {@code running}, how long it ran (so far, on {@code clock},
   * while it runs), how it ended, and why it started, with the fire time it was due at when it
   * started more than {@link #LATE_MS} later.
   */
  static void history(List<RunRecord> runs, Clock clock, PrintWriter out) {
    ZoneId local = clock.getZone();
    List<String[]> rows = new ArrayList<>();
    for (RunRecord run : runs) {
      LocalDateTime started = LocalDateTime.ofInstant(run.startedAt(), local);
      String ended;
      long ms;
      if (run.endedAt() == null) {
        ended = "running";
        ms = clock.millis() - run.startedAt().toEpochMilli();
      } else {
        ended = sameDayTime(run.endedAt(), started, local);
        ms = run.durationMs();
      }
      String reason = run.reason() == null || run.reason().isEmpty() ? NONE : run.reason();
      if (run.scheduledFor() != null
          && run.startedAt().toEpochMilli() - run.scheduledFor().toEpochMilli() > LATE_MS) {
        reason += " (due " + sameDayTime(run.scheduledFor(), started, local) + ")";
      }
      rows.add(
          new String[] {
            seconds(started), ended, runDuration(ms), result(run), reason
          });
    }
    Text.table(HISTORY_HEADER, rows, out);
  }

  /** How a run ended: {@code exit 0}, {@code SIGKILL}, {@code could not start}, {@code unknown}; {@code -} while it runs. */
  static String result(RunRecord run) {
    ExitInfo exit = run.exit();
    if (exit == null) {
      return run.endedAt() == null ? NONE : "unknown";
    }
    switch (exit.kind()) {
      case ExitInfo.EXITED:
        return exit.code() == null ? "exited" : "exit " + exit.code();
      case ExitInfo.KILLED:
        return exit.signal() == null ? "killed" : "SIG" + exit.signal();
      case ExitInfo.LAUNCH_FAILED:
        return "could not start";
      default:
        return "unknown";
    }
  }

  /**
   * A run's length: {@code 350ms} under a second, {@code 1.2s} under a minute, then as {@link
   * Units#duration} ({@code 3m04s}, {@code 1h02m}).
   */
  static String runDuration(long ms) {
    if (ms < 0) {
      ms = 0;
    }
    if (ms < 1_000) {
      return ms + "ms";
    }
    long tenths = (ms + 50) / 100;
    if (tenths < 600) {
      return tenths / 10 + "." + tenths % 10 + "s";
    }
    return Units.duration(Math.max(ms, 60_000)); // 59.95 s rounds up to 1m00s
  }

  // ---- times

  /** {@code 2026-11-28 02:00} in {@code zone}, with {@code :05} when the seconds are not zero. */
  static String minutes(Instant at, ZoneId zone) {
    return minutes(LocalDateTime.ofInstant(at, zone));
  }

  private static String minutes(LocalDateTime t) {
    String text = t.toLocalDate() + " " + Units.twoDigits(t.getHour()) + ":" + Units.twoDigits(t.getMinute());
    return t.getSecond() == 0 ? text : text + ":" + Units.twoDigits(t.getSecond());
  }

  /** {@code 2026-11-28 02:00:05}. */
  static String seconds(LocalDateTime t) {
    return t.toLocalDate()
        + " "
        + Units.twoDigits(t.getHour())
        + ":"
        + Units.twoDigits(t.getMinute())
        + ":"
        + Units.twoDigits(t.getSecond());
  }

  private static String minutesWithOffset(OffsetDateTime t) {
    return minutes(t.toLocalDateTime()) + " " + offset(t.getOffset());
  }

  private static String secondsWithOffset(OffsetDateTime t) {
    return seconds(t.toLocalDateTime()) + " " + offset(t.getOffset());
  }

  /** {@code +01:00}; UTC as {@code +00:00} rather than {@code Z}, so local columns keep their width. */
  static String offset(ZoneOffset offset) {
    return offset.getTotalSeconds() == 0 ? "+00:00" : offset.getId();
  }

  /** {@code 02:03:09} when {@code at} falls on the same local day as {@code day}, else with the date. */
  private static String sameDayTime(Instant at, LocalDateTime day, ZoneId zone) {
    LocalDateTime t = LocalDateTime.ofInstant(at, zone);
    String full = seconds(t);
    return t.toLocalDate().equals(day.toLocalDate()) ? full.substring(11) : full;
  }

  private static boolean sameWallTime(OffsetDateTime a, OffsetDateTime b) {
    return a.toLocalDateTime().withNano(0).equals(b.toLocalDateTime().withNano(0))
        && a.getOffset().equals(b.getOffset());
  }

  /** The instant on the clock of the job's zone, or null when the zone is not one this JVM knows. */
  private static OffsetDateTime inZone(Instant at, String zone) {
    if (zone == null) {
      return null;
    }
    try {
      return at.atZone(ZoneId.of(zone)).toOffsetDateTime();
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static boolean isReboot(Schedule schedule) {
    return schedule.cron() != null && schedule.cron().strip().equalsIgnoreCase("@reboot");
  }

  /** Whether an {@code --at} time carries its own offset ({@code Z}, {@code +01:00}, {@code -05:00}). */
  private static boolean hasOffset(String at) {
    String t = at.strip();
    if (t.endsWith("Z") || t.endsWith("z")) {
      return true;
    }
    int time = t.indexOf('T');
    return time > 0 && (t.indexOf('+', time) > 0 || t.indexOf('-', time) > 0);
  }

  // ---- reading

  private interface Reader<T> {
    T read() throws ProtocolException;
  }

  private static <T> T parse(Reader<T> reader, String what) throws ProtocolException {
    try {
      return reader.read();
    } catch (DateTimeException e) {
      throw malformed(what + " with a malformed time (" + e.getMessage() + ")");
    } catch (ProtocolException e) {
      throw malformed(what + " that cannot be read (" + e.getMessage() + ")");
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> objects(Map<String, Object> result, String key)
      throws ProtocolException {
    Object value = result.get(key);
    if (!(value instanceof List)) {
      throw malformed("no \"" + key + "\" array");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object item : (List<Object>) value) {
      if (!(item instanceof Map)) {
        throw malformed("an item of \"" + key + "\" that is not an object");
      }
      out.add((Map<String, Object>) item);
    }
    return out;
  }

  private static ProtocolException malformed(String what) {
    return new ProtocolException(
        ErrorCode.INTERNAL,
        "the daemon's answer has " + what + "; are the CLI and daemon the same version?");
  }
}
