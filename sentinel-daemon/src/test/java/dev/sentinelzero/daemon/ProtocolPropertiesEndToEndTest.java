package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.Request;
import dev.sentinelzero.protocol.Response;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The protocol's property tests against a real daemon (issue 12, "Our own reliability suite"):
 * every argument of every command with hostile values, and valid frames mutated byte by byte. Each
 * asserts one typed answer per non-empty line (never {@code internal}, never silence), messages on
 * one line, and a daemon that still serves; at the end, that daemon.log holds no raw control
 * character.
 *
 * <p>The default run is short ({@code jqwik.tries.default} in junit-platform.properties); a longer
 * hunt: {@code ./mvnw -B -pl sentinel-daemon -am test -Dtest='ProtocolProperties*'
 * -Djqwik.tries.default=20000 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ProtocolPropertiesEndToEndTest {
  private static Path tmp;
  private static RunningDaemon daemon;
  private static RunningDaemon.Client client;

  @BeforeContainer
  static void startDaemon() throws Exception {
    tmp = Files.createTempDirectory("sz-props");
    daemon = RunningDaemon.start(tmp.resolve("home"));
    client = daemon.client();
  }

  @AfterContainer
  static void stopDaemon() throws Exception {
    try {
      assertServes();
      byte[] log = Files.readAllBytes(daemon.paths.daemonLog());
      for (int i = 0; i < log.length; i++) {
        int b = log[i] & 0xff;
        assertThat(b < 0x20 && b != '\n' && b != '\t' || b == 0x7f)
            .as("a raw control byte 0x%02x at offset %d of daemon.log", b, i)
            .isFalse();
      }
      client.close();
      daemon.stop();
    } finally {
      if (daemon != null) {
        daemon.process().destroyForcibly();
      }
      try (Stream<Path> files = Files.walk(tmp)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void assertServes() throws Exception {
    try (RunningDaemon.Client fresh = daemon.client()) {
      assertThat(fresh.call("ping", Map.of())).isInstanceOf(Response.Ok.class);
    }
  }

  private static void assertTyped(Response response, Object what) {
    assertThat(response.isFinal()).as("a final answer to %s, got %s", what, response).isTrue();
    if (response instanceof Response.Failure) {
      Response.Failure failure = (Response.Failure) response;
      assertThat(failure.code()).as("%s -> %s", what, failure.message()).isNotEqualTo(ErrorCode.INTERNAL);
      assertThat(failure.message()).as("one line").doesNotContain("\n", "\r", "\u0000");
    }
  }

  @Provide
  Arbitrary<HostileValues.Poke> pokes() {
    return HostileValues.pokes();
  }

  @Property
  void everyArgumentOfEveryCommand_getsOneTypedAnswer(@ForAll("pokes") HostileValues.Poke poke)
      throws Exception {
    Response response = client.call(poke.command(), poke.args());

    assertTyped(response, poke);
    assertThat(client.call("ping", Map.of())).isInstanceOf(Response.Ok.class);
  }

  private static final List<String> BASES =
      List.of(
          Json.write(Request.of("m", "ping", Map.of()).toJson()),
          Json.write(Request.of("m", "status", Map.of("name", "fuzz")).toJson()),
          Json.write(Request.of("m", "events", Map.of("limit", 3, "since", "2026-01-01T00:00:00Z")).toJson()),
          Json.write(Request.of("m", "logs", Map.of("name", "fuzz", "tail", 2)).toJson()),
          Json.write(Request.of(7, "history", Map.of("name", "fuzz", "limit", 1)).toJson()),
          Json.write(
              Request.of(
                      "m",
                      "restart-policy",
                      Map.of("name", "fuzz", "restart", Map.of("retries", 3, "delay_ms", 100)))
                  .toJson()),
          Json.write(
              Request.of(
                      "m",
                      "start",
                      Map.of("name", "fuzz-m", "cmd", "/bin/sleep 1000", "cwd", "/tmp", "replace", true))
                  .toJson()));

  @Provide
  Arbitrary<List<byte[]>> mutated() {
    return Arbitraries.of(BASES)
        .flatMap(base -> HostileValues.mutatedFrame(base.getBytes(StandardCharsets.UTF_8)))
        .list()
        .ofMinSize(1)
        .ofMaxSize(8);
  }

  @Property
  void mutatedFrames_eachNonEmptyLineGetsOneTypedAnswer(@ForAll("mutated") List<byte[]> frames)
      throws Exception {
    ByteArrayOutputStream batch = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      batch.write(f);
      batch.write('\n');
    }
    byte[] bytes = batch.toByteArray();
    int expected = nonEmptyLines(bytes);

    try (RunningDaemon.Client c = daemon.client()) {
      c.sendRaw(bytes);
      c.sendRaw("{\"v\":1,\"id\":\"end\",\"cmd\":\"ping\"}\n");
      int answers = 0;
      while (true) {
        Response r = c.next();
        if ("end".equals(r.id())) {
          break;
        }
        assertTyped(r, new String(bytes, StandardCharsets.UTF_8));
        answers++;
      }
      assertThat(answers).as("answers to %s", new String(bytes, StandardCharsets.UTF_8)).isEqualTo(expected);
    }
  }

  /** Lines the daemon answers: those not empty once a trailing CR is dropped. */
  static int nonEmptyLines(byte[] bytes) {
    int count = 0;
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        int length = i - start;
        if (length > 0 && bytes[i - 1] == '\r') {
          length--;
        }
        if (length > 0 && !(i == bytes.length)) {
          count++;
        } else if (length > 0) {
          count++; // a last line without its newline: answered at the end of input only
        }
        start = i + 1;
      }
    }
    return count;
  }
}
