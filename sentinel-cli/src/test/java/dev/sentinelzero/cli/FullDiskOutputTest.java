package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.DaemonInfo;
import dev.sentinelzero.protocol.DiskStatus;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.RestartPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI shows of a full disk (issue 12): nothing mentioned it before. The stand-in daemon
 * answers as a daemon on a full disk does.
 */
class FullDiskOutputTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final String UNSAVED =
      "the disk is full: this change is made but not saved yet (3 changes wait in memory for space in /h);"
          + " it is saved once space is freed, and lost if the daemon is killed before";

  @TempDir Path home;
  private FakeServer server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
      assertThat(server.failures()).isEmpty();
    }
  }

  private Context context() {
    return Cli.context(home).withClock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static ProcessStatus web(String warning) {
    ProcessSpec spec =
        new ProcessSpec("web", "sleep 100", null, false, "/srv", Map.of(), null, "TERM", 10_000, RestartPolicy.DEFAULT);
    return new ProcessStatus(
        "web", "running", 4242L, NOW, 1_000L, 0, null, "started by request", null, null, "sleep 100", spec,
        ProcessStatus.REASON_MANUAL, null, null, null, null, "running", ProcessStatus.BY_REQUEST, warning);
  }

  @Test
  void aChangeThatIsNotSavedYet_succeeds_andSaysSoOnStderr() throws Exception {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("process", web(null).toJson());
    result.put("changed", true);
    result.put("warning", UNSAVED);
    server = FakeServer.start(home, FakeServer.answering(result));

    Cli.Result r = Cli.run(context(), "stop", "web");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).isEqualTo("sentinel: warning: " + UNSAVED + "\n");
  }

  @Test
  void underJson_theWarningIsInTheJsonOnly() throws Exception {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("process", web(null).toJson());
    result.put("changed", true);
    result.put("warning", UNSAVED);
    server = FakeServer.start(home, FakeServer.answering(result));

    Cli.Result r = Cli.run(context(), "stop", "web", "--json");

    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("\"warning\"");
  }

  @Test
  void status_marksTheProcessesConcerned_inTheTableAndInTheDetails() throws Exception {
    String warning = "its log files are on a full file system (/h/logs, 0 B free): its output is being lost";
    server = FakeServer.start(home, FakeServer.answering(Map.of("processes", List.of(web(warning).toJson()))));

    Cli.Result table = Cli.run(context(), "status");
    Cli.Result details = Cli.run(context(), "status", "web");

    assertThat(table.exit()).isZero();
    assertThat(table.out()).contains("warning: web: " + warning);
    assertThat(details.out()).containsPattern("warning: +" + java.util.regex.Pattern.quote(warning));
  }

  @Test
  void daemonStatus_showsTheDisk() throws Exception {
    DaemonInfo info =
        new DaemonInfo(
            4120, "0.1.0", Protocol.VERSION, NOW, 5_000, home.toString(), home.resolve("sentinel.sock").toString(),
            false, home.resolve("logs").toString(), home.resolve("sentinel.db").toString(), 2, 1,
            new DiskStatus(DiskStatus.FULL, "the disk is full: it refuses writes since 2026-12-01T09:59:00Z"
                + " (SQLITE_FULL); 3 changes wait in memory; free some space in /h", NOW, 3, 0, 0L, 0L, false, true));
    server = FakeServer.start(home, FakeServer.answering(info.toJson()));

    Cli.Result r = Cli.run(context(), "daemon", "status");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).containsPattern("disk: +FULL: the disk is full: it refuses writes since");
  }
}
