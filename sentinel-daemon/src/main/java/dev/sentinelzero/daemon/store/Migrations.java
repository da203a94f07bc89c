package dev.sentinelzero.daemon.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema's history. Version {@code n} is reached by running step {@code n-1}; the version
 * lives in SQLite's {@code user_version}. Each step runs in its own transaction together with the
 * version bump, so a crash mid-upgrade leaves the previous version intact. A database from a newer
 * build is refused, never touched. Steps are append-only: never edit one that has shipped.
 */
final class Migrations {
  static final List<String> STEPS =
      List.of(
          // 1: process definitions and whether each should run when the daemon starts.
          "CREATE TABLE processes ("
              + " name TEXT PRIMARY KEY,"
              + " spec TEXT NOT NULL,"
              + " desired TEXT NOT NULL CHECK (desired IN ('running', 'stopped')),"
              + " created_at TEXT NOT NULL,"
              + " updated_at TEXT NOT NULL)",
          // 2: the live run of each process, so that a daemon started after a crash finds and
          // adopts it instead of starting it twice.
          "CREATE TABLE runs ("
              + " name TEXT PRIMARY KEY REFERENCES processes(name) ON DELETE CASCADE,"
              + " pid INTEGER NOT NULL,"
              + " start_time_ms INTEGER,"
              + " started_at TEXT NOT NULL)",
          // 3: the transaction log: every state-changing request and every process transition,
          // written in the same transaction as the change it records.
          "CREATE TABLE events ("
              + " id INTEGER PRIMARY KEY AUTOINCREMENT,"
              + " at TEXT NOT NULL,"
              + " at_ms INTEGER NOT NULL,"
              + " name TEXT,"
              + " kind TEXT NOT NULL,"
              + " message TEXT NOT NULL,"
              + " data TEXT NOT NULL);"
              + " CREATE INDEX events_by_name ON events (name, id);"
              + " CREATE INDEX events_by_time ON events (at_ms)",
          // 4: scheduled jobs, and the history of every process's runs (a live run's row, with
          // its pid and start time, is also how an extra run of an `allow` job is found again).
          "CREATE TABLE schedules ("
              + " name TEXT PRIMARY KEY REFERENCES processes(name) ON DELETE CASCADE,"
              + " schedule TEXT NOT NULL,"
              + " enabled INTEGER NOT NULL,"
              + " anchor_ms INTEGER NOT NULL,"
              + " last_fire_ms INTEGER,"
              + " checked_until_ms INTEGER NOT NULL,"
              + " created_at TEXT NOT NULL,"
              + " updated_at TEXT NOT NULL);"
              + " CREATE TABLE history ("
              + " id INTEGER PRIMARY KEY AUTOINCREMENT,"
              + " name TEXT NOT NULL,"
              + " reason TEXT NOT NULL,"
              + " scheduled_for_ms INTEGER,"
              + " started_at_ms INTEGER NOT NULL,"
              + " ended_at_ms INTEGER,"
              + " pid INTEGER,"
              + " start_time_ms INTEGER,"
              + " exit TEXT);"
              + " CREATE INDEX history_by_name ON history (name, id);"
              + " CREATE INDEX history_open ON history (ended_at_ms) WHERE ended_at_ms IS NULL",
          // 5: who or what set each process's desired state, and the state its last transition
          // left it in (JSON: state, reason, last exit, failed starts, next attempt), so that the
          // next daemon brings back exactly what was running or backing off and leaves the rest
          // as it was. A job's desired state is set by its schedule.
          "ALTER TABLE processes ADD COLUMN desired_by TEXT NOT NULL DEFAULT 'request';"
              + " UPDATE processes SET desired_by = 'schedule' WHERE name IN (SELECT name FROM schedules);"
              + " ALTER TABLE processes ADD COLUMN state TEXT");

  static final int CURRENT = STEPS.size();

  private Migrations() {}

  /** Refuses a database written by a newer build; reads only. */
  static void refuseNewer(Connection connection, Path file) throws SQLException {
    int version = userVersion(connection);
    if (version > CURRENT) {
      throw new StoreException(
          "the database "
              + file
              + " was written by a newer SentinelZero (schema "
              + version
              + ", this build knows "
              + CURRENT
              + "); run the newer version, or move the file aside to start afresh",
          null);
    }
  }

  static void apply(Connection connection, Path file) throws SQLException {
    refuseNewer(connection, file);
    int version = userVersion(connection);
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (int step = version; step < CURRENT; step++) {
        try (Statement st = connection.createStatement()) {
          for (String sql : STEPS.get(step).split(";\\s*")) { // a step may hold several statements
            st.executeUpdate(sql);
          }
          st.executeUpdate("PRAGMA user_version = " + (step + 1));
        }
        connection.commit();
      }
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  static int userVersion(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}
