package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonInfoTest {
  private static final DaemonInfo INFO =
      new DaemonInfo(
          123_456L,
          "0.1.0",
          Protocol.VERSION,
          Instant.parse("2025-06-30T23:59:59.999Z"),
          5_000_000_000L,
          "/home/u/.local/state/sentinel",
          "/run/user/1000/sentinel/0123456789abcdef.sock",
          true,
          "/home/u/.local/state/sentinel/logs",
          "/home/u/.local/state/sentinel/sentinel.db",
          12,
          7);

  @Test
  void toJson_thenFromJson_roundTripsOverTheWire() throws Exception {
    assertThat(DaemonInfo.fromJson(Json.parseObject(Json.write(INFO.toJson())))).isEqualTo(INFO);
  }

  @Test
  void theDiskState_roundTripsOverTheWire() throws Exception {
    DaemonInfo full =
        new DaemonInfo(1, "0.1.0", Protocol.VERSION, Instant.parse("2025-06-30T23:59:59.999Z"), 5, "/h",
            "/h/s.sock", false, "/h/logs", "/h/sentinel.db", 2, 1,
            new DiskStatus(DiskStatus.FULL, "the disk refuses writes", Instant.parse("2025-06-30T23:59:00Z"),
                12, 3, 0L, 4096L, true, true));

    DaemonInfo back = DaemonInfo.fromJson(Json.parseObject(Json.write(full.toJson())));

    assertThat(back).isEqualTo(full);
    assertThat(Json.write(full.toJson())).contains("\"unsaved_changes\":12", "\"reserve_in_use\":true");
  }

  @Test
  void toJson_usesSnakeCaseFieldNames_andIsoTime() {
    Map<String, Object> json = INFO.toJson();

    assertThat(json.keySet())
        .containsExactly(
            "pid", "version", "protocol", "started_at", "uptime_ms", "home", "socket",
            "socket_relocated", "logs", "database", "processes", "running");
    assertThat(json)
        .containsEntry("started_at", "2025-06-30T23:59:59.999Z")
        .containsEntry("socket_relocated", true);
  }
}
