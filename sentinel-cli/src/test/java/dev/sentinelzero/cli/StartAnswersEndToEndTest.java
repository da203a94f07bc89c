package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code start}, {@code restart-policy} and {@code status} answer, as a user types them from
 * the README, against a real daemon with real processes (issue 9: the brief's own commands, and
 * desired state shown in status).
 */
class StartAnswersEndToEndTest {
  @TempDir Path tmp;
  private Path home;
  private Context context;

  @RegisterExtension
  final TestWatcher printLogOnFailure =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext ctx, Throwable cause) {
          try {
            System.err.println(
                "---- daemon log of " + ctx.getDisplayName() + " ----\n"
                    + Files.readString(home.resolve("logs/daemon.log")));
          } catch (IOException e) {
            System.err.println("(no daemon log: " + e + ")");
          }
        }
      };

  @BeforeEach
  void setUp() throws IOException {
    home = tmp.resolve("home");
    Map<String, String> env = new HashMap<>();
    env.put("SENTINEL_HOME", home.toString());
    env.put("PATH", "/usr/bin:/bin");
    Path work = Files.createDirectories(tmp.resolve("work"));
    context = new Context(Map.copyOf(env), work, System.getProperty("java.class.path"), Context.DAEMON_MAIN_CLASS);
  }

  @AfterEach
  void tearDown() {
    Cli.Result r = sentinel("daemon", "stop");
    assertThat(r.exit()).as("%s", r).isZero();
  }

  private Cli.Result sentinel(String... args) {
    return Cli.run(context, args);
  }

  private Cli.Result ok(String... args) {
    Cli.Result r = sentinel(args);
    assertThat(r.exit()).as("sentinel %s\n%s", String.join(" ", args), r).isZero();
    return r;
  }

  private static Map<String, Object> json(String text) {
    try {
      return Json.parseObject(text.replace("\n", " ").trim());
    } catch (Exception e) {
      throw new AssertionError("not one JSON object: " + text, e);
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> statusOf(String name) {
    return ((List<Map<String, Object>>) json(ok("status", name, "--json").out()).get("processes")).get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @Test
  void startOfARunningProcess_saysItIsAlreadyRunning_exit0_andChangedFalse() {
    ok("start", "--name", "web", "--cmd", "sleep 1000");
    long pid = ((Number) statusOf("web").get("pid")).longValue();

    Cli.Result again = ok("start", "web");
    Cli.Result asJson = ok("start", "web", "--json");

    assertThat(again.out()).isEqualTo("web is already running (pid " + pid + ")\n");
    assertThat(json(asJson.out())).containsEntry("changed", false);
    assertThat(map(json(asJson.out()).get("process"))).containsEntry("pid", (int) pid);
  }

  @Test
  void startOfACommandThatDiesAtOnce_saysHowItEnded_andWhereItsOutputIs_exit1() {
    Cli.Result r = sentinel("start", "--name", "typo", "--cmd", "ls /no-such-directory-here");

    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.errLines()).filteredOn(l -> !l.contains("started the daemon")).hasSize(1);
    assertThat(r.err())
        .contains("typo exited with code 2 within 1s of starting")
        .contains("see its output: sentinel logs typo");
    assertThat(r.out()).isEmpty();
    Cli.Result logs = ok("logs", "typo");
    assertThat(logs.out() + logs.err()).contains("no-such-directory-here");
  }

  @Test
  void startOfACommandKilledAtOnce_saysBySignal_andJsonCarriesTheEarlyExit() {
    Cli.Result r = sentinel("start", "--name", "doomed", "--shell", "--cmd", "kill -SEGV $$", "--json");

    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    Map<String, Object> early = map(json(r.out()).get("early_exit"));
    assertThat(map(early.get("exit"))).containsEntry("kind", "killed").containsEntry("signal", "SEGV");
    assertThat(((Number) early.get("ran_ms")).longValue()).isLessThan(1000);
  }

  @Test
  void aFailingProgramUnderRestartAlways_alreadyInBackoff_isAFailureToo() {
    Cli.Result r = sentinel("start", "--name", "loop", "--restart", "always", "--delay", "30s", "--cmd", "false");

    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    assertThat(r.err()).contains("loop exited with code 1").contains("now backoff").contains("restarting in");
  }

  @Test
  void noWait_keepsFireAndForget_andAHealthyProgram_returns0AfterTheWindow() {
    Cli.Result detached = sentinel("start", "--name", "quick", "--no-wait", "--cmd", "false");
    Cli.Result healthy = sentinel("start", "--name", "fine", "--cmd", "sleep 1000");

    assertThat(detached.exit()).as("%s", detached).isZero();
    assertThat(detached.out()).startsWith("started quick (pid ");
    assertThat(healthy.exit()).as("%s", healthy).isZero();
    assertThat(healthy.out()).startsWith("started fine (pid ");
    assertThat(((Number) statusOf("fine").get("uptime_ms")).longValue())
        .as("the answer came after the process had been up for the window")
        .isGreaterThanOrEqualTo(1000);
  }

  @Test
  void aOneShotThatSucceedsAtOnce_isNotAFailure() {
    Cli.Result r = ok("start", "--name", "once", "--cmd", "true");

    assertThat(r.out()).startsWith("once ran and exited with code 0");
  }

  @Test
  void restartPolicy_aDelayLongerThanTheCap_raisesTheCap_andSaysSo() {
    ok("start", "--name", "my-script", "--cmd", "sleep 1000");

    Cli.Result r = ok("restart-policy", "--name", "my-script", "--retries", "3", "--delay", "5h");

    assertThat(r.out())
        .contains("delay 5h, exponential x2 up to 5h")
        .contains("--max-delay raised from 5m to 5h");
    Map<String, Object> restart = map(statusOf("my-script").get("restart"));
    assertThat(((Number) restart.get("max_delay_ms")).longValue()).isEqualTo(18_000_000L);
  }

  @Test
  void anExplicitMaxDelayBelowTheDelay_isAnErrorNamingBothFlags_givenTogetherOrAgainstTheStoredOne() {
    ok("start", "--name", "my-script", "--delay", "5h", "--cmd", "sleep 1000");

    Cli.Result both = sentinel("restart-policy", "--name", "my-script", "--delay", "5h", "--max-delay", "1m");
    Cli.Result alone = sentinel("restart-policy", "--name", "my-script", "--max-delay", "1m");

    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--max-delay 1m is shorter than --delay 5h");
    assertThat(alone.exit()).isEqualTo(2);
    assertThat(alone.err()).contains("--max-delay 1m is shorter than --delay 5h").doesNotContain("_ms");
  }

  @Test
  void startAndSchedule_withALongDelayAlone_raiseTheCapToo() {
    Cli.Result start = ok("start", "--name", "slow", "--delay", "2h", "--cmd", "sleep 1000");
    Cli.Result schedule =
        ok("schedule", "--name", "nightly", "--cron", "0 2 * * *", "--retries", "2", "--delay", "6h", "--cmd", "true");

    assertThat(start.out()).contains("--max-delay raised from 5m to 2h");
    assertThat(schedule.out()).contains("--max-delay raised from 5m to 6h");
    assertThat(((Number) map(statusOf("nightly").get("restart")).get("max_delay_ms")).longValue())
        .isEqualTo(6 * 3_600_000L);
  }

  @Test
  void status_showsWhyAStoppedProcessIsStopped_inTheTableAndTheDetails() {
    ok("start", "--name", "flaky", "--retries", "0", "--no-wait", "--cmd", "false");
    await().atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(statusOf("flaky").get("state")));

    assertThat(ok("status").out()).containsPattern("flaky\\s+failed \\(gave up\\)");
    assertThat(ok("status", "flaky").out()).contains("stopped (its restart policy gave up)");
    assertThat(statusOf("flaky")).containsEntry("desired", "stopped").containsEntry("desired_by", "gave_up");
  }
}
