package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code sentinel daemon stop} reports the daemon's answer (issue 5: it fails when the daemon
 * could not stop every process). A process that cannot be stopped cannot be made for real, so a
 * stand-in daemon gives the answer; the real daemon's side is DaemonHandlersTest and
 * SupervisorTest, and its success end to end EndToEndTest and DaemonEndToEndTest.
 */
class DaemonStopTest {
  @TempDir Path home;
  private FakeServer server;
  private long exitedPid;

  @BeforeEach
  void aDaemonPidThatHasExited() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    exitedPid = gone.pid();
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
      assertThat(server.failures()).isEmpty();
    }
  }

  /**
   * Answers daemon.stop with {@code result}, its socket already removed as an exiting daemon's is
   * (the open connection still works), so that the CLI finds it gone when it looks again.
   */
  private void daemonAnswering(Map<String, Object> result) throws Exception {
    server =
        FakeServer.start(
            home,
            (request, out) -> {
              Files.deleteIfExists(home.resolve("sentinel.sock"));
              out.write(FakeServer.ok(request, result));
            });
  }

  private Map<String, Object> answer(boolean stoppedAll, List<Map<String, Object>> notStopped) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("stopping", true);
    result.put("pid", exitedPid);
    result.put("keep_running", false);
    result.put("stopped_all", stoppedAll);
    result.put("not_stopped", notStopped);
    return result;
  }

  @Test
  void whenEveryProcessStopped_exits0() throws Exception {
    daemonAnswering(answer(true, List.of()));

    Cli.Result result = Cli.run(Cli.context(home), "daemon", "stop");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("stopped the daemon (pid " + exitedPid + ")\n");
    assertThat(result.err()).isEmpty();
    assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r).containsEntry("cmd", "daemon.stop"));
  }

  @Test
  void whenSomeCouldNotBeStopped_exits1_andSaysWhichAndWhatToDo_onOneLine() throws Exception {
    daemonAnswering(
        answer(false, List.of(Map.of("name", "web", "pgid", 1234), Map.of("name", "db", "pgid", 1240))));

    Cli.Result result = Cli.run(Cli.context(home), "daemon", "stop");

    assertThat(result.exit()).as(result.toString()).isEqualTo(1);
    assertThat(result.out()).isEqualTo("stopped the daemon (pid " + exitedPid + ")\n");
    assertThat(result.errLines())
        .containsExactly(
            "sentinel: the daemon stopped, but could not stop web (process group 1234) and db"
                + " (process group 1240): they may still be running; list them with: pgrep -g"
                + " 1234,1240; end them with: kill -KILL -- -1234 -1240; or run sentinel daemon"
                + " start, which takes them over again");
  }

  @Test
  void withJson_printsTheAnswer_andStillExits1() throws Exception {
    daemonAnswering(answer(false, List.of(Map.of("name", "web", "pgid", 1234))));

    Cli.Result result = Cli.run(Cli.context(home), "daemon", "stop", "--json");

    assertThat(result.exit()).as(result.toString()).isEqualTo(1);
    Map<String, Object> json = Json.parseObject(result.out());
    assertThat(json).containsEntry("stopped_all", false);
    assertThat(json.get("not_stopped")).isEqualTo(List.of(Map.of("name", "web", "pgid", 1234)));
    assertThat(result.errLines()).singleElement().asString().startsWith("sentinel: the daemon stopped, but could not stop web");
  }

  @Test
  void whenTheDaemonCannotTellWhich_pointsAtItsLog() throws Exception {
    daemonAnswering(answer(false, List.of()));

    Cli.Result result = Cli.run(Cli.context(home), "daemon", "stop");

    assertThat(result.exit()).as(result.toString()).isEqualTo(1);
    assertThat(result.errLines())
        .containsExactly(
            "sentinel: the daemon stopped, but could not tell whether every process stopped; its"
                + " log says more: "
                + home.resolve("logs").resolve("daemon.log"));
  }

  @Test
  void anOlderDaemonThatSaysNothingAboutIt_countsAsStopped() throws Exception {
    daemonAnswering(Map.of("stopping", true, "pid", exitedPid));

    Cli.Result result = Cli.run(Cli.context(home), "daemon", "stop");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
  }
}
