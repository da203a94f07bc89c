package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ProcessSpecTest {

  @ParameterizedTest
  @MethodSource("specs")
  void toJson_thenFromJson_roundTripsOverTheWire(ProcessSpec spec) throws Exception {
    String frame = Json.write(spec.toJson());

    assertThat(ProcessSpec.fromJson(Json.parseObject(frame))).isEqualTo(spec);
  }

  static Stream<ProcessSpec> specs() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PORT", "8080");
    env.put("GREETING", "h\u00e9llo \"world\"");
    return Stream.of(
        new ProcessSpec("web", "python3 -m http.server", null, false, "/srv/web", Map.of(), null, "TERM", 10_000),
        new ProcessSpec("job.2", null, List.of("/bin/echo", "a b", ""), false, "/tmp", env, "/usr/bin:/bin", "INT", 0),
        new ProcessSpec("sh", "echo $HOME | wc -c", null, true, "/", Map.of(), "", "HUP", ProcessSpec.MAX_STOP_TIMEOUT_MS));
  }

  @Test
  void toJson_usesWireFieldNames() {
    ProcessSpec spec =
        new ProcessSpec("web", "run", null, false, "/srv", Map.of("K", "V"), "/bin", "TERM", 5000);

    assertThat(spec.toJson())
        .containsOnlyKeys(
            "name", "cmd", "shell", "cwd", "env", "path", "stop_signal", "stop_timeout_ms", "restart",
            "health", "limits")
        .containsEntry("cmd", "run")
        .containsEntry("stop_signal", "TERM")
        .containsEntry("stop_timeout_ms", 5000L);
    assertThat(ProcessSpec.FIELDS).containsAll(spec.toJson().keySet());
  }

  @Test
  void toJson_writesArgvInsteadOfCmd_andOmitsUnsetPath() {
    ProcessSpec spec =
        new ProcessSpec("web", null, List.of("a"), false, "/srv", Map.of(), null, null, 1);

    assertThat(spec.toJson()).containsEntry("argv", List.of("a")).doesNotContainKeys("cmd", "path");
  }

  @Test
  void fromJson_fillsDefaults() throws Exception {
    ProcessSpec spec =
        ProcessSpec.fromJson(Json.parseObject("{\"name\":\"web\",\"cmd\":\"run\",\"cwd\":\"/srv\"}"));

    assertThat(spec)
        .isEqualTo(
            new ProcessSpec(
                "web",
                "run",
                null,
                false,
                "/srv",
                Map.of(),
                null,
                ProcessSpec.DEFAULT_STOP_SIGNAL,
                ProcessSpec.DEFAULT_STOP_TIMEOUT_MS));
    assertThat(spec.stopSignal()).isEqualTo("TERM");
    assertThat(spec.stopTimeoutMs()).isEqualTo(10_000);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"cmd\":\"run\",\"cwd\":\"/\"}                             | argument \"name\" is required",
        "{\"name\":\"web\",\"cwd\":\"/\"}                            | give the command to run",
        "{\"name\":\"web\",\"cmd\":\"a\",\"argv\":[\"a\"],\"cwd\":\"/\"} | give either \"cmd\" or \"argv\", not both",
        "{\"name\":\"web\",\"cmd\":\"run\"}                          | argument \"cwd\" is required",
        "{\"name\":\"web\",\"cmd\":\"run\",\"cwd\":\"/\",\"env\":{\"A\":1}}  | \"A\" is not",
        "{\"name\":\"web\",\"argv\":\"run\",\"cwd\":\"/\"}           | argument \"argv\" must be an array of strings",
        "{\"name\":\"web\",\"cmd\":\"run\",\"cwd\":\"/\",\"shell\":\"yes\"} | argument \"shell\" must be true or false",
        "{\"name\":\"web\",\"cmd\":\"run\",\"cwd\":\"/\",\"stop_timeout_ms\":-1} | argument \"stop_timeout_ms\" must be between 0 and 86400000",
        "{\"name\":\"web\",\"cmd\":\"run\",\"cwd\":\"/\",\"stop_timeout_ms\":86400001} | argument \"stop_timeout_ms\" must be between 0 and 86400000",
      })
  void fromJson_refusesBadDefinition(String frame, String message) throws Exception {
    Map<String, Object> json = Json.parseObject(frame);

    ProtocolException e =
        catchThrowableOfType(ProtocolException.class, () -> ProcessSpec.fromJson(json));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains(message);
  }

  @Test
  void constructor_copiesCollections_andDefaultsNullEnvAndSignal() {
    List<String> argv = new java.util.ArrayList<>(List.of("a"));
    ProcessSpec spec = new ProcessSpec("web", null, argv, false, "/", null, null, null, 1);
    argv.add("b");

    assertThat(spec.argv()).containsExactly("a");
    assertThat(spec.env()).isEmpty();
    assertThat(spec.stopSignal()).isEqualTo("TERM");
  }
}
