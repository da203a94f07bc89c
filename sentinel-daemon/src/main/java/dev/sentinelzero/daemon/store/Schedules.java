package dev.sentinelzero.daemon.store;

import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.RunRecord;
import dev.sentinelzero.protocol.Schedule;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The scheduled jobs and the run history, in the store's database (schema 4).
 *
 * <p>Thread: like {@link Store}, whose connection (and transactions) it shares, used by the
 * supervisor thread only.
 */
public final class Schedules {
  /** The newest runs of each process that the history keeps. */
  public static final int RUNS_KEPT = 1000;

  private final Clock clock;
  /** The store, whose connection, transactions and writes (kept while the disk is full) these share. */
  private final Store store;

  Schedules(Clock clock, Store store) {
    this.clock = clock;
    this.store = store;
  }

  /**
   * A scheduled job as stored.
   *
   * @param anchor where an interval's grid starts (when it was defined)
   * @param lastFire the fire time of its latest scheduled run, or null
   * @param checkedUntil fire times up to here have been dealt with (run, dropped, or passed while
   *     it was disabled): catch-up looks only after it
   */
  public record StoredSchedule(
      String name, Schedule schedule, boolean enabled, Instant anchor, Instant lastFire, Instant checkedUntil) {}

  /** Inserts or replaces a job's schedule (its process must be saved first). */
  public void save(StoredSchedule s) {
    String now = clock.instant().toString();
    update(
        null,
        s.name(),
        "INSERT INTO schedules (name, schedule, enabled, anchor_ms, last_fire_ms, checked_until_ms,"
            + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
            + " schedule = excluded.schedule, enabled = excluded.enabled, anchor_ms = excluded.anchor_ms,"
            + " last_fire_ms = excluded.last_fire_ms, checked_until_ms = excluded.checked_until_ms,"
            + " updated_at = excluded.updated_at",
        "save the schedule of " + s.name(),
        s.name(),
        Json.write(s.schedule().toJson()),
        s.enabled() ? 1 : 0,
        s.anchor().toEpochMilli(),
        s.lastFire() == null ? null : s.lastFire().toEpochMilli(),
        s.checkedUntil().toEpochMilli(),
        now,
        now);
  }

  /** Records that fire times up to {@code checkedUntil} were dealt with, the latest run's time. */
  public void recordFire(String name, Instant lastFire, Instant checkedUntil) {
    update(
        "fire:" + name,
        name,
        "UPDATE schedules SET last_fire_ms = ?, checked_until_ms = ? WHERE name = ?",
        "record a fire of " + name,
        lastFire == null ? null : lastFire.toEpochMilli(),
        checkedUntil.toEpochMilli(),
        name);
  }

  public void setEnabled(String name, boolean enabled, Instant checkedUntil) {
    update(
        null,
        name,
        "UPDATE schedules SET enabled = ?, checked_until_ms = ?, updated_at = ? WHERE name = ?",
        "save the schedule of " + name,
        enabled ? 1 : 0,
        checkedUntil.toEpochMilli(),
        clock.instant().toString(),
        name);
  }

  public List<StoredSchedule> load() {
    List<StoredSchedule> out = new ArrayList<>();
    try (PreparedStatement st =
            store.connection().prepareStatement(
                "SELECT name, schedule, enabled, anchor_ms, last_fire_ms, checked_until_ms"
                    + " FROM schedules ORDER BY rowid");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        Schedule schedule;
        try {
          schedule = Schedule.fromJson(Json.parseObject(rs.getString(2)));
        } catch (ProtocolException e) {
          throw new StoreException("the stored schedule of " + name + " cannot be read: " + e.getMessage(), null);
        }
        long last = rs.getLong(5);
        Instant lastFire = rs.wasNull() ? null : Instant.ofEpochMilli(last);
        out.add(
            new StoredSchedule(
                name,
                schedule,
                rs.getInt(3) != 0,
                Instant.ofEpochMilli(rs.getLong(4)),
                lastFire,
                Instant.ofEpochMilli(rs.getLong(6))));
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read the schedules: " + e.getMessage(), e);
    }
  }

  // --- run history ------------------------------------------------------------------------------

  /**
   * Records a run that has started (or, with {@code exit}, one that could not be launched).
   *
   * @return the run's id
   */
  public long startRun(
      String name, String reason, Instant scheduledFor, Instant startedAt, Long pid, Instant startTime, ExitInfo exit) {
    long id = store.takeHistoryId();
    store.write(
        new Writes.Write(
            "INSERT INTO history (id, name, reason, scheduled_for_ms, started_at_ms, ended_at_ms, pid,"
                + " start_time_ms, exit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new Object[] {
              id,
              name,
              reason,
              scheduledFor == null ? null : scheduledFor.toEpochMilli(),
              startedAt.toEpochMilli(),
              exit == null ? null : startedAt.toEpochMilli(),
              pid,
              startTime == null ? null : startTime.toEpochMilli(),
              exit == null ? null : Json.write(exit.toJson())
            },
            null,
            name,
            Writes.Kind.HISTORY,
            "record a run of " + name));
    // Bounded at every insert, not only by the hourly prune: a crash loop adds hundreds a second.
    store.write(
        new Writes.Write(
            "DELETE FROM history WHERE name = ?1 AND ended_at_ms IS NOT NULL AND id <= (SELECT id FROM history"
                + " WHERE name = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
            new Object[] {name, RUNS_KEPT},
            "prune-history:" + name,
            null,
            Writes.Kind.STATE,
            "prune the history of " + name));
    return id;
  }

  /** Records how a run ended. */
  public void endRun(long id, Instant endedAt, ExitInfo exit) {
    store.write(
        new Writes.Write(
            "UPDATE history SET ended_at_ms = ?, exit = ? WHERE id = ? AND ended_at_ms IS NULL",
            new Object[] {endedAt.toEpochMilli(), Json.write(exit.toJson()), id},
            null,
            null,
            Writes.Kind.HISTORY,
            "record the end of a run"));
  }

  /** The runs not known to have ended, oldest first: what a starting daemon looks for. */
  public List<RunRecord> openRuns() {
    return query(
        "SELECT id, name, reason, scheduled_for_ms, started_at_ms, ended_at_ms, pid, exit, start_time_ms"
            + " FROM history WHERE ended_at_ms IS NULL ORDER BY id",
        "read the open runs");
  }

  /** The start time the OS gave the run's pid, as recorded, or null. */
  public Instant startTimeOf(long id) {
    try (PreparedStatement st = store.connection().prepareStatement("SELECT start_time_ms FROM history WHERE id = ?")) {
      st.setLong(1, id);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        long ms = rs.getLong(1);
        return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read a run: " + e.getMessage(), e);
    }
  }

  /** The latest {@code limit} runs of a process, oldest first. */
  public List<RunRecord> history(String name, int limit) {
    List<RunRecord> runs =
        query(
            "SELECT id, name, reason, scheduled_for_ms, started_at_ms, ended_at_ms, pid, exit, start_time_ms"
                + " FROM history WHERE name = ? ORDER BY id DESC LIMIT ?",
            "read the history of " + name,
            name,
            limit);
    Collections.reverse(runs);
    return runs;
  }

  public void deleteHistory(String name) {
    update(null, name, "DELETE FROM history WHERE name = ?", "delete the history of " + name, name);
  }

  /**
   * Deletes ended runs older than {@code before}, and all but the newest {@link #RUNS_KEPT} of
   * each process; returns how many.
   */
  public int prune(Instant before) {
    return store.prune(
        "DELETE FROM history WHERE ended_at_ms IS NOT NULL AND (ended_at_ms < ? OR id IN ("
            + " SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY name ORDER BY id DESC) AS n"
            + " FROM history) WHERE n > ?))",
        "prune the run history",
        before.toEpochMilli(),
        RUNS_KEPT);
  }

  private List<RunRecord> query(String sql, String what, Object... params) {
    List<RunRecord> out = new ArrayList<>();
    try (PreparedStatement st = store.connection().prepareStatement(sql)) {
      Writes.bind(st, params);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(
              new RunRecord(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  instant(rs, 4),
                  instant(rs, 5),
                  instant(rs, 6),
                  longOrNull(rs, 7),
                  exit(rs.getString(8))));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot " + what + ": " + e.getMessage(), e);
    }
  }

  private static ExitInfo exit(String json) {
    if (json == null) {
      return null;
    }
    try {
      return ExitInfo.fromJson(Json.parseObject(json));
    } catch (ProtocolException e) {
      return new ExitInfo(ExitInfo.UNKNOWN, null, null, null, "unreadable: " + e.getMessage());
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    long ms = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
  }

  private static Long longOrNull(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** A write to a job's or a process's rows, kept while the disk is full ({@code key}: see Writes.Write). */
  private void update(String key, String name, String sql, String what, Object... params) {
    store.write(new Writes.Write(sql, params, key, name, Writes.Kind.STATE, what));
  }
}
