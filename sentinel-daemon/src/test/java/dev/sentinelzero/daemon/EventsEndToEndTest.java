package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.Request;
import dev.sentinelzero.protocol.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transaction log: requests and transitions, read back and followed (issue 5). */
class EventsEndToEndTest {
  @TempDir Path tmp;

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> events(RunningDaemon.Client c, Map<String, Object> args) throws Exception {
    Response r = c.call("events", args);
    assertThat(r).as("%s", r).isInstanceOf(Response.Ok.class);
    return (List<Map<String, Object>>) ((Response.Ok) r).result().get("events");
  }

  @Test
  void aRequestsEntry_namesTheClientsPid() throws Exception {
    long me = ProcessHandle.current().pid(); // the client below runs in this JVM
    try (RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home"));
        RunningDaemon.Client c = daemon.client()) {
      assertThat(c.call("start", sleeper("web"))).isInstanceOf(Response.Ok.class);
      assertThat(c.call("stop", Map.of("name", "web"))).isInstanceOf(Response.Ok.class);

      List<Map<String, Object>> requests = requests(events(c, Map.of("name", "web")));
      assertThat(requests).hasSize(2);
      for (Map<String, Object> request : requests) {
        assertThat(((Number) data(request).get("pid")).longValue()).isEqualTo(me);
      }
      assertThat(requests.get(1).get("message"))
          .isEqualTo(System.getProperty("user.name") + " (pid " + me + "): stop web -> ok");
    }
  }

  @Test
  void aDaemonThatCannotReadPids_logsRequestsWithoutOne() throws Exception {
    try (RunningDaemon daemon = RunningDaemon.startWithoutNioExport(tmp.resolve("home"));
        RunningDaemon.Client c = daemon.client()) {
      assertThat(c.call("start", sleeper("web"))).isInstanceOf(Response.Ok.class);
      assertThat(c.call("stop", Map.of("name", "web"))).isInstanceOf(Response.Ok.class);

      List<Map<String, Object>> requests = requests(events(c, Map.of("name", "web")));
      assertThat(requests).hasSize(2).allSatisfy(r -> assertThat(data(r)).containsEntry("pid", null));
      assertThat(requests.get(1).get("message"))
          .isEqualTo(System.getProperty("user.name") + ": stop web -> ok");
    }
  }

  private static Map<String, Object> sleeper(String name) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", name);
    args.put("argv", List.of("sleep", "1000"));
    args.put("cwd", "/tmp");
    args.put("path", "/usr/bin:/bin");
    return args;
  }

  private static List<Map<String, Object>> requests(List<Map<String, Object>> events) {
    return events.stream().filter(e -> "request".equals(e.get("kind"))).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> data(Map<String, Object> event) {
    return (Map<String, Object>) event.get("data");
  }

  @Test
  void requestsAndTransitions_areLogged_withSecretsRedacted_andCanBeFollowed() throws Exception {
    try (RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home"));
        RunningDaemon.Client c = daemon.client()) {
      Map<String, Object> args = new LinkedHashMap<>();
      args.put("name", "web");
      args.put("argv", List.of("sleep", "1000"));
      args.put("cwd", "/tmp");
      args.put("path", "/usr/bin:/bin");
      args.put("env", Map.of("API_TOKEN", "s3cr3t-v4lue"));
      assertThat(c.call("start", args)).isInstanceOf(Response.Ok.class);
      assertThat(c.call("stop", Map.of("name", "ghost"))).isInstanceOf(Response.Failure.class);
      assertThat(c.call("stop", Map.of("name", "web"))).isInstanceOf(Response.Ok.class);

      List<Map<String, Object>> web = events(c, Map.of("name", "web"));
      List<String> kinds = new ArrayList<>();
      for (Map<String, Object> e : web) {
        kinds.add((String) e.get("kind"));
      }
      // A request's entry is written first, in the same transaction as the change it makes.
      assertThat(kinds).containsSubsequence("request", "starting", "running", "request", "stopping", "stopped");
      Map<String, Object> startRequest = web.stream().filter(e -> e.get("kind").equals("request")).findFirst().orElseThrow();
      @SuppressWarnings("unchecked")
      Map<String, Object> data = (Map<String, Object>) startRequest.get("data");
      assertThat(data.get("user")).isEqualTo(System.getProperty("user.name"));
      assertThat(data.get("command")).isEqualTo("start");
      assertThat(data.get("outcome")).isEqualTo("ok");
      assertThat(Json.write(events(c, Map.of()))).doesNotContain("s3cr3t-v4lue").contains("API_TOKEN");
      assertThat(Json.write(events(c, Map.of("name", "ghost")))).contains("not_found");
      assertThat(events(c, Map.of("limit", 2))).hasSize(2);
      assertThat(events(c, Map.of("since", "2999-01-01T00:00:00Z"))).isEmpty();
      assertThat(((Response.Failure) c.call("events", Map.of("since", "yesterday"))).code())
          .isEqualTo(ErrorCode.INVALID_ARGUMENT);

      try (RunningDaemon.Client follower = daemon.client()) {
        follower.out.write(Request.of("f", "events", Map.of("name", "web", "follow", true, "limit", 1)));
        assertThat(follower.next()).isInstanceOf(Response.Event.class); // the newest old one
        assertThat(c.call("start", Map.of("name", "web"))).isInstanceOf(Response.Ok.class);
        List<String> followed = new ArrayList<>();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  Response r = follower.next();
                  followed.add((String) ((Response.Event) r).data().get("kind"));
                  return followed.contains("running");
                });
      }
    }
  }
}
