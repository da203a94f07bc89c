package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExitInfoTest {
  private static final Instant AT = Instant.parse("2025-01-02T03:04:05.006Z");

  @ParameterizedTest
  @MethodSource("exits")
  void toJson_thenFromJson_roundTripsOverTheWire(ExitInfo exit) throws Exception {
    assertThat(ExitInfo.fromJson(Json.parseObject(Json.write(exit.toJson())))).isEqualTo(exit);
  }

  static Stream<ExitInfo> exits() {
    return Stream.of(
        new ExitInfo(ExitInfo.EXITED, 0, null, AT, "exited with code 0"),
        new ExitInfo(ExitInfo.EXITED, 255, null, AT, "exited with code 255"),
        new ExitInfo(ExitInfo.EXITED, -1, null, AT, "exited with code -1"),
        new ExitInfo(ExitInfo.KILLED, null, "KILL", AT, "killed by SIGKILL"),
        new ExitInfo(ExitInfo.LAUNCH_FAILED, null, null, AT, "exec format error"),
        new ExitInfo(ExitInfo.UNKNOWN, null, null, null, "not our child"));
  }

  @Test
  void toJson_writesKindCodeSignalAt_withIsoTime() {
    Map<String, Object> json = new ExitInfo(ExitInfo.EXITED, 3, null, AT, "exited with code 3").toJson();

    assertThat(json.keySet()).containsExactly("kind", "code", "signal", "at", "message");
    assertThat(json).containsEntry("kind", "exited").containsEntry("code", 3).containsEntry("at", "2025-01-02T03:04:05.006Z");
  }

  @Test
  void fromJson_defaultsToUnknownKind() throws Exception {
    assertThat(ExitInfo.fromJson(Map.of()))
        .isEqualTo(new ExitInfo(ExitInfo.UNKNOWN, null, null, null, ""));
  }
}
