package dev.sentinelzero.protocol;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One process as {@code status} and {@code list} show it. Environment values are never included,
 * only the names of the variables the definition sets.
 *
 * @param name the process's name
 * @param state {@code stopped}, {@code starting}, {@code running}, {@code stopping}, {@code
 *     exited}, {@code backoff} or {@code failed}
 * @param pid the running process's id (also its process group id), or null
 * @param startedAt when the current (or last) run started, or null
 * @param uptimeMs how long the current run has lasted, or null when not running
 * @param restarts how many times the process was started again since it was defined (for a
 *     scheduled job: how many times its restart policy retried a run)
 * @param lastExit how the last run ended, or null
 * @param reason why the process is in its state, e.g. {@code stopped by request}
 * @param cpuPercent CPU of the whole process group since the previous sample, in percent of one
 *     core, or null when not running or not yet measured
 * @param memoryBytes resident memory of the whole process group, or null
 * @param command the command as the user gave it, quoted for reading
 * @param spec the definition, with environment values removed
 * @param reasonCode a stable code for {@code reason}: {@code defined}, {@code manual}, {@code
 *     exited}, {@code killed}, {@code launch_failed}, {@code restarting}, {@code gave_up}, {@code
 *     cooldown}, {@code daemon}, {@code scheduled}, {@code unhealthy}, {@code limit}
 * @param nextAttemptAt in {@code backoff} (or {@code failed} with a cooldown): when the next start
 *     is due, else null
 * @param attemptsLeft how many restarts the policy still allows after failed starts; null when
 *     unlimited
 * @param health {@code starting}, {@code healthy} or {@code unhealthy} for a running process with
 *     a health check, else null
 * @param healthOutput the last check's output or error, trimmed, or null
 * @param desired whether the daemon keeps the process running ({@code running}: started again
 *     when the daemon starts, restarted under its policy) or leaves it as it is ({@code stopped});
 *     null from a daemon that does not say
 * @param desiredBy who or what set {@code desired}: {@code request} (a client's start, restart or
 *     stop), {@code exited} (it ended by itself and its restart mode does not start it again),
 *     {@code gave_up}, {@code launch_failed}, {@code limit}, {@code unhealthy}, {@code schedule} (a
 *     scheduled job, started by its schedule only); null from a daemon that does not say
 * @param warning what is wrong around the process that its state does not say (its latest changes
 *     are not saved because the disk is full; its log files are on a full file system), or null
 */
public record ProcessStatus(
    String name,
    String state,
    Long pid,
    Instant startedAt,
    Long uptimeMs,
    long restarts,
    ExitInfo lastExit,
    String reason,
    Double cpuPercent,
    Long memoryBytes,
    String command,
    ProcessSpec spec,
    String reasonCode,
    Instant nextAttemptAt,
    Integer attemptsLeft,
    String health,
    String healthOutput,
    String desired,
    String desiredBy,
    String warning) {

  /** Stable codes for why a process is in its state ({@code reason_code}). */
  public static final String REASON_DEFINED = "defined";
  public static final String REASON_MANUAL = "manual";
  public static final String REASON_EXITED = "exited";
  public static final String REASON_KILLED = "killed";
  public static final String REASON_LAUNCH_FAILED = "launch_failed";
  public static final String REASON_RESTARTING = "restarting";
  public static final String REASON_GAVE_UP = "gave_up";
  public static final String REASON_COOLDOWN = "cooldown";
  public static final String REASON_DAEMON = "daemon";
  public static final String REASON_UNHEALTHY = "unhealthy";
  /** Started by its schedule (a fire time, a catch-up, a queued run). */
  public static final String REASON_SCHEDULED = "scheduled";
  /** Stopped (or restarted) because it breached a resource limit. */
  public static final String REASON_LIMIT = "limit";

  /** The values of {@code desired}. */
  public static final String DESIRED_RUNNING = "running";
  public static final String DESIRED_STOPPED = "stopped";

  /** Who or what set the desired state ({@code desired_by}). */
  public static final String BY_REQUEST = "request";
  public static final String BY_EXITED = "exited";
  public static final String BY_GAVE_UP = "gave_up";
  public static final String BY_LAUNCH_FAILED = "launch_failed";
  public static final String BY_LIMIT = "limit";
  public static final String BY_UNHEALTHY = "unhealthy";
  public static final String BY_SCHEDULE = "schedule";

  /** A status without restart details (reason code {@code manual}). */
  public ProcessStatus(
      String name,
      String state,
      Long pid,
      Instant startedAt,
      Long uptimeMs,
      long restarts,
      ExitInfo lastExit,
      String reason,
      Double cpuPercent,
      Long memoryBytes,
      String command,
      ProcessSpec spec) {
    this(name, state, pid, startedAt, uptimeMs, restarts, lastExit, reason, cpuPercent, memoryBytes,
        command, spec, REASON_MANUAL, null, null, null, null);
  }

  /** A status without health details. */
  public ProcessStatus(
      String name,
      String state,
      Long pid,
      Instant startedAt,
      Long uptimeMs,
      long restarts,
      ExitInfo lastExit,
      String reason,
      Double cpuPercent,
      Long memoryBytes,
      String command,
      ProcessSpec spec,
      String reasonCode,
      Instant nextAttemptAt,
      Integer attemptsLeft) {
    this(name, state, pid, startedAt, uptimeMs, restarts, lastExit, reason, cpuPercent, memoryBytes,
        command, spec, reasonCode, nextAttemptAt, attemptsLeft, null, null);
  }

  /** A status without the desired state. */
  public ProcessStatus(
      String name,
      String state,
      Long pid,
      Instant startedAt,
      Long uptimeMs,
      long restarts,
      ExitInfo lastExit,
      String reason,
      Double cpuPercent,
      Long memoryBytes,
      String command,
      ProcessSpec spec,
      String reasonCode,
      Instant nextAttemptAt,
      Integer attemptsLeft,
      String health,
      String healthOutput) {
    this(name, state, pid, startedAt, uptimeMs, restarts, lastExit, reason, cpuPercent, memoryBytes,
        command, spec, reasonCode, nextAttemptAt, attemptsLeft, health, healthOutput, null, null, null);
  }

  /** A status without a warning. */
  public ProcessStatus(
      String name,
      String state,
      Long pid,
      Instant startedAt,
      Long uptimeMs,
      long restarts,
      ExitInfo lastExit,
      String reason,
      Double cpuPercent,
      Long memoryBytes,
      String command,
      ProcessSpec spec,
      String reasonCode,
      Instant nextAttemptAt,
      Integer attemptsLeft,
      String health,
      String healthOutput,
      String desired,
      String desiredBy) {
    this(name, state, pid, startedAt, uptimeMs, restarts, lastExit, reason, cpuPercent, memoryBytes,
        command, spec, reasonCode, nextAttemptAt, attemptsLeft, health, healthOutput, desired, desiredBy, null);
  }

  /** This status with resource use filled in. */
  public ProcessStatus withUsage(Double cpu, Long memory) {
    return new ProcessStatus(name, state, pid, startedAt, uptimeMs, restarts, lastExit, reason, cpu,
        memory, command, spec, reasonCode, nextAttemptAt, attemptsLeft, health, healthOutput, desired,
        desiredBy, warning);
  }

  /** This status with a warning (null: none). */
  public ProcessStatus withWarning(String text) {
    return new ProcessStatus(name, state, pid, startedAt, uptimeMs, restarts, lastExit, reason, cpuPercent,
        memoryBytes, command, spec, reasonCode, nextAttemptAt, attemptsLeft, health, healthOutput, desired,
        desiredBy, text);
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("state", state);
    json.put("pid", pid);
    json.put("started_at", startedAt == null ? null : startedAt.toString());
    json.put("uptime_ms", uptimeMs);
    json.put("restarts", restarts);
    json.put("last_exit", lastExit == null ? null : lastExit.toJson());
    json.put("reason", reason);
    json.put("reason_code", reasonCode);
    json.put("desired", desired);
    json.put("desired_by", desiredBy);
    json.put("warning", warning);
    json.put("next_attempt_at", nextAttemptAt == null ? null : nextAttemptAt.toString());
    json.put("attempts_left", attemptsLeft);
    json.put("health", health);
    json.put("health_output", healthOutput);
    json.put("cpu_percent", cpuPercent);
    json.put("memory_bytes", memoryBytes);
    json.put("command", command);
    json.put("argv", spec.argv());
    json.put("shell", spec.shell());
    json.put("cwd", spec.cwd());
    json.put("env_keys", new ArrayList<>(spec.env().keySet()));
    json.put("stop_signal", spec.stopSignal());
    json.put("stop_timeout_ms", spec.stopTimeoutMs());
    json.put("restart", spec.restart().toJson());
    json.put("health_check", spec.health() == null ? null : spec.health().toJson());
    json.put("limits", spec.limits() == null ? null : spec.limits().toJson());
    return json;
  }

  @SuppressWarnings("unchecked")
  public static ProcessStatus fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    Map<String, String> env = new LinkedHashMap<>();
    for (String key : args.optStringList("env_keys").orElse(List.of())) {
      env.put(key, "");
    }
    ProcessSpec spec =
        new ProcessSpec(
            args.requireString("name"),
            args.optString("command").orElse(null),
            args.optStringList("argv").orElse(null),
            args.bool("shell", false),
            args.optString("cwd").orElse(null),
            env,
            null,
            args.optString("stop_signal").orElse(ProcessSpec.DEFAULT_STOP_SIGNAL),
            args.optLong("stop_timeout_ms", 0, Long.MAX_VALUE).orElse(0),
            json.get("restart") instanceof Map
                ? RestartPolicy.fromJson((Map<String, Object>) json.get("restart"))
                : RestartPolicy.DEFAULT,
            json.get("health_check") instanceof Map
                ? HealthCheck.fromJson((Map<String, Object>) json.get("health_check"))
                : null,
            json.get("limits") instanceof Map
                ? ResourceLimits.fromJson((Map<String, Object>) json.get("limits"))
                : null);
    Object lastExit = json.get("last_exit");
    Object cpu = json.get("cpu_percent");
    return new ProcessStatus(
        spec.name(),
        args.requireString("state"),
        args.has("pid") ? args.optLong("pid", 0, Long.MAX_VALUE).getAsLong() : null,
        args.optString("started_at").map(Instant::parse).orElse(null),
        args.has("uptime_ms") ? args.optLong("uptime_ms", 0, Long.MAX_VALUE).getAsLong() : null,
        args.optLong("restarts", 0, Long.MAX_VALUE).orElse(0),
        lastExit instanceof Map ? ExitInfo.fromJson((Map<String, Object>) lastExit) : null,
        args.optString("reason").orElse(""),
        cpu instanceof Number ? ((Number) cpu).doubleValue() : null,
        args.has("memory_bytes") ? args.optLong("memory_bytes", 0, Long.MAX_VALUE).getAsLong() : null,
        args.optString("command").orElse(""),
        spec,
        args.optString("reason_code").orElse(REASON_MANUAL),
        args.optString("next_attempt_at").map(Instant::parse).orElse(null),
        args.has("attempts_left")
            ? (int) args.optLong("attempts_left", 0, Integer.MAX_VALUE).getAsLong()
            : null,
        args.optString("health").orElse(null),
        args.optString("health_output").orElse(null),
        args.optString("desired").orElse(null),
        args.optString("desired_by").orElse(null),
        args.optString("warning").orElse(null));
  }
}
