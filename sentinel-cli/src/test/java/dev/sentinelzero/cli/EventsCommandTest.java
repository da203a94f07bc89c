package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.EventRecord;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.Response;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code sentinel events} against the stand-in daemon: the request it sends, how {@code --since}
 * reads, and how events print. Usage errors are also in {@link UsageErrorsTest}.
 */
class EventsCommandTest {
  /** Now for every test, in a zone one hour east of UTC so that local times differ from UTC. */
  private static final Instant NOW = Instant.parse("2026-11-27T11:30:00Z");

  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.ofHours(1));

  @TempDir Path home;

  private FakeServer server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
      assertThat(server.failures()).isEmpty();
    }
  }

  // ---- the request

  @Test
  void sendsNameSinceLimitAndFollow() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(eventsResult()));

    Cli.Result result =
        Cli.run(
            context(), "events", "--name", "web", "--limit", "5", "--since",
            "2026-11-27T10:00:00Z");

    assertThat(result.exit()).as(result.toString()).isZero();
    Map<String, Object> request = onlyRequest();
    assertThat(request).containsEntry("v", 1).containsEntry("cmd", "events");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("name", "web");
    expected.put("since", "2026-11-27T10:00:00Z");
    expected.put("limit", 5);
    expected.put("follow", false);
    assertThat(request.get("args")).isEqualTo(expected);
    assertThat(Json.write(request.get("args")))
        .isEqualTo(
            "{\"name\":\"web\",\"since\":\"2026-11-27T10:00:00Z\",\"limit\":5,\"follow\":false}");
  }

  @Test
  void withoutOptions_sendsTheDefaultLimitOnly() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(eventsResult()));

    Cli.Result result = Cli.run(context(), "events");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest())).isEqualTo(Map.of("limit", 50, "follow", false));
    assertThat(result.out()).isEqualTo("no events\n");
  }

  @Test
  void sinceADuration_isThatLongBeforeTheContextsNow() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(eventsResult()));

    Cli.Result result = Cli.run(context(), "events", "--since", "10m");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest())).containsEntry("since", "2026-11-27T11:20:00Z");
  }

  @Test
  void sinceADuration_withTheSystemClock_isAboutThatLongAgo() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(eventsResult()));
    Instant before = Instant.now();

    Cli.Result result = Cli.run(Cli.context(home), "events", "--since", "10m");

    Instant after = Instant.now();
    assertThat(result.exit()).as(result.toString()).isZero();
    Instant since = Instant.parse((String) args(onlyRequest()).get("since"));
    assertThat(since)
        .isBetween(
            before.minus(Duration.ofMinutes(10)).minusMillis(1),
            after.minus(Duration.ofMinutes(10)));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      2026-11-27T10:00:00Z       | 2026-11-27T10:00:00Z
      2026-11-27T10:00:00.250Z   | 2026-11-27T10:00:00.250Z
      2026-11-27T10:00Z          | 2026-11-27T10:00:00Z
      2026-11-27T10:00:00+02:00  | 2026-11-27T08:00:00Z
      2026-11-27T10:00           | 2026-11-27T09:00:00Z
      2026-11-27 10:00           | 2026-11-27T09:00:00Z
      2026-11-27 10:00:30        | 2026-11-27T09:00:30Z
      2026-11-27                 | 2026-11-26T23:00:00Z
      10m                        | 2026-11-27T11:20:00Z
      1h30m                      | 2026-11-27T10:00:00Z
      2d                         | 2026-11-25T11:30:00Z
      250ms                      | 2026-11-27T11:29:59.750Z
      """)
  void since_readsEveryForm_inTheClocksZone(String text, String expected) {
    assertThat(EventsCommand.since(text, CLOCK)).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      yesterday
      10
      ''
      -10m
      2026-11-32
      2026-13-01T10:00
      2026-11-27T25:00
      27.11.2026
      2026-11-27T10:00:00 Z
      10m ago
      """)
  void since_refusesAnythingElse_listingTheForms(String text) {
    assertThatThrownBy(() -> EventsCommand.since(text, CLOCK))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'" + text + "' is not a time: " + EventsCommand.SINCE_FORMS);
  }

  // ---- usage errors: exit 2, one line, nothing sent

  @Test
  void badSince_exits2_withOneLineListingTheForms() throws Exception {
    server = FakeServer.start(home, FakeServer.answering(eventsResult()));

    Cli.Result result = Cli.run(context(), "events", "--since", "yesterday");

    assertThat(result.exit()).as(result.toString()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            "sentinel: --since 'yesterday' is not a time: use an instant (2026-11-27T10:00:00Z),"
                + " a local date-time (2026-11-27T10:00 or 2026-11-27 10:00), a local date"
                + " (2026-11-27) or a duration ago (10m, 1h30m, 2d)\n");
    assertThat(server.requests()).isEmpty();
  }

  @ParameterizedTest(name = "--limit {0}")
  @CsvSource({"0", "10001", "-1"})
  void limitOutOfRange_exits2_withOneLine(String limit) throws Exception {
    server = FakeServer.start(home, FakeServer.answering(eventsResult()));

    Cli.Result result = Cli.run(context(), "events", "--limit", limit);

    assertThat(result.exit()).as(result.toString()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo("sentinel: --limit must be from 1 to 10000, got " + limit + "\n");
    assertThat(server.requests()).isEmpty();
  }

  @ParameterizedTest(name = "--limit {0}")
  @CsvSource({"1", "10000"})
  void limitAtTheBounds_isSent(int limit) throws Exception {
    server = FakeServer.start(home, FakeServer.answering(eventsResult()));

    Cli.Result result = Cli.run(context(), "events", "--limit", Integer.toString(limit));

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(args(onlyRequest())).containsEntry("limit", limit);
  }

  // ---- text

  @Test
  void text_oneLinePerEvent_inLocalTime() throws Exception {
    server =
        FakeServer.start(
            home,
            FakeServer.answering(
                eventsResult(
                    started(), failed(), stopRequest(""), daemonStarted(),
                    stopRequest("stopped web on request"))));

    Cli.Result result = Cli.run(context(), "events", "--name", "web");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .isEqualTo(
            """
            2026-11-27 10:04:00.007  web  running  started (pid 4242)
            2026-11-27 10:04:05.123  web  failed  gave up: exited with code 1, 6 failed starts in a row within 3.2s
            2026-11-27 10:05:00.000  web  request  alice: stop web -> ok
            2026-11-27 10:06:00.090  -  daemon  daemon started
            2026-11-27 10:05:00.000  web  request  stopped web on request
            """);
  }

  @Test
  void requestWithoutAName_summarizesItsArguments() {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("keep_running", true);
    args.put("env", Map.of("TOKEN", "***"));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("user", "bob");
    data.put("command", "daemon.stop");
    data.put("args", args);
    data.put("outcome", Map.of("error", "conflict"));

    assertThat(EventsCommand.requestSummary(data))
        .isEqualTo(
            "bob: daemon.stop keep_running=true env={\"TOKEN\":\"***\"} -> {\"error\":\"conflict\"}");
    assertThat(EventsCommand.requestSummary(Map.of("command", "list")))
        .isEqualTo("list");
  }

  @Test
  void requestWithAClientPid_showsItAfterTheUser() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("user", "alice");
    data.put("pid", 1234);
    data.put("command", "stop");
    data.put("args", Map.of("name", "web"));
    data.put("outcome", "ok");

    assertThat(EventsCommand.requestSummary(data)).isEqualTo("alice (pid 1234): stop web -> ok");
    data.put("pid", null); // the daemon could not read it
    assertThat(EventsCommand.requestSummary(data)).isEqualTo("alice: stop web -> ok");
  }

  @Test
  void aMessageOnSeveralLines_staysOnOne() {
    EventRecord event =
        new EventRecord(9, at("09:00:00Z"), "web", "exited", "line one\nline two\r\n", Map.of());

    assertThat(EventsCommand.line(event, ZoneOffset.UTC))
        .isEqualTo("2026-11-27 09:00:00.000  web  exited  line one line two");
  }

  // ---- json

  @Test
  void json_printsTheResultAsOneObject() throws Exception {
    Map<String, Object> canned = eventsResult(started(), stopRequest(""));
    server = FakeServer.start(home, FakeServer.answering(canned));

    Cli.Result result = Cli.run(context(), "events", "--json");

    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    Map<String, Object> printed = Json.parseObject(result.out());
    assertThat(printed).isEqualTo(Json.parseObject(Json.write(canned)));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> events = (List<Map<String, Object>>) printed.get("events");
    assertThat(EventRecord.fromJson(events.get(1)).kind()).isEqualTo("request");
  }

  // ---- follow

  @Test
  void follow_printsEachEventAsItArrives_untilTheDaemonEndsTheStream() throws Exception {
    CountDownLatch sendRest = new CountDownLatch(1);
    server =
        FakeServer.start(
            home,
            (request, out) -> {
              Object id = request.get("id");
              out.write(streamed(id, started()));
              out.write(new Response.Event(id, "something-else", Map.of("x", 1)));
              out.write(streamed(id, failed()));
              sendRest.await(10, TimeUnit.SECONDS);
              out.write(streamed(id, stopRequest("")));
              out.write(FakeServer.ok(request, Map.of()));
            });
    Cli.Capture capture = new Cli.Capture();

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> Cli.run(context(), capture, "events", "-f", "--name", "web"));

    await().atMost(Duration.ofSeconds(10)).until(() -> capture.out().contains("gave up"));
    assertThat(exit).isNotDone();
    assertThat(capture.out()).doesNotContain("request");

    sendRest.countDown();

    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(capture.out())
        .isEqualTo(
            """
            2026-11-27 10:04:00.007  web  running  started (pid 4242)
            2026-11-27 10:04:05.123  web  failed  gave up: exited with code 1, 6 failed starts in a row within 3.2s
            2026-11-27 10:05:00.000  web  request  alice: stop web -> ok
            """);
    assertThat(capture.err()).isEmpty();
    assertThat(args(onlyRequest()))
        .isEqualTo(Map.of("name", "web", "limit", 50, "follow", true));
  }

  @Test
  void followJson_printsOneCompactObjectPerEvent() throws Exception {
    CountDownLatch sendRest = new CountDownLatch(1);
    server =
        FakeServer.start(
            home,
            (request, out) -> {
              Object id = request.get("id");
              out.write(streamed(id, started()));
              sendRest.await(10, TimeUnit.SECONDS);
              out.write(streamed(id, stopRequest("")));
              out.write(FakeServer.ok(request, Map.of()));
            });
    Cli.Capture capture = new Cli.Capture();

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> Cli.run(context(), capture, "events", "--follow", "--json"));

    await().atMost(Duration.ofSeconds(10)).until(() -> capture.out().endsWith("\n"));
    assertThat(exit).isNotDone();
    sendRest.countDown();
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();

    String[] lines = capture.out().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(EventRecord.fromJson(Json.parseObject(lines[0]))).isEqualTo(started());
    assertThat(Json.parseObject(lines[1]))
        .isEqualTo(Json.parseObject(Json.write(stopRequest("").toJson())));
    assertThat(capture.err()).isEmpty();
  }

  // ---- canned data

  private Context context() {
    return Cli.context(home).withClock(CLOCK);
  }

  private Map<String, Object> onlyRequest() {
    assertThat(server.requests()).hasSize(1);
    return server.requests().get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> args(Map<String, Object> request) {
    return (Map<String, Object>) request.get("args");
  }

  private static Instant at(String time) {
    return Instant.parse("2026-11-27T" + time);
  }

  private static EventRecord started() {
    return new EventRecord(
        1, at("09:04:00.007Z"), "web", "running", "started (pid 4242)", Map.of("pid", 4242));
  }

  private static EventRecord failed() {
    return new EventRecord(
        2, at("09:04:05.123Z"), "web", "failed",
        "gave up: exited with code 1, 6 failed starts in a row within 3.2s",
        Map.of("reason_code", "retries_exhausted"));
  }

  private static EventRecord stopRequest(String message) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("user", "alice");
    data.put("command", "stop");
    data.put("args", Map.of("name", "web"));
    data.put("outcome", "ok");
    return new EventRecord(3, at("09:05:00Z"), "web", "request", message, data);
  }

  private static EventRecord daemonStarted() {
    return new EventRecord(4, at("09:06:00.090Z"), null, "daemon", "daemon started", Map.of());
  }

  private static Map<String, Object> eventsResult(EventRecord... events) {
    return Map.of("events", java.util.Arrays.stream(events).map(EventRecord::toJson).toList());
  }

  private static Response.Event streamed(Object id, EventRecord event) {
    return new Response.Event(id, EventRecord.STREAM_EVENT, event.toJson());
  }
}
