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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's only user of {@code java.sql}: the SQLite file that holds what must survive a
 * restart. Writes join the open transaction ({@link #begin}, {@link #commit}); outside one, each
 * commits by itself.
 *
 * <p>Durability: WAL journal with {@code synchronous=NORMAL}. A commit is in the WAL file when the
 * call returns, so it survives the daemon being killed at any moment ({@code kill -9}); only a
 * power loss or OS crash can lose the last commits (FULL would close that too, at about 2.6x the
 * cost per commit: shared/PLATFORM.md). The database file and its WAL are created 0600.
 *
 * <p>When the disk refuses a write (SQLite's {@code SQLITE_FULL}, an I/O error, a read-only file
 * system), nothing throws: the transaction is rolled back, its writes are kept in memory, in
 * order, with every later one ({@link #health} says so, and which processes they concern), and
 * they are written again, in one transaction, as soon as the disk takes them ({@link #retry},
 * which the supervisor calls every second meanwhile). So a change the supervisor has made is
 * never reported as failed, and the store recovers by itself when space is freed. The first
 * refusal deletes the {@link Reserve} and tries at once again in the space it gave back. While
 * writes wait, reads see only what is saved. Kept writes are bounded: the newest write of a keyed
 * row (a process's run, desired state, definition; a job's last fire) replaces the older one, and
 * beyond {@link #MAX_KEPT_RECORDS} events and history rows, further ones are dropped and counted.
 * A daemon that starts while the disk is full opens the database read-only if it must, and saves
 * once it can reopen it for writing.
 *
 * <p>Where the writes meet SQLite is {@link Writes}: the transactions, the prepared statements (one
 * that SQLite failed is prepared afresh: the driver closes it for good), the kept writes, and the
 * ids of events and history rows (given there, not by SQLite, so that writes kept in memory and
 * written later keep the ids the supervisor was told). This class holds what is stored and how
 * the database is opened.
 *
 * <p>Thread: one owner, the supervisor thread, calls every method; the connection is not shared.
 */
public final class Store implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Store.class);

  /** Events and history rows kept in memory while the disk refuses writes; beyond, dropped. */
  public static final int MAX_KEPT_RECORDS = 10_000;

  /** The newest events of each process (and of the daemon) that are kept, by default. */
  public static final int EVENTS_PER_PROCESS = 1000;

  /**
   * Where the store meets SQLite's writes: tests put one in front that fails as a full disk does.
   * Each method may throw the {@code SQLException} SQLite would.
   */
  public interface Faults {
    Faults NONE = new Faults() {};

    /** Before a write statement runs. */
    default void beforeWrite(String sql) throws SQLException {}

    /** Before a transaction commits. */
    default void beforeCommit() throws SQLException {}

    /** Before the database is opened for writing. */
    default void beforeOpen() throws SQLException {}
  }

  /**
   * Whether the store is saving, as of the last write.
   *
   * @param saving every change is on disk (false: some wait in memory for space)
   * @param since when the disk first refused the writes that wait, or null while saving
   * @param error what SQLite said the last time the disk refused a write, or null
   * @param unsaved how many writes wait in memory
   * @param lostEvents events not kept since the disk refused writes (beyond {@link
   *     #MAX_KEPT_RECORDS}), reset when space is back
   * @param lostRuns history rows not kept, likewise
   * @param readOnly the database could only be opened read-only (the disk was full at start)
   * @param reserveInUse the reserve was given up to save changes and is not made again yet
   * @param lastRefusal the last time the disk refused a write (even one that the reserve then
   *     saved), or null
   * @param directory the directory of the database, to name in messages
   */
  public record Health(
      boolean saving,
      Instant since,
      String error,
      int unsaved,
      long lostEvents,
      long lostRuns,
      boolean readOnly,
      boolean reserveInUse,
      Instant lastRefusal,
      Path directory) {}

  private final Clock clock;
  private final Writes writes;
  private final Schedules schedules;
  private int eventsPerProcess = EVENTS_PER_PROCESS;

  private Store(Writes writes, Clock clock) {
    this.writes = writes;
    this.clock = clock;
    this.schedules = new Schedules(clock, this);
  }

  /** The scheduled jobs and the run history: same connection, same transactions. */
  public Schedules schedules() {
    return schedules;
  }

  /** The connection, for reads (it changes when a read-only start reopens it for writing). */
  Connection connection() {
    return writes.connection();
  }

  /** Runs one write in the open transaction, or keeps it while the disk refuses writes (Writes). */
  void write(Writes.Write w) {
    writes.write(w);
  }

  /** The id the next history row gets. */
  long takeHistoryId() {
    return writes.takeHistoryId();
  }

  /** Runs a delete that returns how many rows it removed (0 while the disk refuses writes). */
  int prune(String sql, String what, Object... params) {
    return writes.prune(sql, what, params);
  }

  /** Whether every change is saved, and if not, since when and why. */
  public Health health() {
    return writes.health();
  }

  /** How many of the writes waiting for space concern the process {@code name}. */
  public int unsavedOf(String name) {
    return writes.unsavedOf(name);
  }

  /**
   * Tries to save what waits for space (called every second while something waits), and makes
   * the reserve again once there is room. Never throws.
   *
   * @return whether everything is saved now
   */
  public boolean retry() {
    return writes.retry();
  }

  /**
   * Opens a transaction that the following writes join, until {@link #commit}: the supervisor
   * wraps each of its tasks in one, so a change and the events that record it land together.
   * Outside one, every write commits by itself.
   */
  public void begin() {
    writes.begin();
  }

  /**
   * Commits the open transaction, if any. A commit the disk refuses keeps its writes for later
   * ({@link #health}); other failures throw.
   */
  public void commit() {
    writes.commit();
  }

  /**
   * Opens (creating if needed) the database and brings its schema up to date.
   *
   * @throws StoreException with a message that says what to do when the file is unreadable,
   *     corrupt, or from a newer version
   */
  public static Store open(Path file, Clock clock) {
    return open(file, clock, Faults.NONE);
  }

  /** As {@link #open(Path, Clock)}, with SQLite's writes going through {@code faults} (tests). */
  public static Store open(Path file, Clock clock, Faults faults) {
    Reserve reserve = new Reserve(file.resolveSibling(file.getFileName() + ".reserve"));
    try {
      if (!Files.exists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
    } catch (IOException e) {
      throw new StoreException("cannot create the database " + file + ": " + e.getMessage(), e);
    }
    Connection connection;
    boolean readOnly = false;
    SQLException refused = null;
    try {
      connection = openForWriting(file, faults);
    } catch (SQLException e) {
      if (!Writes.refusesWrites(e)) {
        throw cannotRead(file, e);
      }
      refused = e;
      connection = null;
    }
    boolean usedReserve = false;
    if (connection == null && reserve.release() > 0) {
      usedReserve = true;
      log.warn("the disk is full: deleted the reserve {} to open the database", reserve.file());
      try {
        connection = openForWriting(file, faults);
      } catch (SQLException e) {
        if (!Writes.refusesWrites(e)) {
          throw cannotRead(file, e);
        }
        refused = e;
      }
    }
    if (connection == null) {
      connection = openReadOnly(file, refused);
      readOnly = true;
    }
    try {
      return new Store(new Writes(file, connection, readOnly, refused, usedReserve, clock, faults, reserve), clock);
    } catch (SQLException e) {
      closeQuietly(connection);
      throw cannotRead(file, e);
    }
  }

  private static StoreException cannotRead(Path file, SQLException e) {
    return new StoreException(
        "cannot read the database " + file + " (" + e.getMessage() + "); if it is damaged, move it aside and start again",
        e);
  }

  static Connection openForWriting(Path file, Faults faults) throws SQLException {
    faults.beforeOpen();
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
    try {
      try (Statement st = connection.createStatement()) {
        st.execute("PRAGMA busy_timeout = 5000");
        checkReadable(connection, file);
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = NORMAL");
        st.execute("PRAGMA foreign_keys = ON");
      }
      Migrations.apply(connection, file);
      return connection;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  /**
   * The database of a daemon that starts on a full disk: read-only, so that it can serve what is
   * stored (status, stop, remove) and keep its own changes in memory until it can write.
   */
  private static Connection openReadOnly(Path file, SQLException refused) {
    org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(5000);
    Connection connection;
    try {
      connection = config.createConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw new StoreException(
          "cannot open the database "
              + file
              + ": the disk is full ("
              + refused.getMessage()
              + "); free some space on "
              + file.getParent()
              + " and start the daemon again",
          e);
    }
    try {
      checkReadable(connection, file);
      if (Migrations.userVersion(connection) != Migrations.CURRENT) {
        throw new StoreException(
            "the database "
                + file
                + " must be upgraded, and the disk is full ("
                + refused.getMessage()
                + "); free some space on "
                + file.getParent()
                + " and start the daemon again",
            null);
      }
      return connection;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw new StoreException(
          "cannot read the database " + file + " while the disk is full (" + e.getMessage()
              + "); free some space on " + file.getParent() + " and start the daemon again",
          e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  private static void checkReadable(Connection connection, Path file) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
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
    // Refuse a newer schema before anything writes to the file.
    Migrations.refuseNewer(connection, file);
  }

  /** Keeps the newest {@code n} events of each process (and of the daemon); applies from now. */
  public void keepEventsPerProcess(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("at least 1 event per process: " + n);
    }
    eventsPerProcess = n;
  }

  // --- processes and their runs ------------------------------------------------------------------

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
    write(
        new Writes.Write(
            "INSERT INTO runs (name, pid, start_time_ms, started_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT(name) DO UPDATE SET pid = excluded.pid,"
                + " start_time_ms = excluded.start_time_ms, started_at = excluded.started_at",
            new Object[] {
              name, run.pid(), run.startTime() == null ? null : run.startTime().toEpochMilli(), run.startedAt().toString()
            },
            "run:" + name,
            name,
            Writes.Kind.STATE,
            "record the run of " + name));
  }

  /** Forgets the run of a process: it has no live process any more. */
  public void clearRun(String name) {
    write(
        new Writes.Write(
            "DELETE FROM runs WHERE name = ?", new Object[] {name}, "run:" + name, name, Writes.Kind.STATE,
            "clear the run of " + name));
  }

  public List<StoredProcess> loadProcesses() {
    List<StoredProcess> out = new ArrayList<>();
    try (PreparedStatement st =
            connection().prepareStatement(
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
    write(
        new Writes.Write(
            "INSERT INTO processes (name, spec, desired, desired_by, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, desired = excluded.desired,"
                + " desired_by = excluded.desired_by, updated_at = excluded.updated_at",
            new Object[] {
              spec.name(), Json.write(spec.toJson()), desiredRunning ? "running" : "stopped", desiredBy, now, now
            },
            null,
            spec.name(),
            Writes.Kind.STATE,
            "save " + spec.name()));
  }

  /** Replaces a definition, keeping whether it should run. */
  public void updateSpec(ProcessSpec spec) {
    write(
        new Writes.Write(
            "UPDATE processes SET spec = ?, updated_at = ? WHERE name = ?",
            new Object[] {Json.write(spec.toJson()), clock.instant().toString(), spec.name()},
            "spec:" + spec.name(),
            spec.name(),
            Writes.Kind.STATE,
            "save " + spec.name()));
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
    write(
        new Writes.Write(
            "UPDATE processes SET desired = ?, desired_by = ?, updated_at = ? WHERE name = ?",
            new Object[] {running ? "running" : "stopped", by, clock.instant().toString(), name},
            "desired:" + name,
            name,
            Writes.Kind.STATE,
            "save the state of " + name));
  }

  /**
   * Saves the state a process's latest transition left it in (JSON values only), for the next
   * daemon to start from; called in the transaction of that transition.
   */
  public void saveState(String name, Map<String, Object> state) {
    write(
        new Writes.Write(
            "UPDATE processes SET state = ? WHERE name = ?",
            new Object[] {Json.write(state), name},
            "state:" + name,
            name,
            Writes.Kind.STATE,
            "save the state of " + name));
  }

  public void deleteProcess(String name) {
    write(
        new Writes.Write(
            "DELETE FROM processes WHERE name = ?", new Object[] {name}, null, name, Writes.Kind.STATE, "remove " + name));
  }

  // --- the transaction log ----------------------------------------------------------------------

  /**
   * Appends to the transaction log, and drops the process's oldest entries beyond the newest
   * {@link #keepEventsPerProcess} (so a chatty process never pushes out another's).
   *
   * @param name the process, or null for the daemon
   * @param data details as JSON values; never environment values
   * @return the new entry's id
   */
  public long appendEvent(Instant at, String name, String kind, String message, Map<String, Object> data) {
    Writes.Write insert = writes.event(at, name, kind, message, data);
    write(insert);
    write(
        new Writes.Write(
            "DELETE FROM events WHERE name IS ?1 AND id <= (SELECT id FROM events WHERE name IS ?1"
                + " ORDER BY id DESC LIMIT 1 OFFSET ?2)",
            new Object[] {name, eventsPerProcess},
            "prune-events:" + name,
            null,
            Writes.Kind.STATE,
            "prune the event log of " + (name == null ? "the daemon" : name)));
    return (Long) insert.params()[0];
  }

  /** Rewrites an entry's message and details (a request's outcome, once it is known). */
  public void updateEvent(long id, String message, Map<String, Object> data) {
    write(
        new Writes.Write(
            "UPDATE events SET message = ?, data = ? WHERE id = ?",
            new Object[] {message, Json.write(data), id},
            "event:" + id,
            null,
            Writes.Kind.EVENT,
            "update the event log"));
  }

  /** Deletes events older than {@code before}, and all but the newest {@code keep}; returns how many. */
  public int pruneEvents(Instant before, long keep) {
    return writes.prune(
        "DELETE FROM events WHERE at_ms < ? OR id <= (SELECT MAX(id) FROM events) - ?",
        "prune the event log",
        before.toEpochMilli(),
        keep);
  }

  @Override
  public void close() {
    writes.close();
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // nothing more to do
    }
  }

  static String human(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + String.format(java.util.Locale.ROOT, "%02d", s % 60) + "s";
    }
    return s / 3600 + "h" + String.format(java.util.Locale.ROOT, "%02d", s / 60 % 60) + "m";
  }
}
