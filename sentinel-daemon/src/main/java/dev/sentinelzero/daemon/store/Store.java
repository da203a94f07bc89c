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
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * <p>Each statement the supervisor runs often is prepared once and kept; the driver closes a
 * statement for good when SQLite fails it with a disk error, so any statement that fails is
 * dropped from the cache and prepared afresh the next time.
 *
 * <p>Ids of events and history rows are given here, not by SQLite, so that writes kept in memory
 * and written later keep the ids the supervisor was told.
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

  /** What kind of row a write changes: records (events, history rows) may be dropped when kept. */
  enum Kind {
    STATE,
    EVENT,
    HISTORY
  }

  /**
   * One write: its SQL and values, kept until its transaction commits so that it can be written
   * again.
   *
   * @param key writes with the same key set the same row, so a newer one replaces an older one
   *     kept in memory; null for a write that must be kept as it is
   * @param name the process it concerns, or null
   * @param what for messages: {@code record the run of web}
   */
  record Write(String sql, Object[] params, String key, String name, Kind kind, String what) {}

  private final Path file;
  private final Clock clock;
  private final Faults faults;
  private final Reserve reserve;
  private final Schedules schedules;
  private Connection connection;
  private boolean readOnly;
  private int eventsPerProcess = EVENTS_PER_PROCESS;

  /** Prepared once, reused: the statements of the supervisor's hot paths (a spawn, an event). */
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  private boolean inTransaction;
  /** The writes of the open transaction, to keep if its commit is refused. */
  private final List<Write> transaction = new ArrayList<>();
  /** The writes waiting for space, in order; empty while saving. */
  private final Kept kept = new Kept();
  /** Non-null while writes wait for space. */
  private Outage outage;
  private Instant lastRefusal;
  private boolean reserveInUse;
  private long nextEventId;
  private long nextHistoryId;

  /** While writes wait: since when, why, what was dropped. */
  private static final class Outage {
    final Instant since;
    String error;
    long lostEvents;
    long lostRuns;
    /** Writes that were kept, counted as they came (for the message when space is back). */
    long keptTotal;

    Outage(Instant since, String error) {
      this.since = since;
      this.error = error;
    }
  }

  /** The kept writes, in order, a keyed one replacing the older one of its key. */
  private static final class Kept {
    private final LinkedHashMap<Object, Write> writes = new LinkedHashMap<>();
    private final Map<String, Integer> byName = new HashMap<>();
    private long unkeyed;
    private int records;

    int size() {
      return writes.size();
    }

    int records() {
      return records;
    }

    void add(Write w) {
      Object key = w.key() != null ? w.key() : Long.valueOf(unkeyed++);
      Write old = writes.remove(key);
      if (old != null) {
        forget(old);
      }
      writes.put(key, w);
      if (w.kind() != Kind.STATE) {
        records++;
      }
      if (w.name() != null) {
        byName.merge(w.name(), 1, Integer::sum);
      }
    }

    private void forget(Write w) {
      if (w.kind() != Kind.STATE) {
        records--;
      }
      if (w.name() != null) {
        byName.computeIfPresent(w.name(), (k, n) -> n <= 1 ? null : n - 1);
      }
    }

    int of(String name) {
      return byName.getOrDefault(name, 0);
    }

    Iterable<Write> inOrder() {
      return new ArrayList<>(writes.values());
    }

    void clear() {
      writes.clear();
      byName.clear();
      records = 0;
    }
  }

  private Store(Path file, Connection connection, boolean readOnly, Clock clock, Faults faults, Reserve reserve)
      throws SQLException {
    this.file = file;
    this.connection = connection;
    this.readOnly = readOnly;
    this.clock = clock;
    this.faults = faults;
    this.reserve = reserve;
    this.schedules = new Schedules(clock, this);
    this.nextEventId = nextId("events");
    this.nextHistoryId = nextId("history");
  }

  /** The scheduled jobs and the run history: same connection, same transactions. */
  public Schedules schedules() {
    return schedules;
  }

  /** The connection, for reads (it changes when a read-only start reopens it for writing). */
  Connection connection() {
    return connection;
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
      if (!refusesWrites(e)) {
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
        if (!refusesWrites(e)) {
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
      Store store = new Store(file, connection, readOnly, clock, faults, reserve);
      if (usedReserve) {
        store.lastRefusal = clock.instant();
      }
      if (readOnly) {
        store.refused(refused, "opening the database for writing");
      } else {
        store.reserveInUse = !reserve.ensure();
      }
      return store;
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

  private static Connection openForWriting(Path file, Faults faults) throws SQLException {
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

  private long nextId(String table) throws SQLException {
    long max = 0;
    try (Statement st = connection.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT MAX(id) FROM " + table)) {
        if (rs.next()) {
          max = rs.getLong(1);
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = '" + table + "'")) {
        if (rs.next()) {
          max = Math.max(max, rs.getLong(1));
        }
      }
    }
    return max + 1;
  }

  /** The id the next history row gets. */
  long takeHistoryId() {
    return nextHistoryId++;
  }

  /** Keeps the newest {@code n} events of each process (and of the daemon); applies from now. */
  public void keepEventsPerProcess(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("at least 1 event per process: " + n);
    }
    eventsPerProcess = n;
  }

  /** Whether every change is saved, and if not, since when and why. */
  public Health health() {
    Outage o = outage;
    return new Health(
        o == null,
        o == null ? null : o.since,
        o == null ? null : o.error,
        kept.size(),
        o == null ? 0 : o.lostEvents,
        o == null ? 0 : o.lostRuns,
        readOnly,
        reserveInUse,
        lastRefusal,
        file.getParent());
  }

  /** How many of the writes waiting for space concern the process {@code name}. */
  public int unsavedOf(String name) {
    return kept.of(name);
  }

  // --- writes -----------------------------------------------------------------------------------

  /**
   * Runs one write in the open transaction (or in one of its own), or, while the disk refuses
   * writes, keeps it for later. Never throws for a disk that refuses writes.
   *
   * @throws StoreException when SQLite refuses the write for another reason (a bug: a constraint)
   */
  void write(Write w) {
    if (outage != null) {
      keep(w);
      return;
    }
    boolean own = !inTransaction;
    if (own) {
      begin();
      if (outage != null) { // begin itself was refused
        keep(w);
        inTransaction = false;
        return;
      }
    }
    transaction.add(w);
    try {
      execute(w);
    } catch (SQLException e) {
      if (!refusesWrites(e)) {
        transaction.remove(transaction.size() - 1);
        if (own) {
          commit();
        }
        throw new StoreException("cannot " + w.what() + ": " + e.getMessage(), e);
      }
      refused(e, w.what());
    }
    if (own) {
      commit();
    }
  }

  private void execute(Write w) throws SQLException {
    faults.beforeWrite(w.sql());
    try {
      PreparedStatement st = statement(w.sql());
      bind(st, w.params());
      st.executeUpdate();
    } catch (SQLException e) {
      drop(w.sql());
      throw e;
    }
  }

  private void keep(Write w) {
    if (w.kind() != Kind.STATE && kept.records() >= MAX_KEPT_RECORDS) {
      if (w.kind() == Kind.EVENT) {
        outage.lostEvents++;
      } else {
        outage.lostRuns++;
      }
      return;
    }
    kept.add(w);
    outage.keptTotal++;
  }

  /**
   * The disk refused a write or a commit: the transaction is rolled back and its writes kept; the
   * first time, the reserve is given up and the writes tried at once again in its space.
   */
  private void refused(SQLException e, String what) {
    endTransactionQuietly();
    lastRefusal = clock.instant();
    boolean first = outage == null;
    if (first) {
      outage = new Outage(clock.instant(), e.getMessage());
    } else {
      outage.error = e.getMessage();
    }
    for (Write w : transaction) {
      keep(w);
    }
    transaction.clear();
    if (first) {
      long freed = readOnly ? 0 : reserve.release();
      if (freed > 0) {
        reserveInUse = true;
        String message = "the disk is full: the daemon gave up its reserve (" + freed / 1024
            + " KiB) to save its changes; free some space in " + file.getParent();
        log.warn("{} ({}: {})", message, what, e.getMessage());
        keep(event(clock.instant(), null, "disk", message, Map.of("reserve_bytes", freed, "error", String.valueOf(e.getMessage()))));
        flush(false);
      }
      if (outage != null) {
        String message = "the disk refused a write (" + e.getMessage()
            + "); changes are kept in memory and saved once there is space in " + file.getParent();
        log.warn("{} ({})", message, what);
        keep(event(clock.instant(), null, "disk", message, Map.of("error", String.valueOf(e.getMessage()))));
      }
    }
    if (inTransaction && outage == null) {
      try {
        connection.setAutoCommit(false); // the rest of the task joins a new transaction
      } catch (SQLException again) {
        refused(again, "begin a transaction");
      }
    }
  }

  /**
   * Writes what waits for space, in one transaction.
   *
   * @param announce record (event and log) that space is back: false when the reserve's space
   *     saved the writes the moment the disk refused them
   * @return whether everything is saved now
   */
  private boolean flush(boolean announce) {
    if (outage == null) {
      return true;
    }
    if (readOnly && !reopenForWriting()) {
      return false;
    }
    Outage o = outage;
    String message = null;
    try {
      connection.setAutoCommit(false);
      for (Write w : kept.inOrder()) {
        try {
          execute(w);
        } catch (SQLException e) {
          if (refusesWrites(e)) {
            throw e;
          }
          log.error("a change kept while the disk was full cannot be saved ({}): {}", w.what(), e.getMessage());
        }
      }
      if (announce) {
        String lost = o.lostEvents + o.lostRuns == 0
            ? ""
            : "; " + o.lostEvents + " events and " + o.lostRuns + " history rows could not be kept";
        message = "space is back in " + file.getParent() + ": writes were refused for "
            + human(Duration.between(o.since, clock.instant())) + "; " + o.keptTotal + " changes were saved late" + lost;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("full_since", o.since.toString());
        data.put("saved_late", o.keptTotal);
        data.put("lost_events", o.lostEvents);
        data.put("lost_runs", o.lostRuns);
        execute(event(clock.instant(), null, "disk", message, data));
      }
      faults.beforeCommit();
      connection.commit();
      kept.clear();
      outage = null;
    } catch (SQLException e) {
      o.error = e.getMessage();
      lastRefusal = clock.instant();
    } finally {
      endTransactionQuietly();
    }
    if (outage != null) {
      return false;
    }
    if (message != null) {
      log.info(message);
    }
    reserveInUse = !reserve.ensure();
    return true;
  }

  /** A store opened read-only at start tries to open the database for writing. */
  private boolean reopenForWriting() {
    Connection fresh;
    try {
      fresh = openForWriting(file, faults);
    } catch (SQLException e) {
      if (outage != null) {
        outage.error = e.getMessage();
      }
      return false;
    } catch (StoreException e) {
      log.error("cannot reopen the database for writing: {}", e.getMessage());
      return false;
    }
    closeStatements();
    closeQuietly(connection);
    connection = fresh;
    readOnly = false;
    log.info("opened the database {} for writing", file);
    return true;
  }

  /**
   * Tries to save what waits for space (called every second while something waits), and makes
   * the reserve again once there is room. Never throws.
   *
   * @return whether everything is saved now
   */
  public boolean retry() {
    boolean saved = outage == null || flush(true);
    if (saved && inTransaction) {
      try {
        connection.setAutoCommit(false);
      } catch (SQLException e) {
        if (refusesWrites(e)) {
          refused(e, "begin a transaction");
        }
      }
    }
    if (outage == null && reserveInUse) {
      reserveInUse = !reserve.ensure();
    }
    return outage == null;
  }

  /** Whether SQLite failed for lack of space or a disk that refuses writes (not a bug of ours). */
  static boolean refusesWrites(SQLException e) {
    int code;
    if (e instanceof org.sqlite.SQLiteException) {
      code = ((org.sqlite.SQLiteException) e).getResultCode().code & 0xff;
    } else {
      code = e.getErrorCode() & 0xff;
    }
    return code == org.sqlite.SQLiteErrorCode.SQLITE_FULL.code
        || code == org.sqlite.SQLiteErrorCode.SQLITE_IOERR.code
        || code == org.sqlite.SQLiteErrorCode.SQLITE_READONLY.code
        || code == org.sqlite.SQLiteErrorCode.SQLITE_CANTOPEN.code;
  }

  // --- transactions -----------------------------------------------------------------------------

  /**
   * Opens a transaction that the following writes join, until {@link #commit}: the supervisor
   * wraps each of its tasks in one, so a change and the events that record it land together.
   * Outside one, every write commits by itself.
   */
  public void begin() {
    if (inTransaction) {
      return;
    }
    inTransaction = true;
    if (outage != null) {
      return; // the writes are kept until there is space
    }
    try {
      connection.setAutoCommit(false);
    } catch (SQLException e) {
      if (!refusesWrites(e)) {
        inTransaction = false;
        throw new StoreException("cannot begin a transaction: " + e.getMessage(), e);
      }
      refused(e, "begin a transaction");
    }
  }

  /**
   * Commits the open transaction, if any. A commit the disk refuses keeps its writes for later
   * ({@link #health}); other failures throw.
   */
  public void commit() {
    if (!inTransaction) {
      return;
    }
    inTransaction = false;
    if (outage != null) {
      transaction.clear(); // kept already
      return;
    }
    try {
      faults.beforeCommit();
      connection.commit();
      transaction.clear();
    } catch (SQLException e) {
      if (!refusesWrites(e)) {
        transaction.clear();
        endTransactionQuietly();
        throw new StoreException("cannot commit: " + e.getMessage(), e);
      }
      refused(e, "commit");
    } finally {
      setAutoCommitQuietly();
    }
  }

  /** Ends whatever transaction SQLite or the driver holds, and goes back to autocommit. */
  private void endTransactionQuietly() {
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
      }
    } catch (SQLException ignored) {
      // SQLite may have rolled it back already (it does for SQLITE_FULL)
    }
    setAutoCommitQuietly();
  }

  private void setAutoCommitQuietly() {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException ignored) {
      // no transaction was open in SQLite: the driver is back in autocommit mode all the same
    }
  }

  // --- statements -------------------------------------------------------------------------------

  /** A prepared statement for {@code sql}, kept for the next call (parameters are all set again). */
  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement st = statements.get(sql);
    if (st == null) {
      st = connection.prepareStatement(sql);
      statements.put(sql, st);
    }
    return st;
  }

  /** Forgets a statement that failed: the driver may have closed it for good. */
  private void drop(String sql) {
    PreparedStatement st = statements.remove(sql);
    if (st != null) {
      try {
        st.close();
      } catch (SQLException ignored) {
        // it is gone either way
      }
    }
  }

  private void closeStatements() {
    for (PreparedStatement st : statements.values()) {
      try {
        st.close();
      } catch (SQLException ignored) {
        // closing the connection frees it too
      }
    }
    statements.clear();
  }

  static void bind(PreparedStatement st, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object v = params[i];
      if (v == null) {
        st.setNull(i + 1, Types.NULL);
      } else if (v instanceof Integer) {
        st.setInt(i + 1, (Integer) v);
      } else if (v instanceof Long) {
        st.setLong(i + 1, (Long) v);
      } else {
        st.setString(i + 1, v.toString());
      }
    }
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
        new Write(
            "INSERT INTO runs (name, pid, start_time_ms, started_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT(name) DO UPDATE SET pid = excluded.pid,"
                + " start_time_ms = excluded.start_time_ms, started_at = excluded.started_at",
            new Object[] {
              name, run.pid(), run.startTime() == null ? null : run.startTime().toEpochMilli(), run.startedAt().toString()
            },
            "run:" + name,
            name,
            Kind.STATE,
            "record the run of " + name));
  }

  /** Forgets the run of a process: it has no live process any more. */
  public void clearRun(String name) {
    write(
        new Write(
            "DELETE FROM runs WHERE name = ?", new Object[] {name}, "run:" + name, name, Kind.STATE,
            "clear the run of " + name));
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
        new Write(
            "INSERT INTO processes (name, spec, desired, desired_by, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, desired = excluded.desired,"
                + " desired_by = excluded.desired_by, updated_at = excluded.updated_at",
            new Object[] {
              spec.name(), Json.write(spec.toJson()), desiredRunning ? "running" : "stopped", desiredBy, now, now
            },
            null,
            spec.name(),
            Kind.STATE,
            "save " + spec.name()));
  }

  /** Replaces a definition, keeping whether it should run. */
  public void updateSpec(ProcessSpec spec) {
    write(
        new Write(
            "UPDATE processes SET spec = ?, updated_at = ? WHERE name = ?",
            new Object[] {Json.write(spec.toJson()), clock.instant().toString(), spec.name()},
            "spec:" + spec.name(),
            spec.name(),
            Kind.STATE,
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
        new Write(
            "UPDATE processes SET desired = ?, desired_by = ?, updated_at = ? WHERE name = ?",
            new Object[] {running ? "running" : "stopped", by, clock.instant().toString(), name},
            "desired:" + name,
            name,
            Kind.STATE,
            "save the state of " + name));
  }

  /**
   * Saves the state a process's latest transition left it in (JSON values only), for the next
   * daemon to start from; called in the transaction of that transition.
   */
  public void saveState(String name, Map<String, Object> state) {
    write(
        new Write(
            "UPDATE processes SET state = ? WHERE name = ?",
            new Object[] {Json.write(state), name},
            "state:" + name,
            name,
            Kind.STATE,
            "save the state of " + name));
  }

  public void deleteProcess(String name) {
    write(
        new Write(
            "DELETE FROM processes WHERE name = ?", new Object[] {name}, null, name, Kind.STATE, "remove " + name));
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
    Write insert = event(at, name, kind, message, data);
    write(insert);
    write(
        new Write(
            "DELETE FROM events WHERE name IS ?1 AND id <= (SELECT id FROM events WHERE name IS ?1"
                + " ORDER BY id DESC LIMIT 1 OFFSET ?2)",
            new Object[] {name, eventsPerProcess},
            "prune-events:" + name,
            null,
            Kind.STATE,
            "prune the event log of " + (name == null ? "the daemon" : name)));
    return (Long) insert.params()[0];
  }

  private Write event(Instant at, String name, String kind, String message, Map<String, Object> data) {
    long id = nextEventId++;
    return new Write(
        "INSERT INTO events (id, at, at_ms, name, kind, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
        new Object[] {id, at.toString(), at.toEpochMilli(), name, kind, message, Json.write(data)},
        null,
        name,
        Kind.EVENT,
        "append to the event log");
  }

  /** Rewrites an entry's message and details (a request's outcome, once it is known). */
  public void updateEvent(long id, String message, Map<String, Object> data) {
    write(
        new Write(
            "UPDATE events SET message = ?, data = ? WHERE id = ?",
            new Object[] {message, Json.write(data), id},
            "event:" + id,
            null,
            Kind.EVENT,
            "update the event log"));
  }

  /** Deletes events older than {@code before}, and all but the newest {@code keep}; returns how many. */
  public int pruneEvents(Instant before, long keep) {
    if (outage != null) {
      return 0; // pruning can wait for space; nothing grows meanwhile
    }
    try (PreparedStatement st =
        connection.prepareStatement(
            "DELETE FROM events WHERE at_ms < ? OR id <= (SELECT MAX(id) FROM events) - ?")) {
      faults.beforeWrite("DELETE FROM events");
      st.setLong(1, before.toEpochMilli());
      st.setLong(2, keep);
      return st.executeUpdate();
    } catch (SQLException e) {
      if (refusesWrites(e)) {
        refused(e, "prune the event log");
        return 0;
      }
      throw new StoreException("cannot prune the event log: " + e.getMessage(), e);
    }
  }

  /** Runs a delete that returns how many rows it removed, as {@link #pruneEvents} does. */
  int prune(String sql, String what, Object... params) {
    if (outage != null) {
      return 0;
    }
    try (PreparedStatement st = connection.prepareStatement(sql)) {
      faults.beforeWrite(sql);
      bind(st, params);
      return st.executeUpdate();
    } catch (SQLException e) {
      if (refusesWrites(e)) {
        refused(e, what);
        return 0;
      }
      throw new StoreException("cannot " + what + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (outage != null && !inTransaction) {
      flush(true); // a last try: what is still kept after it is lost with the daemon
      if (outage != null) {
        log.error(
            "{} changes could not be saved before the daemon stopped: the disk is still full ({})",
            kept.size(),
            outage.error);
      }
    }
    closeStatements();
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
