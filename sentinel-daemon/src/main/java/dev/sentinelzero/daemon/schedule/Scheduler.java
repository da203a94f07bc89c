package dev.sentinelzero.daemon.schedule;

import dev.sentinelzero.protocol.RunRecord;
import dev.sentinelzero.protocol.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Which scheduled jobs fire when: the bookkeeping of every job's next fire time against the wall
 * clock. It decides; the supervisor carries the fires out (overlap, runs) and stores what changed.
 * No clock inside: every call is given the current wall-clock time, so tests pass any instant.
 *
 * <p>How it stays on time. Each next fire time is computed from the trigger and the wall clock
 * ({@link Trigger#nextAfter}), never by adding up delays. The caller wakes it at the next fire
 * time but at least every {@link #TICK}: a delay on a {@code ScheduledExecutorService} counts
 * monotonic time, which on macOS stops while the machine sleeps, so a wake-up planned before a
 * sleep could come late by the length of the sleep; the tick bounds that to one second. On each
 * call:
 *
 * <ul>
 *   <li>A fire time that passed at most {@link #TOLERANCE} ago is on time (reason {@code
 *       schedule}). Further fire times that have also passed by then are folded into it: a job is
 *       never started twice in a burst.
 *   <li>A fire time that passed longer ago was missed (the machine slept, the clock jumped, the
 *       daemon was down): {@link CatchUp} decides whether to run once (reason {@code catch-up}).
 *   <li>The wall clock went back (an NTP step, a user setting it): an interval job re-plans from
 *       the new time; a cron job keeps its next fire time, so a time it already ran at is not run
 *       again, unless the clock went back more than {@link #LARGE_STEP_BACK} (then it re-plans, as
 *       cronie does); a one-time job that has run never runs again.
 * </ul>
 *
 * <p>Thread: owned by the supervisor thread, like the rest of the supervisor's state.
 */
public final class Scheduler {
  /** The longest the caller should wait between two calls of {@link #due}. */
  public static final Duration TICK = Duration.ofSeconds(1);
  /** How late a fire time may be noticed and still count as on time. */
  public static final Duration TOLERANCE = Duration.ofSeconds(2);
  /** A step back of the wall clock larger than this re-plans cron jobs too. */
  public static final Duration LARGE_STEP_BACK = Duration.ofHours(3);

  /** A fire the caller should act on. */
  public record Fire(String name, Instant scheduledFor, String reason) {}

  /** One job's bookkeeping. */
  private static final class Job {
    final String name;
    Schedule schedule;
    Trigger trigger;
    ZoneId zone;
    boolean enabled;
    Instant lastFire;
    Instant checkedUntil;
    Instant nextFire;
    /** It fired: its next fire time is to be computed after {@code checkedUntil} ({@link #advance}). */
    boolean stale;

    Job(String name) {
      this.name = name;
    }
  }

  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private Instant lastCall;

  /**
   * The trigger a schedule defines.
   *
   * @param anchor where an interval's grid starts
   * @param systemZone the machine's zone, for a schedule without {@code tz}
   * @throws ScheduleException naming the bad part of an expression, time or zone
   */
  public static Trigger trigger(Schedule schedule, Instant anchor, ZoneId systemZone) throws ScheduleException {
    ZoneId zone = zone(schedule, systemZone);
    if (schedule.cron() != null) {
      return Trigger.parseCron(schedule.cron(), zone);
    }
    if (schedule.everyMs() != null) {
      return new Trigger.Every(Duration.ofMillis(schedule.everyMs()), anchor);
    }
    return Trigger.parseAt(schedule.at(), zone);
  }

  /** The zone a schedule's times are read in: its own, or the machine's. */
  public static ZoneId zone(Schedule schedule, ZoneId systemZone) throws ScheduleException {
    return schedule.tz() == null ? systemZone : Trigger.parseZone(schedule.tz());
  }

  /**
   * Adds or replaces a job. Its next fire time is the first after {@code max(checkedUntil, now)}:
   * missed ones are the business of {@link #catchUp}.
   */
  public void put(
      String name, Schedule schedule, Trigger trigger, ZoneId zone, boolean enabled, Instant lastFire,
      Instant checkedUntil, Instant now) {
    Job job = jobs.computeIfAbsent(name, Job::new);
    job.schedule = schedule;
    job.trigger = trigger;
    job.zone = zone;
    job.enabled = enabled;
    job.lastFire = lastFire;
    job.checkedUntil = checkedUntil;
    job.nextFire = enabled ? trigger.nextAfter(later(checkedUntil, now)).orElse(null) : null;
  }

  public void remove(String name) {
    jobs.remove(name);
  }

  public boolean has(String name) {
    return jobs.containsKey(name);
  }

  public Collection<String> names() {
    return List.copyOf(jobs.keySet());
  }

  /**
   * Turns a job on or off. Fire times that passed while it was off are not caught up: it carries
   * on from {@code now}.
   *
   * @return whether it changed
   */
  public boolean setEnabled(String name, boolean enabled, Instant now) {
    advance();
    Job job = require(name);
    if (job.enabled == enabled) {
      return false;
    }
    job.enabled = enabled;
    job.checkedUntil = later(job.checkedUntil, now);
    job.nextFire = enabled ? job.trigger.nextAfter(job.checkedUntil).orElse(null) : null;
    return true;
  }

  /**
   * At daemon start: the fires of {@code @reboot} jobs, and for each other enabled job the one
   * missed fire time its catch-up setting asks for (fire times that passed while the daemon was
   * down).
   */
  public List<Fire> atStart(Instant now) {
    lastCall = now;
    List<Fire> fires = new ArrayList<>();
    for (Job job : jobs.values()) {
      if (!job.enabled) {
        continue;
      }
      if (job.trigger instanceof Trigger.Reboot) {
        fires.add(new Fire(job.name, now, RunRecord.SCHEDULE));
        job.lastFire = now;
        job.checkedUntil = now;
        continue;
      }
      if (job.checkedUntil.isAfter(now.plus(TICK))) {
        // Dealt with up to a time still to come: the clock went back while the daemon was down.
        steppedBack(job, now, Duration.between(now, job.checkedUntil));
      }
      catchUp(job, now).ifPresent(fires::add);
    }
    return fires;
  }

  /**
   * The fires due at {@code now}. Call it when the earliest {@link #nextWake} comes, and at least
   * every {@link #TICK}; then {@link #advance} once the fires are under way. (Computing a cron
   * job's next fire time takes up to a millisecond or two; the run should not wait for it.)
   */
  public List<Fire> due(Instant now) {
    advance(); // in case the caller did not
    Instant previous = lastCall;
    lastCall = now;
    if (previous != null && now.isBefore(previous.minus(TICK))) {
      steppedBack(now, Duration.between(now, previous));
    }
    List<Fire> fires = new ArrayList<>();
    for (Job job : jobs.values()) {
      if (!job.enabled || job.nextFire == null || job.nextFire.isAfter(now)) {
        continue;
      }
      if (Duration.between(job.nextFire, now).compareTo(TOLERANCE) > 0) {
        catchUp(job, now).ifPresent(fires::add);
        continue;
      }
      Instant at = job.nextFire;
      fires.add(new Fire(job.name, at, RunRecord.SCHEDULE));
      job.lastFire = at;
      job.checkedUntil = later(at, now); // later fire times that passed meanwhile fold into this one
      job.nextFire = null;
      job.stale = true;
    }
    return fires;
  }

  /** Computes the next fire time of each job that fired in the last {@link #due}. */
  public void advance() {
    for (Job job : jobs.values()) {
      if (job.stale) {
        job.stale = false;
        job.nextFire = job.enabled ? job.trigger.nextAfter(job.checkedUntil).orElse(null) : null;
      }
    }
  }

  /** The missed fire to run for {@code job}, if any; its next fire time is planned from now. */
  private Optional<Fire> catchUp(Job job, Instant now) {
    CatchUp.Mode mode =
        Schedule.CATCH_UP_NONE.equals(job.schedule.catchUp()) ? CatchUp.Mode.NONE : CatchUp.Mode.ONCE;
    Optional<Instant> missed =
        CatchUp.decide(
            mode, Duration.ofMillis(job.schedule.catchUpWindowMs()), job.checkedUntil, now, job.trigger);
    job.checkedUntil = later(job.checkedUntil, now);
    job.nextFire = job.trigger.nextAfter(job.checkedUntil).orElse(null);
    if (missed.isEmpty()) {
      return Optional.empty();
    }
    job.lastFire = missed.get();
    return Optional.of(new Fire(job.name, missed.get(), RunRecord.CATCH_UP));
  }

  private void steppedBack(Instant now, Duration by) {
    for (Job job : jobs.values()) {
      if (job.enabled) {
        steppedBack(job, now, by);
      }
    }
  }

  private static void steppedBack(Job job, Instant now, Duration by) {
    if (job.trigger instanceof Trigger.At) {
      return; // a one-time job keeps its time: once it has run, it never runs again
    }
    if (job.trigger instanceof Trigger.Every || by.compareTo(LARGE_STEP_BACK) > 0) {
      job.checkedUntil = now;
      job.nextFire = job.trigger.nextAfter(now).orElse(null);
    }
  }

  /** How long until the next call of {@link #due} should come: the next fire time, at most a tick. */
  public Duration nextWake(Instant now) {
    advance();
    Duration wake = TICK;
    for (Job job : jobs.values()) {
      if (job.enabled && job.nextFire != null) {
        Duration until = Duration.between(now, job.nextFire);
        if (until.compareTo(wake) < 0) {
          wake = until.isNegative() ? Duration.ZERO : until;
        }
      }
    }
    return wake;
  }

  /**
   * Whether any enabled job has a fire time to come (with none, the caller need not tick: a
   * one-time job that has run and {@code @reboot} have none).
   */
  public boolean anyToFire() {
    advance();
    for (Job job : jobs.values()) {
      if (job.enabled && job.nextFire != null) {
        return true;
      }
    }
    return false;
  }

  /** A job's state for {@code schedule list}. */
  public record View(
      String name, Schedule schedule, ZoneId zone, boolean enabled, Instant lastFire, Instant checkedUntil,
      Instant nextFire) {}

  public View view(String name) {
    advance();
    return current(name);
  }

  /**
   * A job's state as it is, without computing the next fire time of a job that just fired (its
   * {@code nextFire} is then null): for carrying out a fire without delaying it.
   */
  public View current(String name) {
    Job job = require(name);
    return new View(job.name, job.schedule, job.zone, job.enabled, job.lastFire, job.checkedUntil, job.nextFire);
  }

  /** One coming fire time. */
  public record Upcoming(String name, Instant at, ZoneId zone) {}

  /**
   * The next {@code count} fire times of the enabled jobs (of {@code name} only, unless null),
   * soonest first.
   */
  public List<Upcoming> upcoming(String name, int count) {
    advance();
    PriorityQueue<Upcoming> queue = new PriorityQueue<>(Comparator.comparing(Upcoming::at));
    for (Job job : jobs.values()) {
      if (job.enabled && job.nextFire != null && (name == null || name.equals(job.name))) {
        queue.add(new Upcoming(job.name, job.nextFire, job.zone));
      }
    }
    List<Upcoming> out = new ArrayList<>();
    while (out.size() < count && !queue.isEmpty()) {
      Upcoming next = queue.poll();
      out.add(next);
      jobs.get(next.name()).trigger.nextAfter(next.at()).ifPresent(t -> queue.add(new Upcoming(next.name(), t, next.zone())));
    }
    return out;
  }

  private Job require(String name) {
    Job job = jobs.get(name);
    if (job == null) {
      throw new IllegalArgumentException("no scheduled job named " + name);
    }
    return job;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
