package dev.sentinelzero.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How the daemon checks that a running process is healthy, with Docker HEALTHCHECK's semantics:
 * the first check runs {@code interval} after the process starts, then every {@code interval};
 * a check that does not pass within {@code timeout} fails; failures during {@code start_period}
 * do not count; after {@code retries} failures in a row the process is {@code unhealthy}, and
 * {@code action} applies ({@code restart}: under its restart policy; {@code stop}; {@code none}).
 *
 * @param kind {@code cmd} (passes when it exits 0; run without a shell unless {@code shell}),
 *     {@code tcp} (a connection to {@code host:port} succeeds) or {@code http} (a 2xx or 3xx
 *     answer to a GET of the URL)
 * @param target the command line, {@code host:port}, or URL
 * @param shell run a {@code cmd} check with {@code /bin/sh -c}
 */
public record HealthCheck(
    String kind,
    String target,
    boolean shell,
    long intervalMs,
    long timeoutMs,
    int retries,
    long startPeriodMs,
    String action) {

  public static final String CMD = "cmd";
  public static final String TCP = "tcp";
  public static final String HTTP = "http";
  public static final String RESTART = "restart";
  public static final String STOP = "stop";
  public static final String NONE = "none";

  public static final Set<String> FIELDS =
      Set.of("kind", "target", "shell", "interval_ms", "timeout_ms", "retries", "start_period_ms", "action");

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("kind", kind);
    json.put("target", target);
    json.put("shell", shell);
    json.put("interval_ms", intervalMs);
    json.put("timeout_ms", timeoutMs);
    json.put("retries", retries);
    json.put("start_period_ms", startPeriodMs);
    json.put("action", action);
    return json;
  }

  /** Reads a check; {@code kind} and {@code target} are required, the rest default. */
  public static HealthCheck fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    args.allowOnly(FIELDS);
    String kind = args.requireString("kind");
    if (!kind.equals(CMD) && !kind.equals(TCP) && !kind.equals(HTTP)) {
      throw invalid("health check kind must be cmd, tcp or http, got \"" + kind + "\"");
    }
    String target = args.requireString("target");
    if (target.isBlank()) {
      throw invalid("the health check needs a target: a command, host:port, or URL");
    }
    if (kind.equals(TCP)) {
      int colon = target.lastIndexOf(':');
      boolean ok = colon > 0 && colon < target.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(target.substring(colon + 1));
          ok = port > 0 && port < 65536;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw invalid("a tcp health check takes HOST:PORT, like localhost:8080, got \"" + target + "\"");
      }
    }
    if (target.indexOf('\0') >= 0) {
      throw invalid("the health check's target contains a NUL character; give a command, host:port or URL");
    }
    if (kind.equals(HTTP)) {
      checkUrl(target);
    }
    long day = 24L * 3600 * 1000;
    String action = args.optString("action").orElse(RESTART);
    if (!action.equals(RESTART) && !action.equals(STOP) && !action.equals(NONE)) {
      throw invalid("health action must be restart, stop or none, got \"" + action + "\"");
    }
    HealthCheck check =
        new HealthCheck(
            kind,
            target,
            args.bool("shell", false),
            args.optLong("interval_ms", 100, day).orElse(30_000),
            args.optLong("timeout_ms", 10, day).orElse(5_000),
            (int) args.optLong("retries", 1, 1000).orElse(3),
            args.optLong("start_period_ms", 0, day).orElse(0),
            action);
    if (check.shell && !kind.equals(CMD)) {
      throw invalid("shell goes with a cmd health check only");
    }
    return check;
  }

  /**
   * Refuses a URL the probe could not request (it would fail every check, and restart the process
   * over and over): http or https, a host, a port in range, parseable as a whole.
   */
  private static void checkUrl(String target) throws ProtocolException {
    if (!(target.startsWith("http://") || target.startsWith("https://"))) {
      throw invalid("an http health check takes a URL starting with http:// or https://, got \"" + target + "\"");
    }
    java.net.URI uri;
    try {
      uri = new java.net.URI(target);
      uri.toURL();
    } catch (java.net.URISyntaxException e) {
      throw invalid(
          "the health check URL \"" + target + "\" is not a valid URL (" + e.getReason() + " at index " + e.getIndex()
              + "); e.g. http://localhost:8080/health");
    } catch (java.net.MalformedURLException | IllegalArgumentException e) {
      throw invalid("the health check URL \"" + target + "\" is not a valid URL (" + e.getMessage() + "); e.g. http://localhost:8080/health");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw invalid("the health check URL \"" + target + "\" has no host; e.g. http://localhost:8080/health");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw invalid("the health check URL \"" + target + "\" has port " + uri.getPort() + "; a port is 1 to 65535");
    }
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
