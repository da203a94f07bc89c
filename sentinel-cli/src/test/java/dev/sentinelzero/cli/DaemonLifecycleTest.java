package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.Json;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting, finding and stopping a daemon. Where a daemon must run, {@link FakeDaemon} stands in
 * for it in a JVM of its own, launched exactly as the real one would be.
 */
class DaemonLifecycleTest {
  @TempDir Path home;

  @AfterEach
  void killLeftoverDaemon() throws IOException {
    Path pidFile = home.resolve("fake-daemon.pid");
    if (Files.exists(pidFile)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()))
          .ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  // ---- no daemon

  @Test
  void noDaemon_withAutostartOff_exits3_andSaysHowToStartIt() {
    Cli.Result result = Cli.run(Cli.context(home), "status");

    assertThat(result.exit()).isEqualTo(3);
    assertThat(result.out()).isEmpty();
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.err())
        .startsWith("sentinel: the daemon is not running")
        .contains("SENTINEL_NO_AUTOSTART=1")
        .contains("start it with: sentinel daemon start");
  }

  @Test
  void noDaemon_theHintKeepsAnExplicitHome() throws Exception {
    Cli.Result result = Cli.run(Cli.context(home), "--home", home.toString(), "list", "--json");

    assertThat(result.exit()).isEqualTo(3);
    assertThat(result.err()).contains("sentinel --home '" + home + "' daemon start");
    assertThat(Json.parseObject(result.out()).get("error").toString()).contains("unavailable");
  }

  @Test
  void noDaemon_aStaleSocketFileCountsAsNotRunning() throws Exception {
    Path socket = home.resolve("sentinel.sock");
    try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      crashed.bind(UnixDomainSocketAddress.of(socket)); // closed without removing the file
    }
    assertThat(socket).exists();

    Cli.Result result = Cli.run(Cli.context(home), "status");

    assertThat(result.exit()).as(result.toString()).isEqualTo(3);
    assertThat(result.err()).contains("the daemon is not running");
  }

  @Test
  void daemonStatus_whenNotRunning_exits3_andShowsWhereItWouldBe() throws Exception {
    Cli.Result result = Cli.run(Cli.context(home), "daemon", "status");

    assertThat(result.exit()).isEqualTo(3);
    assertThat(result.out())
        .contains("daemon: not running")
        .contains("home:   " + home)
        .contains("socket: " + home.resolve("sentinel.sock"));

    Cli.Result json = Cli.run(Cli.context(home), "daemon", "status", "--json");
    assertThat(json.exit()).isEqualTo(3);
    assertThat(Json.parseObject(json.out())).containsEntry("running", false);
  }

  @Test
  void daemonStop_whenNotRunning_isFine() {
    Cli.Result result = Cli.run(Cli.context(home), "daemon", "stop");

    assertThat(result.exit()).isZero();
    assertThat(result.out()).isEqualTo("not running\n");
  }

  @Test
  void daemonStatusAndStop_neverAutostart() {
    Context autostarting = withFakeDaemon(home);

    assertThat(Cli.run(autostarting, "daemon", "status").exit()).isEqualTo(3);
    assertThat(Cli.run(autostarting, "daemon", "stop").exit()).isZero();
    assertThat(home.resolve("fake-daemon.pid")).doesNotExist();
  }

  // ---- with a (fake) daemon

  @Test
  void daemonStart_startsItOnce_thenStatus_thenStopWaitsForItsExit() throws Exception {
    Context context = withFakeDaemon(home);

    Cli.Result started = Cli.run(context, "daemon", "start");
    assertThat(started.exit()).as(started.toString()).isZero();
    long pid = Long.parseLong(Files.readString(home.resolve("fake-daemon.pid")).strip());
    assertThat(started.out()).isEqualTo("started the daemon (pid " + pid + ")\n");
    assertThat(Files.readString(home.resolve("fake-daemon.args")))
        .isEqualTo("--home " + home + " daemon run --detach");

    Cli.Result again = Cli.run(context, "daemon", "start");
    assertThat(again.out()).isEqualTo("already running (pid " + pid + ")\n");

    Cli.Result status = Cli.run(context, "daemon", "status");
    assertThat(status.exit()).isZero();
    assertThat(status.out()).contains("running (pid " + pid + ")");

    Cli.Result stopped = Cli.run(context, "daemon", "stop");
    assertThat(stopped.exit()).as(stopped.toString()).isZero();
    assertThat(stopped.out()).isEqualTo("stopped the daemon (pid " + pid + ")\n");
    // It has exited; the test JVM (its parent here) reaps it a moment later.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty());
  }

  @Test
  void anyCommand_startsTheDaemon_withANoteOnStderrOnly() throws Exception {
    Context context = withFakeDaemon(home);

    Cli.Result result = Cli.run(context, "list", "--json");

    assertThat(result.exit()).as(result.toString()).isZero();
    long pid = Long.parseLong(Files.readString(home.resolve("fake-daemon.pid")).strip());
    assertThat(result.err()).isEqualTo("sentinel: started the daemon (pid " + pid + ")\n");
    assertThat(Json.parseObject(result.out())).containsKey("processes");
  }

  @Test
  void daemonThatExitsAtStart_exits3_withItsLastStderrLines() {
    Context context = withFakeDaemon(home, "FAKE_DAEMON_FAIL", "1");

    Cli.Result result = Cli.run(context, "daemon", "start");

    assertThat(result.exit()).as(result.toString()).isEqualTo(3);
    assertThat(result.out()).isEmpty();
    assertThat(result.errLines())
        .containsExactly(
            "sentinel: daemon: fake daemon: starting",
            "sentinel: daemon: fake daemon: cannot open " + home.resolve("sentinel.db"),
            "sentinel: the daemon exited with code 1 before it answered");
  }

  @Test
  void daemonRun_inTheCliJvm_runsItInTheForeground_andExitsWithItsCode() throws Exception {
    Context context = withFakeDaemon(home);

    CompletableFuture<Cli.Result> run =
        CompletableFuture.supplyAsync(() -> Cli.run(context, "daemon", "run"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Cli.run(Cli.context(home), "daemon", "status").exit() == 0);
    assertThat(Files.readString(home.resolve("fake-daemon.args")))
        .isEqualTo("--home " + home + " daemon run");

    assertThat(Cli.run(Cli.context(home), "daemon", "stop").exit()).isZero();

    assertThat(run.get(20, TimeUnit.SECONDS).exit()).isZero();
  }

  /** Autostart on, and the daemon is {@link FakeDaemon} on this JVM's class path. */
  private static Context withFakeDaemon(Path home, String... extraEnv) {
    Context base = Cli.context(home, extraEnv);
    Map<String, String> env = new HashMap<>(base.env());
    env.remove(Context.NO_AUTOSTART_ENV);
    return new Context(
        Map.copyOf(env), base.cwd(), System.getProperty("java.class.path"),
        FakeDaemon.class.getName());
  }
}
