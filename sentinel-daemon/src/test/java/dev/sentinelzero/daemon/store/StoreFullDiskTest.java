package dev.sentinelzero.daemon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sentinelzero.protocol.EventRecord;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.ProcessSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The store when the disk refuses writes (issue 12, "A full disk"): nothing the supervisor did is
 * reported as failed, what it wrote is kept in memory and saved once the disk takes writes again,
 * and the store recovers by itself. Failures are injected at the seam where the store's writes
 * reach SQLite ({@link Store.Faults}), or made by SQLite itself ({@code max_page_count}, a real
 * small file system).
 */
class StoreFullDiskTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path dir;

  private static SQLException full() {
    return new SQLiteException("[SQLITE_FULL] database or disk is full", SQLiteErrorCode.SQLITE_FULL);
  }

  /** Refuses the next {@code n} commits (and, with {@code writes}, every write meanwhile). */
  private static final class Full implements Store.Faults {
    final AtomicInteger commits = new AtomicInteger();
    volatile boolean writes;
    volatile boolean opens;

    @Override
    public void beforeWrite(String sql) throws SQLException {
      if (writes) {
        throw full();
      }
    }

    @Override
    public void beforeCommit() throws SQLException {
      if (commits.get() > 0) {
        commits.decrementAndGet();
        throw full();
      }
    }

    @Override
    public void beforeOpen() throws SQLException {
      if (opens) {
        throw full();
      }
    }

    void clear() {
      commits.set(0);
      writes = false;
      opens = false;
    }
  }

  private static ProcessSpec spec(String name) {
    return new ProcessSpec(name, "sleep 100", null, false, "/tmp", Map.of(), "/usr/bin:/bin", "TERM", 1000);
  }

  private List<EventRecord> events() {
    try (EventLog log = EventLog.open(dir.resolve("s.db"))) {
      return log.query(null, null, 0, 10_000);
    }
  }

  /** Regression: "start" answered "cannot commit: SQLITE_FULL" though its change had been made. */
  @Test
  void aRefusedCommit_throwsNothing_keepsTheWrites_andSavesThemWhenTheDiskTakesWritesAgain() throws Exception {
    Full faults = new Full();
    try (Store store = Store.open(dir.resolve("s.db"), Clock.fixed(T0, ZoneOffset.UTC), faults)) {
      new Reserve(dir.resolve("s.db.reserve")).release(); // no reserve: the refusal sticks
      faults.commits.set(Integer.MAX_VALUE);

      store.begin();
      store.saveProcess(spec("web"), true);
      long id = store.appendEvent(T0, "web", "running", "started by request, pid 42", Map.of());
      store.recordRun("web", new Store.StoredRun(42, T0, T0));
      assertThatCode(store::commit).doesNotThrowAnyException();

      Store.Health h = store.health();
      assertThat(h.saving()).isFalse();
      assertThat(h.since()).isEqualTo(T0);
      assertThat(h.error()).contains("SQLITE_FULL");
      assertThat(store.unsavedOf("web")).isGreaterThanOrEqualTo(3);
      assertThat(store.loadProcesses()).as("reads see only what is saved").isEmpty();

      // Later writes join the ones waiting, in order, without touching the disk.
      store.setDesired("web", false);
      assertThat(store.retry()).as("still full").isFalse();

      faults.clear();
      assertThat(store.retry()).isTrue();

      assertThat(store.health().saving()).isTrue();
      assertThat(store.unsavedOf("web")).isZero();
      List<Store.StoredProcess> saved = store.loadProcesses();
      assertThat(saved).hasSize(1);
      assertThat(saved.get(0).desiredRunning()).as("the later write applied after the earlier").isFalse();
      assertThat(saved.get(0).run().pid()).isEqualTo(42);
    }
    List<EventRecord> events = events();
    assertThat(events).extracting(EventRecord::id).contains(1L);
    assertThat(events).filteredOn(e -> e.kind().equals("running")).singleElement()
        .satisfies(e -> assertThat(e.message()).isEqualTo("started by request, pid 42"));
    assertThat(events).filteredOn(e -> e.kind().equals("disk")).extracting(EventRecord::message)
        .anySatisfy(m -> assertThat(m).startsWith("the disk refused a write").contains("SQLITE_FULL"))
        .anySatisfy(m -> assertThat(m).startsWith("space is back in " + dir).contains("changes were saved late"));
  }

  /**
   * Regression: after SQLITE_FULL every change answered "cannot append to the event log:
   * statement is not executing" until the daemon restarted: the driver closes a statement that
   * SQLite fails with a disk error, and the store kept reusing it. Here SQLite itself refuses the
   * write (its page limit), from the very statement the store keeps prepared.
   */
  @Test
  void aStatementThatSqliteFailed_isPreparedAfresh_soWritesWorkAgainOnceThereIsSpace() throws Exception {
    try (Store store = Store.open(dir.resolve("s.db"), Clock.fixed(T0, ZoneOffset.UTC))) {
      new Reserve(dir.resolve("s.db.reserve")).release();
      store.appendEvent(T0, "web", "running", "first", Map.of()); // prepares the insert
      int pages = Integer.parseInt(pragma(store, "page_count"));
      pragma(store, "max_page_count = " + pages);

      String big = "x".repeat(64 * 1024); // needs new pages: SQLITE_FULL from the insert itself
      store.appendEvent(T0, "web", "running", big, Map.of());
      assertThat(store.health().saving()).isFalse();
      assertThat(store.health().error()).contains("SQLITE_FULL");

      pragma(store, "max_page_count = 1073741823");
      assertThat(store.retry()).isTrue();
      long id = store.appendEvent(T0, "web", "running", "after", Map.of());

      assertThat(store.health().saving()).isTrue();
      assertThat(events()).extracting(EventRecord::id).contains(id);
      assertThat(events()).extracting(EventRecord::message).contains("first", big, "after");
      assertThat(pragma(store, "integrity_check")).isEqualTo("ok");
    }
  }

  @Test
  void theFirstRefusal_givesUpTheReserve_andSavesInItsSpaceAtOnce() throws Exception {
    Full faults = new Full();
    Path reserve = dir.resolve("s.db.reserve");
    try (Store store = Store.open(dir.resolve("s.db"), Clock.fixed(T0, ZoneOffset.UTC), faults)) {
      assertThat(reserve).as("made at open").isRegularFile();
      assertThat(Files.size(reserve)).isBetween(Reserve.MIN_BYTES, Reserve.MAX_BYTES);
      assertThat(store.health().reserveInUse()).isFalse();
      faults.commits.set(1); // one refusal: the space the reserve gives back is enough

      store.begin();
      store.saveProcess(spec("web"), true);
      store.commit();

      Store.Health h = store.health();
      assertThat(h.saving()).as("saved in the reserve's space").isTrue();
      assertThat(h.lastRefusal()).isEqualTo(T0);
      assertThat(store.loadProcesses()).hasSize(1);
      // This directory has room for a new reserve, so it is made again at once.
      assertThat(reserve).isRegularFile();
    }
    assertThat(events()).filteredOn(e -> e.kind().equals("disk")).extracting(EventRecord::message)
        .singleElement().satisfies(m -> assertThat(m).startsWith("the disk is full: the daemon gave up its reserve"));
  }

  @Test
  void writesKeptInMemory_areBounded_newestKeyedWriteWins_andRecordsBeyondTheCapAreCounted() throws Exception {
    Full faults = new Full();
    try (Store store = Store.open(dir.resolve("s.db"), Clock.fixed(T0, ZoneOffset.UTC), faults)) {
      new Reserve(dir.resolve("s.db.reserve")).release();
      store.saveProcess(spec("web"), true);
      faults.writes = true;

      for (int i = 0; i < 5_000; i++) { // a crash loop on a full disk
        store.begin();
        store.recordRun("web", new Store.StoredRun(1000 + i, T0, T0));
        long run = store.schedules().startRun("web", "retry", null, T0, 1000L + i, null, null);
        store.schedules().endRun(run, T0, new ExitInfo(ExitInfo.EXITED, 1, null, T0, "exited with code 1"));
        store.appendEvent(T0, "web", "running", "restarted, pid " + (1000 + i), Map.of());
        store.commit();
      }

      Store.Health h = store.health();
      assertThat(h.saving()).isFalse();
      assertThat(h.unsaved()).as("records capped, keyed writes coalesced")
          .isLessThanOrEqualTo(Store.MAX_KEPT_RECORDS + 10);
      assertThat(h.lostEvents() + h.lostRuns()).isGreaterThan(0);

      faults.clear();
      assertThat(store.retry()).isTrue();
      assertThat(store.loadProcesses().get(0).run().pid()).as("the newest run").isEqualTo(1000 + 4_999);
    }
    assertThat(events()).filteredOn(e -> e.kind().equals("disk")).extracting(EventRecord::message)
        .anySatisfy(m -> assertThat(m).contains("events and", "history rows could not be kept"));
  }

  @Test
  void aDaemonStartingOnAFullDisk_opensTheDatabaseReadOnly_servesWhatIsStored_andSavesLater() throws Exception {
    Path file = dir.resolve("s.db");
    try (Store store = Store.open(file, Clock.fixed(T0, ZoneOffset.UTC))) {
      store.saveProcess(spec("web"), true);
    }
    new Reserve(dir.resolve("s.db.reserve")).release();
    Full faults = new Full();
    faults.opens = true;

    try (Store store = Store.open(file, Clock.fixed(T0, ZoneOffset.UTC), faults)) {
      assertThat(store.health().readOnly()).isTrue();
      assertThat(store.health().saving()).isFalse();
      assertThat(store.loadProcesses()).extracting(p -> p.spec().name()).containsExactly("web");
      store.setDesired("web", false); // a stop on a full disk
      assertThat(store.retry()).isFalse();

      faults.clear();
      assertThat(store.retry()).isTrue();
      assertThat(store.health().readOnly()).isFalse();
      assertThat(store.loadProcesses().get(0).desiredRunning()).isFalse();
    }
  }

  /**
   * The same on a real file system that fills up: a 1 MiB tmpfs (root only; skipped elsewhere).
   * The database stays sound and keeps every write once space is freed.
   */
  @Test
  void onARealFullFileSystem_writesWaitAndLandOnceSpaceIsFreed() throws Exception {
    Path mnt = dir.resolve("mnt");
    Files.createDirectories(mnt);
    assumeTrue(mount(mnt, "1m"), "cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
    try {
      Path file = mnt.resolve("s.db");
      long firstId;
      long lastId = -1;
      try (Store store = Store.open(file, Clock.fixed(T0, ZoneOffset.UTC))) {
        firstId = store.appendEvent(T0, "web", "running", "before", Map.of());
        fill(mnt.resolve("filler"));
        String line = "y".repeat(2000);
        int n = 0;
        while (store.health().saving() && n < 10_000) { // until the disk refuses, reserve and all
          store.begin();
          lastId = store.appendEvent(T0, "chatty" + (n % 3), "running", line, Map.of());
          store.commit();
          n++;
        }
        assertThat(store.health().saving()).as("the disk refused writes after %d events", n).isFalse();
        assertThat(store.health().reserveInUse()).isTrue();

        Files.delete(mnt.resolve("filler"));
        assertThat(store.retry()).isTrue();
        store.appendEvent(T0, "web", "running", "after", Map.of());
        try (Statement st = store.connection().createStatement();
            ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("ok");
        }
      }
      List<EventRecord> events;
      try (EventLog log = EventLog.open(file)) {
        events = log.query(null, null, 0, 100_000);
      }
      assertThat(events).extracting(EventRecord::id).contains(firstId, lastId);
      assertThat(events).extracting(EventRecord::message).contains("before", "after");
    } finally {
      umount(mnt);
    }
  }

  private static void fill(Path filler) throws IOException {
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
    }
  }

  static boolean mount(Path dir, String size) throws Exception {
    if (!"root".equals(System.getProperty("user.name"))) {
      return false;
    }
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString())
        .redirectErrorStream(true).start();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  static void umount(Path dir) throws Exception {
    new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
  }

  private static String pragma(Store store, String pragma) throws SQLException {
    try (Statement st = store.connection().createStatement()) {
      if (pragma.contains("=")) {
        st.execute("PRAGMA " + pragma);
        return null;
      }
      try (ResultSet rs = st.executeQuery("PRAGMA " + pragma)) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
