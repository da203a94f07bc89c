package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A burst of state-changing requests while the daemon is killed with SIGKILL at a random moment:
 * after a restart, every request that got a success reply is reflected, nothing is half-applied,
 * and every live process is tracked exactly once (issue 5).
 */
class CrashConsistencyTest {
  @TempDir Path tmp;

  /** What the acknowledged replies say each process should be: running, stopped, or gone. */
  enum Expect {
    RUNNING,
    STOPPED,
    GONE
  }

  @ParameterizedTest(name = "killed while request {0} is in flight")
  @ValueSource(ints = {37, 151, 290})
  @SuppressWarnings("unchecked")
  void acknowledgedChanges_surviveSigkill_andEveryProcessIsTrackedOnce(int killAt) throws Exception {
    String marker = Long.toString(200_000 + new Random().nextInt(700_000)); // a unique sleep length
    try (RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home"))) {
      Map<String, Expect> expected = new LinkedHashMap<>();
      String inFlight = null; // the one request whose reply may not have arrived
      int sent = 0;
      boolean dead = false;
      // SIGKILL from another thread, racing the request just sent: the kill lands before, during
      // or after the daemon handles it.
      Thread killer = new Thread(() -> daemon.process().destroyForcibly(), "killer");
      try (RunningDaemon.Client c = daemon.client()) {
        for (int i = 0; i < 200; i++) {
          String name = "p" + i;
          List<Object[]> ops = new ArrayList<>();
          Map<String, Object> define = new LinkedHashMap<>();
          define.put("name", name);
          define.put("argv", List.of("sleep", marker));
          define.put("cwd", "/tmp");
          define.put("path", "/usr/bin:/bin");
          ops.add(new Object[] {"start", define, Expect.RUNNING});
          if (i % 3 == 0) {
            ops.add(new Object[] {"stop", Map.of("name", name), Expect.STOPPED});
          }
          if (i % 5 == 0) {
            ops.add(new Object[] {"remove", Map.of("name", name), Expect.GONE});
          }
          if (i % 7 == 0) {
            ops.add(new Object[] {"restart", Map.of("name", name), Expect.RUNNING});
          }
          for (Object[] op : ops) {
            if (expected.get(name) == Expect.GONE && !op[0].equals("start")) {
              continue;
            }
            inFlight = name;
            if (++sent == killAt) {
              killer.start();
            }
            Response r;
            try {
              r = c.call((String) op[0], (Map<String, Object>) op[1]);
            } catch (IOException e) {
              dead = true; // the daemon died mid-request: this one stays in flight
              break;
            }
            assertThat(r).as("%s %s: %s", op[0], name, r).isInstanceOf(Response.Ok.class);
            expected.put(name, (Expect) op[2]);
            inFlight = null;
          }
          if (dead) {
            break;
          }
        }
      } catch (IOException e) {
        // the connection died with the daemon
      }
      assertThat(sent).as("requests sent before the kill").isGreaterThanOrEqualTo(killAt);
      killer.join();
      assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(expected).as("some requests were acknowledged before the kill").isNotEmpty();

      daemon.launch();

      Map<String, Map<String, Object>> actual = new HashMap<>();
      try (RunningDaemon.Client c = daemon.client()) {
        Response r = c.call("status", Map.of());
        for (Map<String, Object> p : (List<Map<String, Object>>) ((Response.Ok) r).result().get("processes")) {
          actual.put((String) p.get("name"), p);
        }
      }
      String lastInFlight = inFlight;
      for (Map.Entry<String, Expect> e : expected.entrySet()) {
        String name = e.getKey();
        if (name.equals(lastInFlight)) {
          continue; // its last request may or may not have been applied
        }
        Map<String, Object> p = actual.get(name);
        switch (e.getValue()) {
          case GONE -> assertThat(p).as("%s was removed", name).isNull();
          case STOPPED -> assertThat(p.get("state")).as("%s was stopped", name).isEqualTo("stopped");
          case RUNNING -> assertThat(p.get("state")).as("%s was started", name).isEqualTo("running");
        }
      }
      assertThat(actual.keySet()).as("nothing the client was not told about, but the one in flight")
          .allSatisfy(n -> assertThat(expected.containsKey(n) || n.equals(lastInFlight)).isTrue());

      // Every live process is tracked, once: the running ones' pids are exactly the live sleeps.
      List<Long> tracked = new ArrayList<>();
      for (Map<String, Object> p : actual.values()) {
        if (p.get("pid") != null) {
          tracked.add(((Number) p.get("pid")).longValue());
        }
      }
      // A process spawned but not yet recorded when the daemon died is found by its marker and
      // adopted, or stopped if its definition never got committed: wait for that stop.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(15))
          .untilAsserted(() -> assertThat(liveSleeps(marker)).containsExactlyInAnyOrderElementsOf(tracked));
      assertThat(daemon.stop()).isIn(0, 143);
      List<Long> left = liveSleeps(marker);
      assertThat(left)
          .as("live after daemon stop (tracked before: %s): %s%n%s", tracked, describe(left), daemon.log())
          .isEmpty();
    }
  }

  /** Each process's state, parent, group and marker, for a failure message. */
  private static String describe(List<Long> pids) {
    StringBuilder out = new StringBuilder();
    for (long pid : pids) {
      String stat;
      try {
        stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat")).trim();
      } catch (IOException e) {
        stat = "(gone)";
      }
      out.append(pid).append(": ").append(stat).append(' ')
          .append(ProcFs.environment(pid).get("SENTINEL_NAME")).append(" run ").append(ProcFs.environment(pid).get("SENTINEL_RUN_ID")).append('\n');
    }
    return out.toString();
  }

  private static List<Long> liveSleeps(String marker) throws IOException {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        try {
          String cmdline = Files.readString(dir.resolve("cmdline"));
          if (cmdline.equals("sleep\0" + marker + "\0") && !"Z".equals(ProcFs.state(Long.parseLong(dir.getFileName().toString())))) {
            out.add(Long.parseLong(dir.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return out;
  }
}
