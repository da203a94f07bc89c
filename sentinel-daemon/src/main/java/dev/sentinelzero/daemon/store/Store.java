package dev.sentinelzero.daemon.store;

import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The daemon's only user of {@code java.sql}: the SQLite file that holds what must survive a
 * restart. Every method commits before it returns, so a change the daemon acknowledged is on disk.
 *
 * <p>Durability: WAL journal with {@code synchronous=NORMAL}. A commit is in the WAL file when the
 * call returns, so it survives the daemon being killed at any moment ({@code kill -9}); only a
 * power loss or OS crash can lose the last commits (FULL would close that too, at about 2.6x the
 * cost per commit: shared/PLATFORM.md). The database file and its WAL are created 0600.
 *
 * <p>Thread: one owner, the supervisor thread, calls every method; the connection is not shared.
 */
public final class Store implements AutoCloseable {
  private final Connection connection;
  private final Clock clock;
  private final Schedules schedules;

  /** Prepared once, reused: the statements of the supervisor's hot paths (a spawn, an event). */
  private final java.util.Map<String, PreparedStatement> statements = new java.util.HashMap<>();

  private Store(Connection connection, Clock clock) {
    this.connection = connection;
    this.clock = clock;
    this.schedules = new Schedules(connection, clock, this);
  }

  /** A prepared statement for {@code sql}, kept for the next call (parameters are all set again). */
  PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement st = statements.get(sql);
    if (st == null) {
      st = connection.prepareStatement(sql);
      statements.put(sql, st);
    }
    return st;
  }

  /** The id of the row the last INSERT made. */
  long lastInsertId() throws SQLException {
    try (ResultSet rs = statement("SELECT last_insert_rowid()").executeQuery()) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /** The scheduled jobs and the run history: same connection, same transactions. */
  public Schedules schedules() {
    return schedules;
  }

  /**
   * Opens (creating if needed) the database and brings its schema up to date.
   *
   * @throws StoreException with a message that says what to do when the file is unreadable,
   *     corrupt, or from a newer version
   */
  public static Store open(Path file, Clock clock) {
    try {
      if (!Files.exists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
    } catch (IOException e) {
      throw new StoreException("cannot create the database " + file + ": " + e.getMessage(), e);
    }
    Connection connection;
    try {
      connection = DriverManager.getConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw new StoreException("cannot open the database " + file + ": " + e.getMessage(), e);
    }
    try {
      try (Statement st = connection.createStatement()) {
        st.execute("PRAGMA busy_timeout = 5000");
        try (ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
          String verdict = rs.next() ? rs.getString(1) : "no answer";
          if (!"ok".equals(verdict)) {
            throw new StoreException(
                "the database "
                    + file
                    + " is damaged ("
                    + verdict
                    + "); move it aside (the daemon will start with an empty one) or restore a backup",
                null);
          }
        }
        // Refuse a newer schema before anything below writes to the file.
        Migrations.refuseNewer(connection, file);
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = NORMAL");
        st.execute("PRAGMA foreign_keys = ON");
      }
      Migrations.apply(connection, file);
      return new Store(connection, clock);
    } catch (SQLException e) {
      closeQuietly(connection);
      throw new StoreException(
          "cannot read the database "
              + file
              + " ("
              + e.getMessage()
              + "); if it is damaged, move it aside and start again",
          e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  /**
   * A process definition, whether it should be running when the daemon starts and who or what
   * said so, the state its last transition left it in, and its live run.
   *
   * @param desiredBy a {@code ProcessStatus.BY_*} code
   * @param state the JSON the supervisor saved with {@link #saveState}, or null before the first
   * @param run the recorded live run, or null
   */
  public record StoredProcess(
      ProcessSpec spec, boolean desiredRunning, String desiredBy, Map<String, Object> state, StoredRun run) {
    public StoredProcess(ProcessSpec spec, boolean desiredRunning) {
      this(spec, desiredRunning, ProcessStatus.BY_REQUEST, null, null);
    }
  }

  /**
   * The run a daemon had started for a process, as recorded right after the spawn.
   *
   * @param pid the process (and group) id
   * @param startTime when the OS says it started (with the pid, identifies it), or null
   * @param startedAt when the daemon started it
   */
  public record StoredRun(long pid, Instant startTime, Instant startedAt) {}

  /** Records the live run of a process (replacing the previous one). */
  public void recordRun(String name, StoredRun run) {
    try {
      PreparedStatement st =
          statement(
              "INSERT INTO runs (name, pid, start_time_ms, started_at) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT(name) DO UPDATE SET pid = excluded.pid,"
                  + " start_time_ms = excluded.start_time_ms, started_at = excluded.started_at");
      st.setString(1, name);
      st.setLong(2, run.pid());
      if (run.startTime() == null) {
        st.setNull(3, java.sql.Types.INTEGER);
      } else {
        st.setLong(3, run.startTime().toEpochMilli());
      }
      st.setString(4, run.startedAt().toString());
      st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot record the run of " + name + ": " + e.getMessage(), e);
    }
  }

  /** Forgets the run of a process: it has no live process any more. */
  public void clearRun(String name) {
    try {
      PreparedStatement st = statement("DELETE FROM runs WHERE name = ?");
      st.setString(1, name);
      st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot clear the run of " + name + ": " + e.getMessage(), e);
    }
  }

  public List<StoredProcess> loadProcesses() {
    List<StoredProcess> out = new ArrayList<>();
    try (PreparedStatement st =
            connection.prepareStatement(
                "SELECT p.name, p.spec, p.desired, r.pid, r.start_time_ms, r.started_at, p.desired_by, p.state"
                    + " FROM processes p LEFT JOIN runs r ON r.name = p.name ORDER BY p.rowid");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        try {
          ProcessSpec spec = ProcessSpec.fromJson(Json.parseObject(rs.getString(2)));
          StoredRun run = null;
          long pid = rs.getLong(4);
          if (!rs.wasNull()) {
            long startMs = rs.getLong(5);
            Instant startTime = rs.wasNull() ? null : Instant.ofEpochMilli(startMs);
            run = new StoredRun(pid, startTime, Instant.parse(rs.getString(6)));
          }
          String state = rs.getString(8);
          out.add(
              new StoredProcess(
                  spec,
                  "running".equals(rs.getString(3)),
                  rs.getString(7),
                  state == null ? null : Json.parseObject(state),
                  run));
        } catch (ProtocolException e) {
          throw new StoreException(
              "the stored definition of " + name + " cannot be read: " + e.getMessage(), null);
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read process definitions: " + e.getMessage(), e);
    }
  }

  private boolean inTransaction;

  /**
   * Opens a transaction that the following writes join, until {@link #commit}: the supervisor
   * wraps each of its tasks in one, so a change and the events that record it land together.
   * Outside one, every write commits by itself.
   */
  public void begin() {
    if (inTransaction) {
      return;
    }
    try {
      connection.setAutoCommit(false);
      inTransaction = true;
    } catch (SQLException e) {
      throw new StoreException("cannot begin a transaction: " + e.getMessage(), e);
    }
  }

  /** Commits the open transaction, if any. */
  public void commit() {
    if (!inTransaction) {
      return;
    }
    try {
      connection.commit();
    } catch (SQLException e) {
      throw new StoreException("cannot commit: " + e.getMessage(), e);
    } finally {
      inTransaction = false;
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the next begin() will tell
      }
    }
  }

  /**
   * Appends to the transaction log.
   *
   * @param name the process, or null for the daemon
   * @param data details as JSON values; never environment values
   * @return the new entry's id
   */
  public long appendEvent(Instant at, String name, String kind, String message, java.util.Map<String, Object> data) {
    try {
      PreparedStatement st =
          statement("INSERT INTO events (at, at_ms, name, kind, message, data) VALUES (?, ?, ?, ?, ?, ?)");
      st.setString(1, at.toString());
      st.setLong(2, at.toEpochMilli());
      st.setString(3, name);
      st.setString(4, kind);
      st.setString(5, message);
      st.setString(6, Json.write(data));
      st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot append to the event log: " + e.getMessage(), e);
    }
    try {
      return lastInsertId();
    } catch (SQLException e) {
      throw new StoreException("cannot read the new event's id: " + e.getMessage(), e);
    }
  }

  /** Rewrites an entry's message and details (a request's outcome, once it is known). */
  public void updateEvent(long id, String message, java.util.Map<String, Object> data) {
    try {
      PreparedStatement st = statement("UPDATE events SET message = ?, data = ? WHERE id = ?");
      st.setString(1, message);
      st.setString(2, Json.write(data));
      st.setLong(3, id);
      st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot update the event log: " + e.getMessage(), e);
    }
  }

  /** Deletes events older than {@code before}, and all but the newest {@code keep}; returns how many. */
  public int pruneEvents(Instant before, long keep) {
    try (PreparedStatement st =
        connection.prepareStatement(
            "DELETE FROM events WHERE at_ms < ? OR id <= (SELECT MAX(id) FROM events) - ?")) {
      st.setLong(1, before.toEpochMilli());
      st.setLong(2, keep);
      return st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot prune the event log: " + e.getMessage(), e);
    }
  }

  /** Inserts or replaces a definition, desired by a request. */
  public void saveProcess(ProcessSpec spec, boolean desiredRunning) {
    saveProcess(spec, desiredRunning, ProcessStatus.BY_REQUEST);
  }

  /**
   * Inserts or replaces a definition; a replaced one keeps its saved state.
   *
   * @param desiredBy a {@code ProcessStatus.BY_*} code
   */
  public void saveProcess(ProcessSpec spec, boolean desiredRunning, String desiredBy) {
    String now = clock.instant().toString();
    try (PreparedStatement st =
        connection.prepareStatement(
            "INSERT INTO processes (name, spec, desired, desired_by, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, desired = excluded.desired,"
                + " desired_by = excluded.desired_by, updated_at = excluded.updated_at")) {
      st.setString(1, spec.name());
      st.setString(2, Json.write(spec.toJson()));
      st.setString(3, desiredRunning ? "running" : "stopped");
      st.setString(4, desiredBy);
      st.setString(5, now);
      st.setString(6, now);
      st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot save " + spec.name() + ": " + e.getMessage(), e);
    }
  }

  /** Replaces a definition, keeping whether it should run. */
  public void updateSpec(ProcessSpec spec) {
    try (PreparedStatement st =
        connection.prepareStatement("UPDATE processes SET spec = ?, updated_at = ? WHERE name = ?")) {
      st.setString(1, Json.write(spec.toJson()));
      st.setString(2, clock.instant().toString());
      st.setString(3, spec.name());
      st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot save " + spec.name() + ": " + e.getMessage(), e);
    }
  }

  /** Sets whether a process should run, as a request does. */
  public void setDesired(String name, boolean running) {
    setDesired(name, running, ProcessStatus.BY_REQUEST);
  }

  /**
   * Sets whether a process should run when the daemon starts, and who or what said so.
   *
   * @param by a {@code ProcessStatus.BY_*} code
   */
  public void setDesired(String name, boolean running, String by) {
    try {
      PreparedStatement st =
          statement("UPDATE processes SET desired = ?, desired_by = ?, updated_at = ? WHERE name = ?");
      st.setString(1, running ? "running" : "stopped");
      st.setString(2, by);
      st.setString(3, clock.instant().toString());
      st.setString(4, name);
      st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot save the state of " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Saves the state a process's latest transition left it in (JSON values only), for the next
   * daemon to start from; called in the transaction of that transition.
   */
  public void saveState(String name, Map<String, Object> state) {
    try {
      PreparedStatement st = statement("UPDATE processes SET state = ? WHERE name = ?");
      st.setString(1, Json.write(state));
      st.setString(2, name);
      st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot save the state of " + name + ": " + e.getMessage(), e);
    }
  }

  public void deleteProcess(String name) {
    try (PreparedStatement st = connection.prepareStatement("DELETE FROM processes WHERE name = ?")) {
      st.setString(1, name);
      st.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot remove " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    for (PreparedStatement st : statements.values()) {
      try {
        st.close();
      } catch (SQLException ignored) {
        // closing the connection below frees it too
      }
    }
    statements.clear();
    try (Statement st = connection.createStatement()) {
      st.execute("PRAGMA optimize");
    } catch (SQLException ignored) {
      // best effort before closing
    }
    closeQuietly(connection);
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // nothing more to do
    }
  }
}
