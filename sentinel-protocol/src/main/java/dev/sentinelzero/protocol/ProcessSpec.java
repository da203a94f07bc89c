package dev.sentinelzero.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a user defines for a supervised process: the arguments of {@code start} when it defines a
 * process, stored by the daemon and shown back by {@code status}. Exactly one of {@code command}
 * (a command line, split into words by the daemon, or run by {@code /bin/sh -c} when {@code
 * shell}) and {@code argv} (the program and its arguments as given) is set.
 *
 * @param name 1 to 64 of {@code [A-Za-z0-9._-]}, starting with a letter or digit
 * @param command the command line as typed, or null when {@code argv} is given
 * @param argv the program and its arguments, or null when {@code command} is given
 * @param shell run {@code command} with {@code /bin/sh -c}
 * @param cwd absolute working directory
 * @param env variables added to (or replacing those of) the daemon's environment
 * @param path the client's {@code PATH} when it defined the process, used to find the program
 *     and passed to it; null to use the daemon's
 * @param stopSignal the signal name {@code stop} sends first, e.g. {@code TERM}
 * @param stopTimeoutMs how long {@code stop} waits after {@code stopSignal} before SIGKILL
 * @param restart when and how fast it is started again after it ends by itself
 * @param health how its health is checked, or null for no check
 * @param limits limits on its resources, or null for none
 */
public record ProcessSpec(
    String name,
    String command,
    List<String> argv,
    boolean shell,
    String cwd,
    Map<String, String> env,
    String path,
    String stopSignal,
    long stopTimeoutMs,
    RestartPolicy restart,
    HealthCheck health,
    ResourceLimits limits) {

  public static final String DEFAULT_STOP_SIGNAL = "TERM";
  public static final long DEFAULT_STOP_TIMEOUT_MS = 10_000;
  public static final long MAX_STOP_TIMEOUT_MS = 24L * 3600 * 1000;

  /** The argument names of a defining {@code start}, besides {@code replace}. */
  public static final Set<String> FIELDS =
      Set.of(
          "name", "cmd", "argv", "shell", "cwd", "env", "path", "stop_signal", "stop_timeout_ms",
          "restart", "health", "limits");

  public ProcessSpec {
    argv = argv == null ? null : List.copyOf(argv);
    env = env == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(env));
    stopSignal = stopSignal == null ? DEFAULT_STOP_SIGNAL : stopSignal;
    restart = restart == null ? RestartPolicy.DEFAULT : restart;
  }

  /** A definition with the default restart policy. */
  public ProcessSpec(
      String name,
      String command,
      List<String> argv,
      boolean shell,
      String cwd,
      Map<String, String> env,
      String path,
      String stopSignal,
      long stopTimeoutMs) {
    this(name, command, argv, shell, cwd, env, path, stopSignal, stopTimeoutMs, RestartPolicy.DEFAULT, null, null);
  }

  /** A definition without a health check. */
  public ProcessSpec(
      String name,
      String command,
      List<String> argv,
      boolean shell,
      String cwd,
      Map<String, String> env,
      String path,
      String stopSignal,
      long stopTimeoutMs,
      RestartPolicy restart) {
    this(name, command, argv, shell, cwd, env, path, stopSignal, stopTimeoutMs, restart, null, null);
  }

  /** This definition with another health check (null: none). */
  public ProcessSpec withHealth(HealthCheck check) {
    return new ProcessSpec(name, command, argv, shell, cwd, env, path, stopSignal, stopTimeoutMs, restart, check, limits);
  }

  /** This definition with another restart policy. */
  public ProcessSpec withRestart(RestartPolicy policy) {
    return new ProcessSpec(name, command, argv, shell, cwd, env, path, stopSignal, stopTimeoutMs, policy, health, limits);
  }

  /** This definition with other resource limits (null: none). */
  public ProcessSpec withLimits(ResourceLimits newLimits) {
    return new ProcessSpec(name, command, argv, shell, cwd, env, path, stopSignal, stopTimeoutMs, restart, health, newLimits);
  }

  /** The JSON form, with field names as on the wire. Includes {@code env} values: never log it. */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    if (command != null) {
      json.put("cmd", command);
    }
    if (argv != null) {
      json.put("argv", argv);
    }
    json.put("shell", shell);
    json.put("cwd", cwd);
    json.put("env", new LinkedHashMap<>(env));
    if (path != null) {
      json.put("path", path);
    }
    json.put("stop_signal", stopSignal);
    json.put("stop_timeout_ms", stopTimeoutMs);
    json.put("restart", restart.toJson());
    json.put("health", health == null ? null : health.toJson());
    json.put("limits", limits == null ? null : limits.toJson());
    return json;
  }

  /**
   * Reads a spec from {@code start}'s arguments (or a stored definition). Checks types and
   * presence; the daemon checks meaning (name rule, program, directory).
   */
  public static ProcessSpec fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    String name = args.requireString("name");
    String command = args.optString("cmd").orElse(null);
    List<String> argv = args.optStringList("argv").orElse(null);
    if (command == null && argv == null) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT,
          "give the command to run: \"cmd\" (a command line) or \"argv\" (program and arguments)");
    }
    if (command != null && argv != null) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "give either \"cmd\" or \"argv\", not both");
    }
    return new ProcessSpec(
        name,
        command,
        argv,
        args.bool("shell", false),
        args.requireString("cwd"),
        args.optStringMap("env").orElse(Map.of()),
        args.optString("path").orElse(null),
        args.optString("stop_signal").orElse(DEFAULT_STOP_SIGNAL),
        args.optLong("stop_timeout_ms", 0, MAX_STOP_TIMEOUT_MS).orElse(DEFAULT_STOP_TIMEOUT_MS),
        restart(json.get("restart")),
        health(json.get("health")),
        limits(json.get("limits")));
  }

  @SuppressWarnings("unchecked")
  private static ResourceLimits limits(Object json) throws ProtocolException {
    if (json == null) {
      return null;
    }
    if (!(json instanceof Map)) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "argument \"limits\" must be an object (max_memory_bytes, max_cpu_percent, ...) or null");
    }
    return ResourceLimits.fromJson((Map<String, Object>) json);
  }

  @SuppressWarnings("unchecked")
  private static HealthCheck health(Object json) throws ProtocolException {
    if (json == null) {
      return null;
    }
    if (!(json instanceof Map)) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "argument \"health\" must be an object (kind, target, ...) or null");
    }
    return HealthCheck.fromJson((Map<String, Object>) json);
  }

  @SuppressWarnings("unchecked")
  private static RestartPolicy restart(Object json) throws ProtocolException {
    if (json == null) {
      return RestartPolicy.DEFAULT;
    }
    if (!(json instanceof Map)) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "argument \"restart\" must be an object of restart-policy fields");
    }
    return RestartPolicy.fromJson((Map<String, Object>) json);
  }
}
