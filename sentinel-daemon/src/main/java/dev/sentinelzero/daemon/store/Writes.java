package dev.sentinelzero.daemon.store;

import dev.sentinelzero.protocol.Json;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * The seam where the store's writes reach SQLite: the connection, its transactions, the prepared
 * statements, and what happens when the disk refuses a write (see {@link Store}): the writes kept
 * in memory, in order, until the disk takes them ({@link #retry}), the reserve given up at the
 * first refusal, a read-only connection reopened for writing. Also gives the ids of events and
 * history rows, so that writes kept and written later keep the ids the supervisor holds.
 *
 * <p>Thread: owned by its store's thread (the supervisor's).
 */
final class Writes {
  private static final Logger log = LoggerFactory.getLogger(Store.class);

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
  private final Store.Faults faults;
  private final Reserve reserve;
  private Connection connection;
  private boolean readOnly;

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

  /**
   * @param readOnly the connection could only be opened read-only: every write is kept until it
   *     can be reopened for writing ({@code refused}: why)
   * @param usedReserve the reserve was given up to open the database
   */
  Writes(Path file, Connection connection, boolean readOnly, SQLException refused, boolean usedReserve, Clock clock,
      Store.Faults faults, Reserve reserve) throws SQLException {
    this.file = file;
    this.connection = connection;
    this.readOnly = readOnly;
    this.clock = clock;
    this.faults = faults;
    this.reserve = reserve;
    this.nextEventId = nextId("events");
    this.nextHistoryId = nextId("history");
    if (usedReserve) {
      lastRefusal = clock.instant();
    }
    if (readOnly) {
      refused(refused, "opening the database for writing");
    } else {
      reserveInUse = !reserve.ensure();
    }
  }

  /** The connection, for reads (it changes when a read-only start reopens it for writing). */
  Connection connection() {
    return connection;
  }

  private long nextId(String table) throws SQLException {
    long max = 0;
    try (Statement st = connection.createStatement()) {
      try (java.sql.ResultSet rs = st.executeQuery("SELECT MAX(id) FROM " + table)) {
        if (rs.next()) {
          max = rs.getLong(1);
        }
      }
      try (java.sql.ResultSet rs = st.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = '" + table + "'")) {
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

  /** An insert into the transaction log, with the next id. */
  Write event(Instant at, String name, String kind, String message, Map<String, Object> data) {
    long id = nextEventId++;
    return new Write(
        "INSERT INTO events (id, at, at_ms, name, kind, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
        new Object[] {id, at.toString(), at.toEpochMilli(), name, kind, message, Json.write(data)},
        null,
        name,
        Kind.EVENT,
        "append to the event log");
  }

  /** Whether every change is saved, and if not, since when and why. */
  Store.Health health() {
    Outage o = outage;
    return new Store.Health(
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
  int unsavedOf(String name) {
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
    if (w.kind() != Kind.STATE && kept.records() >= Store.MAX_KEPT_RECORDS) {
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
            + Store.human(Duration.between(o.since, clock.instant())) + "; " + o.keptTotal + " changes were saved late" + lost;
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
      fresh = Store.openForWriting(file, faults);
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
  boolean retry() {
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
  void begin() {
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
  void commit() {
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

  /** A last try to save what waits (lost with the daemon if it fails), then closes. */
  void close() {
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
}
