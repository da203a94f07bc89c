package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

class ProcessStatusTest {
  private static final Instant STARTED = Instant.parse("2025-03-01T10:15:30.123456789Z");

  private static ProcessSpec specWithSecrets() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("API_TOKEN", "s3cr3t-value");
    env.put("PORT", "8080");
    return new ProcessSpec(
        "web", "python3 app.py", null, false, "/srv/web", env, "/opt/bin:/usr/bin", "INT", 2500);
  }

  private static ProcessStatus running() {
    return new ProcessStatus(
        "web",
        "running",
        4242L,
        STARTED,
        65_000L,
        3,
        new ExitInfo(ExitInfo.KILLED, null, "KILL", STARTED.minusSeconds(5), "killed by SIGKILL"),
        "started by request",
        12.5,
        52_428_800L,
        "python3 app.py",
        specWithSecrets());
  }

  @Test
  void toJson_usesSnakeCaseFieldNames_andIsoTimes() {
    Map<String, Object> json = running().toJson();

    assertThat(json.keySet())
        .containsExactly(
            "name", "state", "pid", "started_at", "uptime_ms", "restarts", "last_exit", "reason",
            "reason_code", "desired", "desired_by", "warning", "next_attempt_at", "attempts_left", "health", "health_output",
            "cpu_percent", "memory_bytes", "command", "argv", "shell", "cwd", "env_keys",
            "stop_signal", "stop_timeout_ms", "restart", "health_check", "limits");
    assertThat(json).containsEntry("started_at", "2025-03-01T10:15:30.123456789Z");
    @SuppressWarnings("unchecked")
    Map<String, Object> lastExit = (Map<String, Object>) json.get("last_exit");
    assertThat(lastExit).containsEntry("at", "2025-03-01T10:15:25.123456789Z");
  }

  @Test
  void aWarning_roundTrips() throws Exception {
    ProcessStatus warned = running().withWarning("its log files are on a full file system");

    ProcessStatus read = ProcessStatus.fromJson(Json.parseObject(Json.write(warned.toJson())));

    assertThat(read.warning()).isEqualTo("its log files are on a full file system");
    assertThat(ProcessStatus.fromJson(Json.parseObject(Json.write(running().toJson()))).warning()).isNull();
  }

  @Test
  void toJson_neverContainsEnvironmentValues_onlyTheirNames() {
    String frame = Json.write(running().toJson());

    assertThat(frame).doesNotContain("s3cr3t-value", "8080");
    assertThat(running().toJson().get("env_keys"))
        .asInstanceOf(InstanceOfAssertFactories.list(String.class))
        .containsExactlyInAnyOrder("API_TOKEN", "PORT");
    assertThat(running().toJson()).doesNotContainKeys("env", "path");
  }

  @Test
  void toJson_thenFromJson_roundTripsEveryField() throws Exception {
    ProcessStatus original = running();

    ProcessStatus read = ProcessStatus.fromJson(Json.parseObject(Json.write(original.toJson())));

    assertThat(read.name()).isEqualTo("web");
    assertThat(read.state()).isEqualTo("running");
    assertThat(read.pid()).isEqualTo(4242L);
    assertThat(read.startedAt()).isEqualTo(STARTED);
    assertThat(read.uptimeMs()).isEqualTo(65_000L);
    assertThat(read.restarts()).isEqualTo(3);
    assertThat(read.lastExit()).isEqualTo(original.lastExit());
    assertThat(read.reason()).isEqualTo("started by request");
    assertThat(read.cpuPercent()).isEqualTo(12.5);
    assertThat(read.memoryBytes()).isEqualTo(52_428_800L);
    assertThat(read.command()).isEqualTo("python3 app.py");
    assertThat(read.spec().cwd()).isEqualTo("/srv/web");
    assertThat(read.spec().shell()).isFalse();
    assertThat(read.spec().stopSignal()).isEqualTo("INT");
    assertThat(read.spec().stopTimeoutMs()).isEqualTo(2500);
    assertThat(read.spec().env()).containsOnlyKeys("API_TOKEN", "PORT");
    assertThat(read.spec().env().values()).containsOnly("");
    Map<String, Object> again = Json.parseObject(Json.write(read.toJson()));
    Map<String, Object> first = Json.parseObject(Json.write(original.toJson()));
    assertThat(again.remove("env_keys"))
        .asInstanceOf(InstanceOfAssertFactories.list(Object.class))
        .containsExactlyInAnyOrderElementsOf((List<?>) first.remove("env_keys"));
    assertThat(again).isEqualTo(first);
  }

  @Test
  void theDesiredState_andWhoSetIt_roundTrip() throws Exception {
    ProcessStatus p = running();
    ProcessStatus stopped =
        new ProcessStatus(p.name(), "stopped", null, p.startedAt(), null, 0, p.lastExit(),
            "stopped: memory limit", null, null, p.command(), p.spec(), ProcessStatus.REASON_LIMIT, null, 5,
            null, null, ProcessStatus.DESIRED_STOPPED, ProcessStatus.BY_LIMIT);

    Map<String, Object> json = stopped.toJson();
    ProcessStatus read = ProcessStatus.fromJson(Json.parseObject(Json.write(json)));

    assertThat(json).containsEntry("desired", "stopped").containsEntry("desired_by", "limit");
    assertThat(read.desired()).isEqualTo("stopped");
    assertThat(read.desiredBy()).isEqualTo("limit");
    assertThat(read.reasonCode()).isEqualTo("limit");
  }

  @Test
  void toJson_thenFromJson_roundTripsStoppedProcessWithNulls() throws Exception {
    ProcessSpec spec =
        new ProcessSpec("job", null, List.of("/bin/true"), false, "/", Map.of(), null, "TERM", 10_000);
    ProcessStatus stopped =
        new ProcessStatus(
            "job", "stopped", null, null, null, 0, null, "stopped by request", null, null, "/bin/true", spec);

    ProcessStatus read = ProcessStatus.fromJson(Json.parseObject(Json.write(stopped.toJson())));

    assertThat(read.pid()).isNull();
    assertThat(read.startedAt()).isNull();
    assertThat(read.uptimeMs()).isNull();
    assertThat(read.lastExit()).isNull();
    assertThat(read.cpuPercent()).isNull();
    assertThat(read.memoryBytes()).isNull();
    assertThat(read.spec().argv()).containsExactly("/bin/true");
    assertThat(read.spec().env()).isEmpty();
  }
}
