package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos (issue 12, "Our own reliability suite"): a real daemon under a stream of changes from
 * several clients at once is killed with SIGKILL at random moments, again and again. After each
 * restart: every change a client was told about is there (the one request in flight on each
 * client may or may not be), nothing runs twice, and every process that was running is adopted
 * with its pid, not started again. Each process is {@code sleep N} with an N of its own, so that
 * /proc tells which processes are whose.
 *
 * <p>Rounds: {@code -Dsentinel.chaos.rounds=N} (default 4, well under a minute; a long run: 200).
 * The kill comes after a random number of acknowledged changes, so it lands before, during or
 * after whatever request each client has in flight.
 */
class ChaosTest {
  private static final int CLIENTS = 3;
  private static final int NAMES_PER_CLIENT = 8;

  @TempDir Path tmp;

  enum Expect {
    RUNNING,
    STOPPED,
    GONE
  }

  /** What the daemon told one client about its processes. */
  static final class Client extends Thread {
    final int index;
    final RunningDaemon daemon;
    final long marker;
    final Random random;
    final AtomicInteger acks;
    final Map<String, Expect> expected = new LinkedHashMap<>();
    final Map<String, Long> pids = new HashMap<>();
    final List<String> internalErrors = new ArrayList<>();
    volatile String inFlight;
    volatile boolean stop;

    Client(int index, RunningDaemon daemon, long marker, long seed, AtomicInteger acks) {
      super("chaos-client-" + index);
      this.index = index;
      this.daemon = daemon;
      this.marker = marker;
      this.random = new Random(seed);
      this.acks = acks;
      for (int j = 0; j < NAMES_PER_CLIENT; j++) {
        expected.put(name(j), Expect.GONE);
      }
    }

    String name(int j) {
      return "c" + index + "-p" + j;
    }

    long sleepOf(String name) {
      return marker + index * 100L + Integer.parseInt(name.substring(name.indexOf('p') + 1));
    }

    @Override
    public void run() {
      try (RunningDaemon.Client c = daemon.client()) {
        while (!stop) {
          String name = name(random.nextInt(NAMES_PER_CLIENT));
          Expect now = expected.get(name);
          String cmd;
          Map<String, Object> args = new LinkedHashMap<>();
          args.put("name", name);
          Expect after;
          if (now == Expect.GONE) {
            cmd = "start";
            args.put("argv", List.of("sleep", Long.toString(sleepOf(name))));
            args.put("cwd", "/tmp");
            args.put("path", "/usr/bin:/bin");
            after = Expect.RUNNING;
          } else {
            int pick = random.nextInt(10);
            if (pick < 3) {
              cmd = "stop";
              after = Expect.STOPPED;
            } else if (pick < 6) {
              cmd = "start";
              after = Expect.RUNNING;
            } else if (pick < 8) {
              cmd = "restart";
              after = Expect.RUNNING;
            } else {
              cmd = "remove";
              after = Expect.GONE;
            }
          }
          inFlight = name;
          Response r;
          try {
            r = c.call(cmd, args);
          } catch (IOException | RuntimeException e) {
            return; // the daemon died: this request stays in flight
          }
          if (r instanceof Response.Failure) {
            Response.Failure f = (Response.Failure) r;
            if (f.code() == dev.sentinelzero.protocol.ErrorCode.INTERNAL) {
              internalErrors.add(cmd + " " + name + ": " + f.message());
            }
            inFlight = null;
            continue;
          }
          expected.put(name, after);
          Object process = ((Response.Ok) r).result().get("process");
          if (process instanceof Map && ((Map<?, ?>) process).get("pid") instanceof Number) {
            pids.put(name, ((Number) ((Map<?, ?>) process).get("pid")).longValue());
          } else if (after != Expect.RUNNING) {
            pids.remove(name);
          }
          inFlight = null;
          acks.incrementAndGet();
        }
      } catch (IOException e) {
        // could not connect: the daemon is gone
      }
    }
  }

  @Test
  void acknowledgedChanges_surviveRepeatedSigkills_nothingRunsTwice_andLiveProcessesAreAdopted() throws Exception {
    int rounds = Integer.getInteger("sentinel.chaos.rounds", 4);
    long seed = Long.getLong("sentinel.chaos.seed", System.nanoTime());
    Random random = new Random(seed);
    long marker = 700_000_000L + random.nextInt(100_000_000) / 1000 * 1000;
    RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home"));
    Map<String, Expect> expected = new LinkedHashMap<>();
    Map<String, Long> pids = new HashMap<>();
    try {
      for (int round = 0; round < rounds; round++) {
        String at = "round " + round + " (seed " + seed + ")";
        AtomicInteger acks = new AtomicInteger();
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          Client client = new Client(i, daemon, marker, random.nextLong(), acks);
          for (String name : new ArrayList<>(client.expected.keySet())) {
            client.expected.put(name, expected.getOrDefault(name, Expect.GONE));
            if (pids.containsKey(name)) {
              client.pids.put(name, pids.get(name));
            }
          }
          clients.add(client);
        }
        clients.forEach(Thread::start);
        int killAfter = 10 + random.nextInt(60);
        await().atMost(Duration.ofSeconds(60)).until(() -> acks.get() >= killAfter);
        daemon.process().destroyForcibly(); // SIGKILL, racing every client's request in flight
        assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        Map<String, String> inFlight = new ConcurrentHashMap<>();
        for (Client client : clients) {
          client.stop = true;
          client.join(TimeUnit.SECONDS.toMillis(30));
          assertThat(client.isAlive()).isFalse();
          assertThat(client.internalErrors).as("%s: internal errors", at).isEmpty();
          if (client.inFlight != null) {
            inFlight.put(client.inFlight, "in flight");
          }
          expected.putAll(client.expected);
          pids.keySet().removeIf(n -> client.expected.containsKey(n));
          pids.putAll(client.pids);
        }

        daemon.launch();

        // A stop the killed daemon had begun is finished by the new one: wait until none is under way.
        await().atMost(Duration.ofSeconds(30)).until(() -> statuses(daemon).values().stream()
            .noneMatch(p -> "stopping".equals(p.get("state")) || "starting".equals(p.get("state"))));
        Map<String, Map<String, Object>> actual = statuses(daemon);
        for (Map.Entry<String, Expect> e : expected.entrySet()) {
          String name = e.getKey();
          Map<String, Object> p = actual.get(name);
          if (inFlight.containsKey(name)) {
            // Its last request may or may not have been made: take what the daemon says.
            Expect now = p == null ? Expect.GONE : "running".equals(p.get("state")) ? Expect.RUNNING : Expect.STOPPED;
            e.setValue(now);
            if (now == Expect.RUNNING) {
              pids.put(name, ((Number) p.get("pid")).longValue());
            } else {
              pids.remove(name);
            }
            continue;
          }
          switch (e.getValue()) {
            case GONE -> assertThat(p).as("%s: %s was removed", at, name).isNull();
            case STOPPED -> assertThat(p).as("%s: %s was stopped", at, name).isNotNull()
                .containsEntry("state", "stopped");
            case RUNNING -> {
              assertThat(p).as("%s: %s was started", at, name).isNotNull().containsEntry("state", "running");
              assertThat(((Number) p.get("pid")).longValue())
                  .as("%s: %s was adopted with its pid, not started again", at, name)
                  .isEqualTo(pids.get(name));
            }
          }
        }
        assertThat(actual.keySet()).as("%s: nothing the clients were not told of", at)
            .allSatisfy(n -> assertThat(expected.get(n) != Expect.GONE || inFlight.containsKey(n)).isTrue());
        // Nothing runs twice, and every live process is one the daemon tracks (one spawned but
        // not recorded when the daemon died is found by its marker and adopted or stopped).
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          Map<String, Long> tracked = new HashMap<>();
          statuses(daemon).forEach((n, p) -> {
            if (p.get("pid") != null) {
              tracked.put(n, ((Number) p.get("pid")).longValue());
            }
          });
          Map<Long, List<Long>> live = liveSleeps(marker);
          for (Map.Entry<Long, List<Long>> l : live.entrySet()) {
            assertThat(l.getValue()).as("%s: sleep %d runs once", at, l.getKey()).hasSize(1);
          }
          List<Long> all = new ArrayList<>();
          live.values().forEach(all::addAll);
          assertThat(all).as(at).containsExactlyInAnyOrderElementsOf(tracked.values());
        });
      }
      Response r;
      try (RunningDaemon.Client c = daemon.client()) {
        r = c.call("daemon.stop", Map.of());
      }
      assertThat(r).isInstanceOf(Response.Ok.class);
      assertThat(daemon.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(20)).until(() -> liveSleeps(marker).isEmpty());
    } finally {
      daemon.process().destroyForcibly();
      for (List<Long> left : liveSleeps(marker).values()) {
        left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> statuses(RunningDaemon daemon) throws IOException {
    Map<String, Map<String, Object>> out = new HashMap<>();
    try (RunningDaemon.Client c = daemon.client()) {
      Response r = c.call("status", Map.of());
      assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
      for (Map<String, Object> p : (List<Map<String, Object>>) ((Response.Ok) r).result().get("processes")) {
        out.put((String) p.get("name"), p);
      }
    }
    return out;
  }

  /** Live {@code sleep N} processes with N in [marker, marker + 1000): N to pids. */
  private static Map<Long, List<Long>> liveSleeps(long marker) throws IOException {
    Map<Long, List<Long>> out = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        try {
          String[] argv = Files.readString(dir.resolve("cmdline")).split("\0");
          if (argv.length != 2 || !argv[0].equals("sleep")) {
            continue;
          }
          long n = Long.parseLong(argv[1]);
          long pid = Long.parseLong(dir.getFileName().toString());
          if (n >= marker && n < marker + 1000 && !"Z".equals(ProcFs.state(pid))) {
            out.computeIfAbsent(n, k -> new ArrayList<>()).add(pid);
          }
        } catch (IOException | NumberFormatException e) {
          // gone meanwhile, or not ours
        }
      }
    }
    return out;
  }
}
