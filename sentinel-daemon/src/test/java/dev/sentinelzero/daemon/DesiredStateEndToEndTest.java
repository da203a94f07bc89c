package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each row of the table "What the next daemon does" (docs/architecture.md), across a real daemon
 * restart: {@code daemon.stop} then a new daemon, the daemon killed with SIGKILL, and {@code
 * daemon.stop} with {@code keep_running} (issue 9: a one-shot that had succeeded, a process that
 * had given up, and one stopped by its limit or health check were all started again).
 */
class DesiredStateEndToEndTest {
  @TempDir Path tmp;
  private RunningDaemon daemon;
  private RunningDaemon.Client client;

  @RegisterExtension
  final TestWatcher printLogOnFailure =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (daemon != null) {
            System.err.println("---- daemon log of " + context.getDisplayName() + " ----\n" + daemon.log());
          }
        }
      };

  /** How the daemon goes away between the two halves of a test. */
  enum How {
    STOP,
    KILL,
    KEEP_RUNNING
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  private Response.Ok ok(String cmd, Map<String, Object> args) throws Exception {
    Response r = client.call(cmd, args);
    assertThat(r).as("%s %s -> %s", cmd, args, r).isInstanceOf(Response.Ok.class);
    return (Response.Ok) r;
  }

  private Map<String, Object> define(String name, String cmd, Map<String, Object> extra) throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("cmd", cmd);
    args.put("shell", true);
    args.put("cwd", tmp.toString());
    args.put("path", "/usr/bin:/bin");
    args.putAll(extra);
    return ok("start", args).result();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> status(String name) throws Exception {
    return ((List<Map<String, Object>>) ok("status", Map.of("name", name)).result().get("processes")).get(0);
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> history(String name) throws Exception {
    return (List<Map<String, Object>>) ok("history", Map.of("name", name, "limit", 100)).result().get("runs");
  }

  private void awaitState(String name, String state) {
    await().atMost(Duration.ofSeconds(30)).until(() -> state.equals(status(name).get("state")));
  }

  private static long pid(Map<String, Object> p) {
    return ((Number) p.get("pid")).longValue();
  }

  /** Ends the daemon the given way and starts a new one on the same home. */
  private void bounce(How how) throws Exception {
    switch (how) {
      case STOP:
        ok("daemon.stop", Map.of());
        break;
      case KEEP_RUNNING:
        ok("daemon.stop", Map.of("keep_running", true));
        break;
      case KILL:
        daemon.process().destroyForcibly();
        break;
    }
    assertThat(daemon.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    client.close();
    daemon.launch();
    client = daemon.client();
  }

  @ParameterizedTest
  @EnumSource(How.class)
  void theNextDaemon_bringsBackWhatWasRunningOrBackingOff_andLeavesTheRestAsItWas(How how) throws Exception {
    daemon = RunningDaemon.start(tmp.resolve("home"));
    client = daemon.client();

    // running, started by request
    define("svc", "exec sleep 1000", Map.of());
    // exited: a one-shot that succeeded under on-failure
    define("once", "exit 0", Map.of());
    // failed: any end under --restart never
    define("never", "exit 3", Map.of("restart", Map.of("mode", "never")));
    // failed: its policy gave up
    define("gaveup", "exit 1", Map.of("restart", Map.of("retries", 0)));
    // failed, gave up, with a cooldown: a fresh try is due in an hour
    define("cool", "exit 1", Map.of("restart", Map.of("retries", 0, "cooldown_ms", 3_600_000)));
    // backoff: restarting in an hour (a delay above the cap, which rises with it)
    define("backoff", "exit 1", Map.of("restart", Map.of("mode", "always", "delay_ms", 3_600_000, "jitter", 0)));
    // backoff that comes due while the daemon is away: retried with its count of failed starts
    define("due", "exit 1", Map.of("restart", Map.of(
        "mode", "always", "retries", 50, "delay_ms", 2_000, "backoff", "fixed", "jitter", 0)));
    // stopped by request
    define("parked", "exec sleep 1000", Map.of());
    ok("stop", Map.of("name", "parked"));
    // stopped by its resource limit
    Map<String, Object> hog = new LinkedHashMap<>();
    hog.put("limits", Map.of("max_memory_bytes", 64 * 1024 * 1024, "action", "stop"));
    define("hog", "exec tail /dev/zero", hog);
    // stopped by its health check
    define("sick", "exec sleep 1000", Map.of("health", Map.of(
        "kind", "cmd", "target", "false", "interval_ms", 200, "retries", 1, "action", "stop")));
    // failed: a request's start that could not launch the program
    Path script = Files.writeString(tmp.resolve("gone.sh"), "#!/bin/sh\nexec sleep 1000\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    Map<String, Object> byPath = new LinkedHashMap<>();
    byPath.put("shell", false);
    define("vanished", script.toString(), byPath);
    ok("stop", Map.of("name", "vanished"));
    Files.delete(script);
    assertThat(client.call("start", Map.of("name", "vanished"))).isInstanceOf(Response.Failure.class);
    // a scheduled job between runs, and one with a run going
    schedule("job", "exit 0");
    ok("schedule.run", Map.of("name", "job"));
    schedule("jobrun", "exec sleep 1000");
    ok("schedule.run", Map.of("name", "jobrun"));
    // a scheduled job whose failed run is being retried (its restart policy's backoff)
    Map<String, Object> retrying = new LinkedHashMap<>();
    retrying.put("restart", Map.of("retries", 5, "delay_ms", 3_600_000, "jitter", 0));
    schedule("jobretry", "exit 1", retrying);
    ok("schedule.run", Map.of("name", "jobretry"));
    // stops under way when the daemon goes: a stop, and a restart (both ignore SIGTERM for 3 s)
    Map<String, Object> slowStop = new LinkedHashMap<>();
    slowStop.put("stop_timeout_ms", 3_000);
    String stubborn = "trap '' TERM; while true; do sleep 1; done";
    define("stopping", stubborn, slowStop);
    long restartingPid = pid(status(name(define("restarting", stubborn, slowStop))));

    awaitState("once", "exited");
    awaitState("never", "failed");
    awaitState("gaveup", "failed");
    awaitState("cool", "failed");
    awaitState("backoff", "backoff");
    awaitState("due", "backoff");
    awaitState("hog", "stopped");
    awaitState("sick", "stopped");
    awaitState("job", "exited");
    awaitState("jobrun", "running");
    awaitState("jobretry", "backoff");
    String jobRetryDue = (String) status("jobretry").get("next_attempt_at");
    RunningDaemon.Client other = daemon.client();
    other.out.write(dev.sentinelzero.protocol.Request.of("s", "stop", Map.of("name", "stopping")));
    other.out.write(dev.sentinelzero.protocol.Request.of("r", "restart", Map.of("name", "restarting")));
    awaitState("stopping", "stopping");
    awaitState("restarting", "stopping");
    String coolDue = (String) status("cool").get("next_attempt_at");
    String backoffDue = (String) status("backoff").get("next_attempt_at");
    long jobrunPid = pid(status("jobrun"));
    assertThat(status("hog").get("reason_code")).as("not manual: its limit stopped it").isEqualTo("limit");
    assertThat(status("sick").get("reason_code")).isEqualTo("unhealthy");
    long svcPid = pid(status("svc"));
    int dueRuns = history("due").size();

    bounce(how);
    other.close();

    // running: started again after a stop; adopted (same pid) after a kill or --keep-running
    Map<String, Object> svc = status("svc");
    assertThat(svc.get("state")).isEqualTo("running");
    assertThat(svc).containsEntry("desired", "running").containsEntry("desired_by", "request");
    if (how == How.STOP) {
      assertThat(pid(svc)).isNotEqualTo(svcPid);
      assertThat(history("svc")).extracting(r -> r.get("reason")).containsExactly("manual", "daemon");
    } else {
      assertThat(pid(svc)).isEqualTo(svcPid);
      assertThat(history("svc")).hasSize(1);
    }
    // exited and failed: left as they were, with their reasons, and not run again
    assertRested("once", "exited", "exited", "exited");
    assertRested("never", "failed", "exited", "exited");
    assertRested("gaveup", "failed", "gave_up", "gave_up");
    assertThat((String) status("gaveup").get("reason")).startsWith("gave up: exited with code 1");
    assertRested("vanished", "failed", "launch_failed", "launch_failed");
    // stopped by request, by its limit, by its health check: left stopped, with their reasons
    assertRested("parked", "stopped", "manual", "request");
    assertRested("hog", "stopped", "limit", "limit");
    assertRested("sick", "stopped", "unhealthy", "unhealthy");
    // a cooldown and a backoff are still due when they were
    Map<String, Object> cool = status("cool");
    assertThat(cool).containsEntry("state", "failed").containsEntry("desired", "running");
    assertThat(Instant.parse((String) cool.get("next_attempt_at")))
        .isBetween(Instant.parse(coolDue).minusSeconds(1), Instant.parse(coolDue).plusSeconds(1));
    assertThat(history("cool")).hasSize(1);
    Map<String, Object> backoff = status("backoff");
    assertThat(backoff).containsEntry("state", "backoff").containsEntry("attempts_left", 4);
    assertThat(Instant.parse((String) backoff.get("next_attempt_at")))
        .isBetween(Instant.parse(backoffDue).minusSeconds(1), Instant.parse(backoffDue).plusSeconds(1));
    assertThat(history("backoff")).hasSize(1);
    // a backoff that came due is retried, and its failed starts still count
    await().atMost(Duration.ofSeconds(30)).until(() -> history("due").size() > dueRuns);
    assertThat(history("due").get(dueRuns).get("reason")).isEqualTo("retry");
    await().atMost(Duration.ofSeconds(30))
        .until(() -> "backoff".equals(status("due").get("state")) && history("due").get(dueRuns).get("exit") != null);
    assertThat(((Number) status("due").get("attempts_left")).intValue())
        .as("the failed starts before the restart still count (a fresh count would leave 49)")
        .isLessThan(49);
    // scheduled jobs: never started by the daemon's start; a run going is adopted, or was stopped
    assertRested("job", "exited", "exited", "schedule");
    assertThat(history("job")).hasSize(1);
    Map<String, Object> jobrun = status("jobrun");
    assertThat(jobrun).containsEntry("desired", "stopped").containsEntry("desired_by", "schedule");
    if (how == How.STOP) {
      assertThat(jobrun.get("state")).isEqualTo("stopped");
      assertThat(history("jobrun")).hasSize(1);
    } else {
      assertThat(jobrun.get("state")).isEqualTo("running");
      assertThat(pid(jobrun)).isEqualTo(jobrunPid);
    }
    Map<String, Object> jobretry = status("jobretry");
    assertThat(jobretry.get("state")).as("its retry is kept").isEqualTo("backoff");
    assertThat(Instant.parse((String) jobretry.get("next_attempt_at")))
        .isBetween(Instant.parse(jobRetryDue).minusSeconds(1), Instant.parse(jobRetryDue).plusSeconds(1));
    // a stop under way is finished and stays finished; a restart under way ends running, anew
    awaitState("stopping", "stopped");
    assertThat(status("stopping")).containsEntry("desired", "stopped").containsEntry("desired_by", "request");
    await().atMost(Duration.ofSeconds(30))
        .until(() -> "running".equals(status("restarting").get("state")) && pid(status("restarting")) != restartingPid);
    assertThat(ProcFs.liveInGroup(restartingPid)).as("nothing of the old run is left").isEmpty();
  }

  private void schedule(String name, String cmd) throws Exception {
    schedule(name, cmd, Map.of());
  }

  private void schedule(String name, String cmd, Map<String, Object> extra) throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("cmd", cmd);
    args.put("shell", true);
    args.put("cwd", tmp.toString());
    args.put("path", "/usr/bin:/bin");
    args.put("schedule", Map.of("cron", "0 3 1 1 *"));
    args.putAll(extra);
    ok("schedule", args);
  }

  private void assertRested(String name, String state, String reasonCode, String desiredBy) throws Exception {
    Map<String, Object> p = status(name);
    assertThat(p.get("state")).as("%s: %s", name, p).isEqualTo(state);
    assertThat(p.get("reason_code")).as("%s: %s", name, p).isEqualTo(reasonCode);
    assertThat(p.get("desired")).as("%s: %s", name, p).isEqualTo("stopped");
    assertThat(p.get("desired_by")).as("%s: %s", name, p).isEqualTo(desiredBy);
    assertThat(p.get("pid")).as("%s: %s", name, p).isNull();
    assertThat(history(name))
        .as("%s is not run again by the new daemon", name)
        .noneMatch(r -> "daemon".equals(r.get("reason")));
  }

  @Test
  void afterAKill_aRunThatEndedMeanwhile_isStartedAgain_unlessItsRestartModeIsNever() throws Exception {
    daemon = RunningDaemon.start(tmp.resolve("home"));
    client = daemon.client();
    long brief = pid(status(name(define("brief", "exec sleep 3", Map.of()))));
    long briefNever =
        pid(status(name(define("brief-never", "exec sleep 3", Map.of("restart", Map.of("mode", "never"))))));

    daemon.process().destroyForcibly();
    assertThat(daemon.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(30))
        .until(() -> ProcFs.liveInGroup(brief).isEmpty() && ProcFs.liveInGroup(briefNever).isEmpty());
    client.close();
    daemon.launch();
    client = daemon.client();

    Map<String, Object> again = status("brief");
    assertThat(again.get("state")).isEqualTo("running");
    assertThat(pid(again)).isNotEqualTo(brief);
    Map<String, Object> left = status("brief-never");
    assertThat(left).containsEntry("state", "failed").containsEntry("desired", "stopped");
    assertThat(((Map<?, ?>) left.get("last_exit")).get("kind")).isEqualTo("unknown");
    assertThat((String) left.get("reason")).contains("ended while no daemon was running");
  }

  @SuppressWarnings("unchecked")
  private static String name(Map<String, Object> startResult) {
    return (String) ((Map<String, Object>) startResult.get("process")).get("name");
  }
}
