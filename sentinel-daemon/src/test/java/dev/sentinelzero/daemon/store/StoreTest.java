package dev.sentinelzero.daemon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentinelzero.protocol.ProcessSpec;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreTest {
  @TempDir Path dir;
  private Path file;
  private MutableClock clock;

  /** A wall clock the test sets by hand. */
  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2025-01-01T00:00:00Z");

    void advanceSeconds(long seconds) {
      now = now.plusSeconds(seconds);
    }

    void advanceMillis(long millis) {
      now = now.plusMillis(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static String sha256(Path path) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path)));
  }

  @BeforeEach
  void setUp() {
    file = dir.resolve("sentinel.db");
    clock = new MutableClock();
  }

  private static ProcessSpec spec(String name, String command) {
    return new ProcessSpec(
        name, command, null, false, "/srv/" + name, Map.of("TOKEN", "secret"), "/usr/bin:/bin", "INT", 2500);
  }

  private Connection jdbc() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  private String pragma(String name) throws SQLException {
    try (Connection c = jdbc();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  /** Writes a database as another program (or a newer build) would, with the given user_version. */
  private void writeDatabase(String journalMode, int userVersion) throws SQLException {
    try (Connection c = jdbc();
        Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = " + journalMode);
      st.executeUpdate("CREATE TABLE processes (name TEXT PRIMARY KEY, spec TEXT, future TEXT)");
      st.executeUpdate("INSERT INTO processes VALUES ('web', '{}', 'x')");
      st.executeUpdate("PRAGMA user_version = " + userVersion);
    }
  }

  @Test
  void open_createsDatabaseFileReadableOnlyByItsOwner() throws Exception {
    try (Store store = Store.open(file, clock)) {
      store.saveProcess(spec("web", "run"), true);

      assertThat(Files.getPosixFilePermissions(file))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      Path wal = dir.resolve("sentinel.db-wal");
      assertThat(wal).exists();
      assertThat(Files.getPosixFilePermissions(wal))
          .doesNotContain(
              PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
              PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
    }
  }

  @Test
  void open_switchesTheDatabaseToWalJournalMode() throws Exception {
    try (Store store = Store.open(file, clock)) {
      assertThat(pragma("journal_mode")).isEqualTo("wal");
    }
  }

  @Test
  void open_bringsNewDatabaseToCurrentSchemaVersion() throws Exception {
    try (Store store = Store.open(file, clock)) {
      assertThat(Integer.parseInt(pragma("user_version"))).isEqualTo(Migrations.CURRENT);
    }
  }

  @Test
  void loadProcesses_isEmptyForNewDatabase() {
    try (Store store = Store.open(file, clock)) {
      assertThat(store.loadProcesses()).isEmpty();
    }
  }

  @Test
  void saveProcess_thenLoad_returnsTheSameDefinition() {
    ProcessSpec web = spec("web", "python3 -m http.server");
    ProcessSpec job =
        new ProcessSpec("job", null, List.of("/bin/echo", "a b", ""), false, "/", Map.of(), null, null, 0);

    try (Store store = Store.open(file, clock)) {
      store.saveProcess(web, true);
      clock.advanceSeconds(1);
      store.saveProcess(job, false);

      assertThat(store.loadProcesses())
          .containsExactly(new Store.StoredProcess(web, true), new Store.StoredProcess(job, false));
    }
  }

  @Test
  void setDesired_changesOnlyThatProcess() {
    try (Store store = Store.open(file, clock)) {
      store.saveProcess(spec("a", "run"), true);
      clock.advanceSeconds(1);
      store.saveProcess(spec("b", "run"), true);

      store.setDesired("a", false);

      assertThat(store.loadProcesses())
          .extracting(p -> p.spec().name() + "=" + p.desiredRunning())
          .containsExactly("a=false", "b=true");

      store.setDesired("a", true);

      assertThat(store.loadProcesses()).allMatch(Store.StoredProcess::desiredRunning);
    }
  }

  @Test
  void setDesired_ofUnknownProcess_changesNothing() {
    try (Store store = Store.open(file, clock)) {
      store.setDesired("ghost", true);

      assertThat(store.loadProcesses()).isEmpty();
    }
  }

  @Test
  void deleteProcess_removesOnlyThatDefinition() {
    try (Store store = Store.open(file, clock)) {
      store.saveProcess(spec("a", "run"), true);
      store.saveProcess(spec("b", "run"), true);

      store.deleteProcess("a");
      store.deleteProcess("never-existed");

      assertThat(store.loadProcesses()).extracting(p -> p.spec().name()).containsExactly("b");
    }
  }

  @Test
  void definitions_surviveCloseAndReopen() {
    ProcessSpec web = spec("web", "run");
    try (Store store = Store.open(file, clock)) {
      store.saveProcess(web, true);
      store.saveProcess(spec("gone", "run"), true);
      store.deleteProcess("gone");
      store.setDesired("web", false);
    }

    try (Store reopened = Store.open(file, clock)) {
      assertThat(reopened.loadProcesses()).containsExactly(new Store.StoredProcess(web, false));
    }
  }

  @Test
  void saveProcess_withExistingName_replacesSpecAndDesiredInPlace() throws Exception {
    try (Store store = Store.open(file, clock)) {
      store.saveProcess(spec("first", "v1"), true);
      clock.advanceSeconds(1);
      store.saveProcess(spec("second", "run"), true);
      clock.advanceSeconds(1);

      ProcessSpec replacement =
          new ProcessSpec("first", null, List.of("/bin/v2"), false, "/new", Map.of(), null, "TERM", 1);
      store.saveProcess(replacement, false);

      assertThat(store.loadProcesses())
          .containsExactly(
              new Store.StoredProcess(replacement, false),
              new Store.StoredProcess(spec("second", "run"), true));
    }
    try (Connection c = jdbc();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT count(*), min(created_at), max(updated_at) FROM processes WHERE name = 'first'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getString(2)).isEqualTo("2025-01-01T00:00:00Z");
      assertThat(rs.getString(3)).isEqualTo("2025-01-01T00:00:02Z");
    }
  }

  @Test
  void loadProcesses_returnsDefinitionsInTheOrderTheyWereCreated() {
    try (Store store = Store.open(file, clock)) {
      for (String name : List.of("zeta", "alpha", "mid")) {
        store.saveProcess(spec(name, "run"), true);
        clock.advanceSeconds(1);
      }

      assertThat(store.loadProcesses()).extracting(p -> p.spec().name()).containsExactly("zeta", "alpha", "mid");
    }
  }

  @Test
  void loadProcesses_keepsCreationOrderWithinOneSecond() {
    try (Store store = Store.open(file, clock)) {
      store.saveProcess(spec("first", "run"), true); // at 00:00:00Z exactly
      clock.advanceMillis(500);
      store.saveProcess(spec("second", "run"), true); // at 00:00:00.500Z

      assertThat(store.loadProcesses()).extracting(p -> p.spec().name()).containsExactly("first", "second");
    }
  }

  @Test
  void loadProcesses_namesTheDefinitionItCannotRead() throws Exception {
    try (Store store = Store.open(file, clock)) {
      store.saveProcess(spec("web", "run"), true);
    }
    try (Connection c = jdbc();
        Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE processes SET spec = '{\"name\":\"web\"}' WHERE name = 'web'");
    }

    try (Store store = Store.open(file, clock)) {
      StoreException e = catchThrowableOfType(StoreException.class, store::loadProcesses);

      assertThat(e.getMessage()).startsWith("the stored definition of web cannot be read: ");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 1000})
  void open_refusesDatabaseFromNewerSchema_leavingItUntouched(int versionsAhead) throws Exception {
    int newer = Migrations.CURRENT + versionsAhead;
    writeDatabase("WAL", newer); // as a newer SentinelZero leaves it
    String before = sha256(file);

    StoreException e = catchThrowableOfType(StoreException.class, () -> Store.open(file, clock));

    assertThat(e).isNotNull();
    assertThat(e.getMessage())
        .contains(
            file.toString(),
            "newer SentinelZero",
            "schema " + newer,
            "this build knows " + Migrations.CURRENT);
    assertThat(sha256(file)).as("the database file is unchanged").isEqualTo(before);
    assertThat(Integer.parseInt(pragma("user_version"))).isEqualTo(newer);
  }

  @Test
  void open_refusesNewerDatabaseInRollbackJournalMode_leavingItUntouched() throws Exception {
    writeDatabase("DELETE", Migrations.CURRENT + 1);
    String before = sha256(file);

    StoreException e = catchThrowableOfType(StoreException.class, () -> Store.open(file, clock));

    assertThat(e.getMessage()).contains("newer SentinelZero");
    assertThat(pragma("journal_mode")).isEqualTo("delete");
    assertThat(sha256(file)).as("the database file is unchanged").isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(ints = {100, 4096, 65_536})
  void open_refusesFileThatIsNotADatabase_withoutOverwritingIt(int size) throws Exception {
    byte[] garbage = new byte[size];
    new Random(size).nextBytes(garbage);
    Files.write(file, garbage);

    StoreException e = catchThrowableOfType(StoreException.class, () -> Store.open(file, clock));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains(file.toString(), "move it aside");
    assertThat(e.getMessage()).containsIgnoringCase("not a database");
    assertThat(Arrays.equals(Files.readAllBytes(file), garbage)).as("the file is unchanged").isTrue();
  }

  @Test
  void open_refusesDatabaseInMissingDirectory() {
    Path missing = dir.resolve("no/such/dir/sentinel.db");

    StoreException e = catchThrowableOfType(StoreException.class, () -> Store.open(missing, clock));

    assertThat(e.getMessage()).startsWith("cannot create the database " + missing);
  }

  @Test
  void storedDefinition_keepsEnvironmentValues_soTheFileMustStayPrivate() throws Exception {
    try (Store store = Store.open(file, clock)) {
      store.saveProcess(spec("web", "run"), true);
      assertThat(store.loadProcesses().get(0).spec().env()).isEqualTo(Map.of("TOKEN", "secret"));
    }
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  /**
   * Regression (issue 9): one chatty process's events pushed every other process's out of the log
   * (a single cap of 100,000 for all). Each process keeps its newest entries, at every insert.
   */
  @Test
  void eachProcess_keepsItsNewestEvents_soAChattyOneCannotPushAnothersOut() throws Exception {
    try (Store store = Store.open(file, clock)) {
      store.keepEventsPerProcess(100);
      for (int i = 0; i < 3; i++) {
        store.appendEvent(clock.instant(), "quiet", "running", "quiet " + i, Map.of());
      }
      store.appendEvent(clock.instant(), null, "daemon", "daemon started", Map.of());
      store.begin();
      long last = 0;
      for (int i = 0; i < 5_000; i++) {
        last = store.appendEvent(clock.instant(), "chatty", "running", "chatty " + i, Map.of());
      }
      store.commit();
      long newest = last;

      try (EventLog log = EventLog.open(file)) {
        assertThat(log.query("chatty", null, 0, 10_000)).hasSize(100)
            .last().satisfies(e -> assertThat(e.id()).isEqualTo(newest));
        assertThat(log.query("quiet", null, 0, 10_000)).extracting(dev.sentinelzero.protocol.EventRecord::message)
            .containsExactly("quiet 0", "quiet 1", "quiet 2");
        assertThat(log.query(null, null, 0, 10_000)).filteredOn(e -> e.name() == null).hasSize(1);
      }
    }
  }
}
