package dev.sentinelzero.protocol;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code daemon.status} (and {@code ping}) answers.
 *
 * @param pid the daemon's process id
 * @param version the daemon's build version
 * @param protocol the protocol version it speaks
 * @param startedAt when it started
 * @param uptimeMs how long it has run
 * @param home its home directory
 * @param socket the socket it listens on
 * @param socketRelocated true when the home's path was too long for a socket, so the socket lives
 *     in a short per-user runtime directory instead
 * @param logs the logs directory
 * @param database the SQLite file
 * @param processes how many processes are defined
 * @param running how many of them are running
 * @param disk whether the daemon can write its files (a full disk), or null from a daemon that
 *     does not say
 */
public record DaemonInfo(
    long pid,
    String version,
    int protocol,
    Instant startedAt,
    long uptimeMs,
    String home,
    String socket,
    boolean socketRelocated,
    String logs,
    String database,
    int processes,
    int running,
    DiskStatus disk) {

  /** Without the disk's state. */
  public DaemonInfo(
      long pid,
      String version,
      int protocol,
      Instant startedAt,
      long uptimeMs,
      String home,
      String socket,
      boolean socketRelocated,
      String logs,
      String database,
      int processes,
      int running) {
    this(pid, version, protocol, startedAt, uptimeMs, home, socket, socketRelocated, logs, database,
        processes, running, null);
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("pid", pid);
    json.put("version", version);
    json.put("protocol", protocol);
    json.put("started_at", startedAt.toString());
    json.put("uptime_ms", uptimeMs);
    json.put("home", home);
    json.put("socket", socket);
    json.put("socket_relocated", socketRelocated);
    json.put("logs", logs);
    json.put("database", database);
    json.put("processes", processes);
    json.put("running", running);
    if (disk != null) {
      json.put("disk", disk.toJson());
    }
    return json;
  }

  @SuppressWarnings("unchecked")
  public static DaemonInfo fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    Object disk = json.get("disk");
    return new DaemonInfo(
        args.optLong("pid", 0, Long.MAX_VALUE).orElse(0),
        args.optString("version").orElse("?"),
        (int) args.optLong("protocol", 0, Integer.MAX_VALUE).orElse(0),
        Instant.parse(args.requireString("started_at")),
        args.optLong("uptime_ms", 0, Long.MAX_VALUE).orElse(0),
        args.optString("home").orElse(""),
        args.optString("socket").orElse(""),
        args.bool("socket_relocated", false),
        args.optString("logs").orElse(""),
        args.optString("database").orElse(""),
        (int) args.optLong("processes", 0, Integer.MAX_VALUE).orElse(0),
        (int) args.optLong("running", 0, Integer.MAX_VALUE).orElse(0),
        disk instanceof Map ? DiskStatus.fromJson((Map<String, Object>) disk) : null);
  }
}
