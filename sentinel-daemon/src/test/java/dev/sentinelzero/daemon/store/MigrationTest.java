package dev.sentinelzero.daemon.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database written by the first schema version is upgraded in place, its data kept. */
class MigrationTest {
  @TempDir Path dir;

  @Test
  void open_upgradesAVersion1Database_keepingItsDefinitions() throws Exception {
    Path file = dir.resolve("sentinel.db");
    // Exactly what version 1 of the schema wrote.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      st.executeUpdate(Migrations.STEPS.get(0));
      st.executeUpdate("PRAGMA user_version = 1");
      st.executeUpdate(
          "INSERT INTO processes (name, spec, desired, created_at, updated_at) VALUES ('web',"
              + " '{\"name\":\"web\",\"cmd\":\"sleep 1000\",\"shell\":false,\"cwd\":\"/tmp\",\"env\":{\"K\":\"v\"},"
              + "\"stop_signal\":\"TERM\",\"stop_timeout_ms\":10000}', 'running',"
              + " '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')");
    }

    try (Store store = Store.open(file, Clock.systemUTC())) {
      Store.StoredProcess web = store.loadProcesses().get(0);
      assertThat(web.spec().command()).isEqualTo("sleep 1000");
      assertThat(web.spec().env()).containsEntry("K", "v");
      assertThat(web.spec().restart().mode()).isEqualTo("on-failure"); // the default, for old rows
      assertThat(web.desiredRunning()).isTrue();
      assertThat(web.desiredBy()).isEqualTo("request");
      assertThat(web.state()).as("no saved state: the next daemon starts it as before").isNull();
      assertThat(web.run()).isNull();
      store.recordRun("web", new Store.StoredRun(4242, Instant.parse("2026-11-27T10:00:00Z"), Instant.parse("2026-11-27T10:00:01Z")));
      assertThat(store.loadProcesses().get(0).run().pid()).isEqualTo(4242);
      long run = store.schedules().startRun("web", "daemon", null, Instant.parse("2026-11-27T10:00:01Z"), 4242L, null, null);
      assertThat(store.schedules().openRuns()).extracting(r -> r.id()).containsExactly(run);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(Migrations.CURRENT).isEqualTo(5);
    }
  }

  @Test
  void open_upgradesAVersion4Database_givingItsJobsADesiredStateSetByTheirSchedule() throws Exception {
    Path file = dir.resolve("v4.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      for (int step = 0; step < 4; step++) {
        for (String sql : Migrations.STEPS.get(step).split(";\\s*")) {
          st.executeUpdate(sql);
        }
      }
      st.executeUpdate("PRAGMA user_version = 4");
      for (String name : new String[] {"web", "backup"}) {
        st.executeUpdate(
            "INSERT INTO processes (name, spec, desired, created_at, updated_at) VALUES ('" + name + "',"
                + " '{\"name\":\"" + name + "\",\"cmd\":\"sleep 1\",\"cwd\":\"/tmp\"}',"
                + " '" + (name.equals("web") ? "running" : "stopped") + "', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')");
      }
      st.executeUpdate(
          "INSERT INTO schedules (name, schedule, enabled, anchor_ms, checked_until_ms, created_at, updated_at)"
              + " VALUES ('backup', '{\"cron\":\"0 2 * * *\"}', 1, 0, 0, 'x', 'x')");
    }

    try (Store store = Store.open(file, Clock.systemUTC())) {
      assertThat(store.loadProcesses())
          .extracting(p -> p.spec().name() + ":" + p.desiredRunning() + ":" + p.desiredBy())
          .containsExactly("web:true:request", "backup:false:schedule");
    }
  }

  @Test
  void removingADefinition_removesItsRecordedRun() throws Exception {
    try (Store store = Store.open(dir.resolve("s.db"), Clock.systemUTC())) {
      store.saveProcess(
          new dev.sentinelzero.protocol.ProcessSpec("web", "sleep 1", null, false, "/tmp", java.util.Map.of(), null, "TERM", 1000),
          true);
      store.recordRun("web", new Store.StoredRun(7, null, Instant.now()));
      store.deleteProcess("web");
      store.saveProcess(
          new dev.sentinelzero.protocol.ProcessSpec("web", "sleep 1", null, false, "/tmp", java.util.Map.of(), null, "TERM", 1000),
          true);
      assertThat(store.loadProcesses().get(0).run()).isNull();
    }
  }
}
