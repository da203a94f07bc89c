package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogLineTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"", "plain text", "tab\tand \"quotes\" and \\", "h\u00e9llo \uFFFD \uD83D\uDE00", "{\"json\":1}"})
  void toJson_thenFromJson_roundTripsOverTheWire(String text) throws Exception {
    LogLine line = new LogLine("web", LogLine.STDERR, text);

    String frame = Json.write(line.toJson());

    assertThat(frame).doesNotContain("\n");
    assertThat(LogLine.fromJson(Json.parseObject(frame))).isEqualTo(line);
    assertThat(line.toJson()).containsOnlyKeys("name", "stream", "text");
  }

  @Test
  void fromJson_defaultsStreamToStdout() throws Exception {
    assertThat(LogLine.fromJson(Map.of("name", "web", "text", "x")).stream()).isEqualTo("stdout");
  }
}
