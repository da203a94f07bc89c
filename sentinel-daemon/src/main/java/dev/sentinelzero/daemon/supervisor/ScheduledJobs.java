package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.schedule.Overlap;
import dev.sentinelzero.daemon.schedule.ScheduleException;
import dev.sentinelzero.daemon.schedule.Scheduler;
import dev.sentinelzero.daemon.schedule.Trigger;
import dev.sentinelzero.daemon.store.Schedules;
import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FireTime;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RunRecord;
import dev.sentinelzero.protocol.Schedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled jobs: keeps each one's fire times ({@link Scheduler}), wakes at the next one (and
 * at least every second, so sleep and clock jumps are noticed), and turns each fire into a run of
 * the job's process under its overlap policy. What it changes is stored in the same transaction as
 * the fire's run and its transaction-log entry.
 *
 * <p>Thread: owned by the supervisor thread; every method runs there. The timer only posts the
 * next tick to it.
 */
final class ScheduledJobs {
  private static final Logger log = LoggerFactory.getLogger(ScheduledJobs.class);

  /** What the jobs need of the supervisor (supervisor thread only). */
  interface Runs {
    ManagedProcess process(String name);

    /** Whether a run of it is going (or being retried): what an overlap policy looks at. */
    boolean busy(ManagedProcess p);

    /** Starts a run; it is not busy. */
    void start(ManagedProcess p, RunCause cause) throws ProtocolException;

    /** Stops the running one, then starts a run for {@code cause}. */
    void replace(ManagedProcess p, RunCause cause);

    /** Starts a run beside the running one; returns its pid. */
    long startAnother(ManagedProcess p, RunCause cause) throws ProtocolException;

    /** Runs {@code event} on the supervisor thread in a transaction of its own. */
    void post(Runnable event);
  }

  private final Scheduler scheduler = new Scheduler();
  private final Store store;
  private final Schedules schedules;
  private final Clock clock;
  private final Timer timer;
  private final Runs runs;
  /** Per job, the fire waiting for the running one to end ({@code queue}). */
  private final Map<String, RunCause> queued = new HashMap<>();
  private Timer.Cancellable wake;
  private long wakeToken;
  /** The daemon is shutting down: no more fires ({@link #stop}). */
  private boolean stopped;
  /** The machine's zone as last seen (the clock's zone follows the machine's). */
  private ZoneId systemZone;

  ScheduledJobs(Store store, Clock clock, Timer timer, Runs runs) {
    this.store = store;
    this.schedules = store.schedules();
    this.clock = clock;
    this.timer = timer;
    this.runs = runs;
  }

  /** Reads the stored jobs; returns their names. Fires nothing yet: see {@link #start}. */
  Set<String> load() {
    Instant now = clock.instant();
    systemZone = clock.getZone();
    Set<String> names = new LinkedHashSet<>();
    for (Schedules.StoredSchedule s : schedules.load()) {
      names.add(s.name());
      try {
        Trigger trigger = Scheduler.trigger(s.schedule(), s.anchor(), systemZone);
        Instant checkedUntil = s.checkedUntil();
        if (trigger instanceof Trigger.At at && s.lastFire() != null && s.lastFire().isAfter(s.anchor())
            && at.instant().isAfter(checkedUntil)) {
          // A one-time job that ran (its fire came after it was defined), whose local time reads
          // later in the machine's zone of now: it ran once, it does not run again.
          checkedUntil = at.instant();
        }
        scheduler.put(
            s.name(), s.schedule(), trigger, Scheduler.zone(s.schedule(), systemZone), s.enabled(), s.lastFire(),
            checkedUntil, now);
      } catch (ScheduleException e) {
        // Say so and leave the job out: the zone database of this JVM may lack a zone it had.
        log.error("{}: its schedule cannot be read any more ({}); redefine it with sentinel schedule --replace",
            s.name(), e.getMessage());
      }
    }
    return names;
  }

  /** At daemon start: runs {@code @reboot} jobs and catches up what was missed while it was down. */
  void start() {
    for (Scheduler.Fire fire : scheduler.atStart(clock.instant())) {
      fire(fire);
    }
    plan();
  }

  /**
   * Checks a schedule before anything is stored.
   *
   * @throws ProtocolException pointing at the bad part of an expression, time or zone
   */
  void check(Schedule schedule) throws ProtocolException {
    Instant now = clock.instant();
    Trigger trigger = parse(schedule, now);
    if (trigger instanceof Trigger.At && trigger.nextAfter(now).isEmpty()) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT,
          "--at " + schedule.at() + " is in the past (it is now " + now.atZone(zone(schedule))
              .toLocalDateTime().withNano(0) + " there); give a later time");
    }
  }

  /**
   * Adds a job, or replaces the schedule of one (its last fire time stays; fire times between the
   * old and the new schedule are not caught up). Call {@link #check} first.
   */
  void put(String name, Schedule schedule, boolean enabled) throws ProtocolException {
    Instant now = clock.instant();
    Instant lastFire = scheduler.has(name) ? scheduler.view(name).lastFire() : null;
    // An interval's grid starts on the whole second: --every 15m fires at :mm:ss, not :mm:ss.150.
    Instant anchor = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Trigger trigger = parse(schedule, anchor);
    ZoneId zone = zone(schedule);
    schedules.save(new Schedules.StoredSchedule(name, schedule, enabled, anchor, lastFire, now));
    scheduler.put(name, schedule, trigger, zone, enabled, lastFire, now, now);
    queued.remove(name);
    log.info("{}: scheduled, {}{}", name, schedule.triggerText(), enabled ? "" : " (disabled)");
    plan();
  }

  boolean has(String name) {
    return scheduler.has(name);
  }

  Set<String> names() {
    return new LinkedHashSet<>(scheduler.names());
  }

  Scheduler.View view(String name) {
    return scheduler.view(name);
  }

  /** Turns a job on or off; true if it changed. */
  boolean setEnabled(String name, boolean enabled) {
    Instant now = clock.instant();
    boolean changed = scheduler.setEnabled(name, enabled, now);
    if (changed) {
      schedules.setEnabled(name, enabled, scheduler.view(name).checkedUntil());
      if (!enabled) {
        queued.remove(name);
      }
      store.appendEvent(now, name, "schedule", enabled ? "enabled" : "disabled", Map.of("enabled", enabled));
      log.info("{}: schedule {}", name, enabled ? "enabled" : "disabled");
      plan();
    }
    return changed;
  }

  /** Forgets a job (its stored row goes with its process). */
  void remove(String name) {
    scheduler.remove(name);
    queued.remove(name);
    plan();
  }

  /** What {@code schedule run} did: {@code started}, {@code queued}, {@code replacing}, {@code started_beside}. */
  record RunNow(String action, Long pid) {}

  /**
   * Starts a run now ({@code schedule run}), under the job's overlap policy.
   *
   * @throws ProtocolException {@code conflict} when a run is going and the policy is {@code skip}
   */
  RunNow runNow(String name) throws ProtocolException {
    ManagedProcess p = runs.process(name);
    Overlap overlap = overlap(scheduler.view(name).schedule());
    boolean busy = runs.busy(p);
    Overlap.Action action = overlap.onFire(busy, queued.containsKey(name));
    if (busy && overlap == Overlap.SKIP) {
      throw new ProtocolException(
          ErrorCode.CONFLICT,
          name + " is running (pid " + (p.run == null ? "?" : p.run.pid) + ") and its overlap policy is skip;"
              + " wait for it to end, or stop it first: sentinel stop " + name);
    }
    if (busy && overlap == Overlap.QUEUE && action == Overlap.Action.DROP) {
      throw new ProtocolException(
          ErrorCode.CONFLICT, name + " is running and a run is already queued after it; wait for them");
    }
    store.appendEvent(clock.instant(), name, "schedule", "run now by request: " + describe(action), Map.of("action", action.name().toLowerCase()));
    Long pid;
    switch (action) {
      case START -> {
        queued.remove(name);
        runs.start(p, RunCause.MANUAL); // a launch failure is the request's error
        return new RunNow("started", p.run == null ? null : p.run.pid);
      }
      case WAIT -> {
        queued.put(name, RunCause.MANUAL);
        return new RunNow("queued", null);
      }
      case STOP_THEN_START -> {
        runs.replace(p, RunCause.MANUAL);
        return new RunNow("replacing", null);
      }
      case START_ANOTHER -> {
        pid = runs.startAnother(p, RunCause.MANUAL);
        return new RunNow("started_beside", pid);
      }
      default -> throw new IllegalStateException("unexpected " + action);
    }
  }

  /**
   * The daemon is shutting down: fires no more. A fire time that passes from now on is not
   * recorded as dealt with, so the next daemon catches it up like any missed while it was down.
   */
  void stop() {
    stopped = true;
    queued.clear();
    plan();
  }

  /** Calls off the run queued behind the running one, if any (the user stopped the job). */
  void dropQueued(String name) {
    queued.remove(name);
  }

  /** A job's run ended by itself and will not be retried: starts the queued fire, if any. */
  void runEnded(ManagedProcess p) {
    RunCause next = queued.remove(p.name());
    if (next == null) {
      return;
    }
    try {
      runs.start(p, next);
    } catch (ProtocolException e) {
      log.warn("{}: the queued run could not start: {}", p.name(), e.getMessage());
    }
  }

  /** The next {@code count} fire times (of one job, or of all when {@code name} is null). */
  List<FireTime> upcoming(String name, int count) {
    ZoneId local = clock.getZone();
    List<FireTime> out = new ArrayList<>();
    for (Scheduler.Upcoming u : scheduler.upcoming(name, count)) {
      out.add(
          new FireTime(
              u.name(), u.at(), u.at().atZone(local).toOffsetDateTime(), u.zone().getId(),
              u.at().atZone(u.zone()).toOffsetDateTime()));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  private void tick(long token) {
    if (token != wakeToken) {
      return; // a wake-up planned before a later plan()
    }
    wake = null;
    try {
      followSystemZone();
      for (Scheduler.Fire fire : scheduler.due(clock.instant())) {
        try {
          fire(fire);
        } catch (RuntimeException e) {
          // A failed write (a full disk): this fire is lost, the other jobs' fires still run.
          log.error("{}: the fire for {} failed", fire.name(), fire.scheduledFor(), e);
        }
      }
      scheduler.advance(); // the next fire times, now that the runs are under way
    } finally {
      plan(); // whatever failed, the scheduler keeps waking up
    }
  }

  /**
   * When the machine's zone changed (a laptop that travelled), the jobs without {@code --tz}
   * follow it from now on: their next fire times are read on the new wall clock. Fire times the
   * change jumped over are not caught up, as with a clock that goes forward.
   */
  private void followSystemZone() {
    ZoneId now = clock.getZone();
    if (systemZone == null || now.equals(systemZone)) {
      systemZone = now;
      return;
    }
    log.info("the system time zone is now {} (was {}); jobs without --tz follow it", now, systemZone);
    systemZone = now;
    Instant at = clock.instant();
    for (String name : scheduler.names()) {
      Scheduler.View v = scheduler.view(name);
      if (v.schedule().tz() != null || v.schedule().everyMs() != null) {
        continue; // its own zone, or an interval: no wall clock involved
      }
      try {
        if (v.schedule().at() != null
            && Scheduler.trigger(v.schedule(), at, v.zone()).nextAfter(v.checkedUntil()).isEmpty()) {
          continue; // a one-time job whose time has passed (it ran, or was dropped): never again
        }
        scheduler.put(
            name, v.schedule(), Scheduler.trigger(v.schedule(), at, now), now, v.enabled(), v.lastFire(),
            v.checkedUntil(), at);
      } catch (ScheduleException e) {
        log.warn("{}: cannot follow the new time zone: {}", name, e.getMessage());
      }
    }
  }

  /**
   * Plans the next tick: at the next fire time, at most a second away; none without a fire time to
   * come, nor once stopped.
   */
  private void plan() {
    if (wake != null) {
      wake.cancel();
      wake = null;
    }
    long token = ++wakeToken;
    if (stopped || !scheduler.anyToFire()) {
      return;
    }
    Duration until = scheduler.nextWake(clock.instant());
    wake = timer.scheduleNanos(Math.max(0, until.toNanos()), () -> runs.post(() -> tick(token)));
  }

  private void fire(Scheduler.Fire fire) {
    ManagedProcess p = runs.process(fire.name());
    if (p == null) {
      return;
    }
    Scheduler.View view = scheduler.current(fire.name()); // its next fire time is computed after
    boolean busy = runs.busy(p);
    Overlap.Action action = overlap(view.schedule()).onFire(busy, queued.containsKey(fire.name()));
    RunCause cause = new RunCause(fire.reason(), fire.scheduledFor());
    // Recorded before the run starts: the spawn commits at once (see Supervisor.spawn), and a
    // daemon killed right after must find this fire time dealt with, or it would catch it up again.
    schedules.recordFire(fire.name(), view.lastFire(), view.checkedUntil());
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("scheduled_for", fire.scheduledFor().toString());
    data.put("reason", fire.reason());
    data.put("action", action.name().toLowerCase());
    // A routine fire (on time, the job idle) is recorded by its run's history row alone; a
    // catch-up and every overlap decision get an entry (issue 9: a per-second job wrote 4 a second).
    boolean routine = action == Overlap.Action.START && !RunRecord.CATCH_UP.equals(fire.reason());
    if (!routine) {
      store.appendEvent(
          clock.instant(), fire.name(), "schedule",
          (RunRecord.CATCH_UP.equals(fire.reason()) ? "caught up the run missed at " : "fired for ")
              + fire.scheduledFor() + ": " + describe(action),
          data);
    }
    act(p, action, cause);
  }

  private void act(ManagedProcess p, Overlap.Action action, RunCause cause) {
    try {
      switch (action) {
        case START -> {
          queued.remove(p.name()); // a run waiting for one that was stopped by hand is moot now
          runs.start(p, cause);
        }
        case WAIT -> queued.put(p.name(), cause);
        case STOP_THEN_START -> runs.replace(p, cause);
        case START_ANOTHER -> runs.startAnother(p, cause);
        case DROP -> log.info("{}: skipped the run for {}: the previous one is still going", p.name(), cause.scheduledFor());
      }
    } catch (ProtocolException e) {
      // A launch failure: recorded in the history and the process's state; the next fire tries again.
      log.warn("{}: the scheduled run could not start: {}", p.name(), e.getMessage());
    }
  }

  private static String describe(Overlap.Action action) {
    return switch (action) {
      case START -> "started";
      case DROP -> "skipped, the previous run is still going";
      case WAIT -> "queued after the running one";
      case STOP_THEN_START -> "replacing the running one";
      case START_ANOTHER -> "started beside the running one";
    };
  }

  private static Overlap overlap(Schedule schedule) {
    try {
      return Overlap.parse(schedule.overlap());
    } catch (ScheduleException e) {
      return Overlap.SKIP;
    }
  }

  private ZoneId zone(Schedule schedule) throws ProtocolException {
    try {
      return Scheduler.zone(schedule, clock.getZone());
    } catch (ScheduleException e) {
      throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
  }

  private Trigger parse(Schedule schedule, Instant anchor) throws ProtocolException {
    try {
      return Scheduler.trigger(schedule, anchor, clock.getZone());
    } catch (ScheduleException e) {
      throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
  }
}
