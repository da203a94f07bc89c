package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link FakeServer} on a temporary home for each test, and {@code sentinel} run against it on a
 * fixed clock: what the test classes of the scheduling commands would otherwise each set up.
 * After each test it closes the server, fails the test if the handler threw, and deletes the home.
 *
 * <pre>
 * &#64;RegisterExtension final StandInDaemon daemon = new StandInDaemon(CLOCK);
 * ...
 * daemon.answer(Map.of("removed", "backup"));
 * Cli.Result result = daemon.run("schedule", "remove", "backup");
 * assertThat(daemon.onlyRequest()).containsEntry("cmd", "schedule.remove");
 * </pre>
 */
final class StandInDaemon implements BeforeEachCallback, AfterEachCallback {
  private final Clock clock;
  private Path home;
  private FakeServer server;

  StandInDaemon(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    home = Files.createTempDirectory("sentinel-test");
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    try {
      if (server != null) {
        server.close();
        assertThat(server.failures()).as("exceptions in the stand-in's handler").isEmpty();
      }
    } finally {
      try (Stream<Path> paths = Files.walk(home)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  /** The home (also the CLI's working directory). */
  Path home() {
    return home;
  }

  /** The CLI's surroundings: {@link Cli#context} on this home, with the fixed clock. */
  Context context() {
    return Cli.context(home).withClock(clock);
  }

  /** Answers every request with {@code result}. */
  void answer(Map<String, Object> result) throws IOException {
    handle(FakeServer.answering(result));
  }

  /** Fails every request with {@code code} and {@code message}. */
  void fail(ErrorCode code, String message) throws IOException {
    handle(FakeServer.failing(code, message));
  }

  void handle(FakeServer.Handler handler) throws IOException {
    assertThat(server).as("one stand-in per test").isNull();
    server = FakeServer.start(home, handler);
  }

  /** Runs {@code sentinel ARGS} against the stand-in. */
  Cli.Result run(String... args) {
    return Cli.run(context(), args);
  }

  /** The requests received so far. */
  List<Map<String, Object>> requests() {
    return server == null ? List.of() : server.requests();
  }

  /** The one request received; fails when there were none or several. */
  Map<String, Object> onlyRequest() {
    assertThat(requests()).hasSize(1);
    return requests().get(0);
  }

  /** The arguments of the one request received. */
  @SuppressWarnings("unchecked")
  Map<String, Object> onlyArgs() {
    return (Map<String, Object>) onlyRequest().get("args");
  }
}
