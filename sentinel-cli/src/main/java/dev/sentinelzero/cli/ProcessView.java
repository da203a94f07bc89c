package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.HealthCheck;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.ResourceLimits;
import dev.sentinelzero.protocol.RestartPolicy;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How processes read as text: the table of {@code list} and {@code status}, the block of {@code
 * status NAME} and the one-line summaries of a restart policy, a health check and resource limits. Environment values never reach this
 * class (the daemon sends only the names), and it shows only the names.
 */
final class ProcessView {
  private static final String[] HEADER = {
    "NAME", "STATE", "PID", "UPTIME", "RESTARTS", "LAST-EXIT", "CPU", "MEM", "COMMAND"
  };
  private static final String NONE = "-";

  /** The most characters of a check's output that {@code status NAME} shows. */
  static final int HEALTH_OUTPUT_MAX = 200;

  private ProcessView() {}

  /** The {@code processes} array of a {@code list} or {@code status} result. */
  @SuppressWarnings("unchecked")
  static List<ProcessStatus> processes(Map<String, Object> result) throws ProtocolException {
    Object value = result.get("processes");
    if (!(value instanceof List)) {
      throw malformed("no \"processes\" array");
    }
    List<ProcessStatus> out = new ArrayList<>();
    for (Object item : (List<Object>) value) {
      if (!(item instanceof Map)) {
        throw malformed("a process that is not an object");
      }
      out.add(ProcessStatus.fromJson((Map<String, Object>) item));
    }
    return out;
  }

  /** The {@code process} object of a {@code start}, {@code stop} or {@code restart} result. */
  @SuppressWarnings("unchecked")
  static ProcessStatus process(Map<String, Object> result) throws ProtocolException {
    Object value = result.get("process");
    if (!(value instanceof Map)) {
      throw malformed("no \"process\" object");
    }
    return ProcessStatus.fromJson((Map<String, Object>) value);
  }

  static void table(List<ProcessStatus> processes, PrintWriter out) {
    if (processes.isEmpty()) {
      out.println("no processes; define one with: sentinel start --name NAME --cmd \"COMMAND\"");
      out.flush();
      return;
    }
    List<String[]> rows = new ArrayList<>();
    for (ProcessStatus p : processes) {
      rows.add(
          new String[] {
            p.name(),
            stateLabel(p),
            p.pid() == null ? NONE : Long.toString(p.pid()),
            p.uptimeMs() == null ? NONE : Units.duration(p.uptimeMs()),
            Long.toString(p.restarts()),
            shortExit(p.lastExit()),
            p.cpuPercent() == null ? NONE : Units.percent(p.cpuPercent()),
            p.memoryBytes() == null ? NONE : Units.bytes(p.memoryBytes()),
            p.command() == null || p.command().isEmpty() ? NONE : p.command()
          });
    }
    Text.table(HEADER, rows, out);
    for (ProcessStatus p : processes) {
      if (p.warning() != null) {
        out.println("warning: " + p.name() + ": " + p.warning());
      }
    }
    out.flush();
  }

  /**
   * The STATE column: the state, with the health of a running process that has a check ({@code
   * running (healthy)}), or what put a process that is not running where it is, when that was not
   * a request or its own exit: {@code stopped (limit)}, {@code stopped (unhealthy)}, {@code failed
   * (gave up)}, {@code failed (launch failed)}.
   */
  static String stateLabel(ProcessStatus p) {
    if (p.health() != null) {
      return p.state() + " (" + p.health() + ")";
    }
    if (!"stopped".equals(p.state()) && !"failed".equals(p.state())) {
      return p.state();
    }
    String code = p.reasonCode() == null ? "" : p.reasonCode();
    switch (code) {
      case ProcessStatus.REASON_LIMIT:
      case ProcessStatus.REASON_UNHEALTHY:
        return p.state() + " (" + code + ")";
      case ProcessStatus.REASON_GAVE_UP:
      case ProcessStatus.REASON_LAUNCH_FAILED:
        return p.state() + " (" + code.replace('_', ' ') + ")";
      default:
        return p.state();
    }
  }

  /**
   * The desired state and who or what set it: {@code running (by request)}, {@code stopped (its
   * resource limit stopped it)}; null when the daemon does not say.
   */
  static String desired(ProcessStatus p) {
    if (p.desired() == null) {
      return null;
    }
    String by = p.desiredBy() == null ? "" : p.desiredBy();
    switch (by) {
      case ProcessStatus.BY_REQUEST:
        return p.desired() + " (by request)";
      case ProcessStatus.BY_EXITED:
        return p.desired() + " (it ended, and its restart mode does not start it again)";
      case ProcessStatus.BY_GAVE_UP:
        return p.desired() + " (its restart policy gave up)";
      case ProcessStatus.BY_LAUNCH_FAILED:
        return p.desired() + " (it could not be launched)";
      case ProcessStatus.BY_LIMIT:
        return p.desired() + " (its resource limit stopped it)";
      case ProcessStatus.BY_UNHEALTHY:
        return p.desired() + " (its health check stopped it)";
      case ProcessStatus.BY_SCHEDULE:
        return "scheduled (its schedule starts its runs; the daemon's start does not)";
      default:
        return by.isEmpty() ? p.desired() : p.desired() + " (" + by + ")";
    }
  }

  /**
   * The block of {@code status NAME}. {@code clock} gives now and the local zone for the next
   * restart attempt ({@code 14:03:07 (in 3s)}); other times are shown as the daemon sent them.
   */
  static void details(ProcessStatus p, Clock clock, PrintWriter out) {
    ProcessSpec spec = p.spec();
    List<String[]> rows = new ArrayList<>();
    rows.add(row("name", p.name()));
    rows.add(row("state", p.state()));
    if (p.warning() != null) {
      rows.add(row("warning", p.warning()));
    }
    if (p.reason() != null && !p.reason().isEmpty()) {
      rows.add(row("reason", p.reason()));
    }
    if (p.reasonCode() != null && !p.reasonCode().isEmpty()) {
      rows.add(row("reason code", p.reasonCode()));
    }
    String desired = desired(p);
    if (desired != null) {
      rows.add(row("desired", desired));
    }
    if (p.health() != null) {
      rows.add(row("health", health(p)));
    }
    String output = healthOutput(p.healthOutput());
    if (output != null) {
      rows.add(row("health output", output));
    }
    if (p.nextAttemptAt() != null) {
      rows.add(row("next attempt", nextAttempt(p.nextAttemptAt(), clock)));
    }
    String attemptsLeft = attemptsLeft(p);
    if (attemptsLeft != null) {
      rows.add(row("attempts left", attemptsLeft));
    }
    rows.add(row("pid", p.pid() == null ? NONE : Long.toString(p.pid())));
    rows.add(row("uptime", p.uptimeMs() == null ? NONE : Units.duration(p.uptimeMs())));
    rows.add(row("started at", p.startedAt() == null ? NONE : p.startedAt().toString()));
    rows.add(row("restarts", Long.toString(p.restarts())));
    rows.add(row("restart", policy(spec.restart())));
    if (spec.health() != null) {
      rows.add(row("health check", healthCheck(spec.health())));
    }
    if (spec.limits() != null) {
      rows.add(row("limits", limits(spec.limits())));
    }
    rows.add(row("last exit", longExit(p.lastExit())));
    rows.add(row("cpu", p.cpuPercent() == null ? NONE : Units.percent(p.cpuPercent())));
    rows.add(row("memory", p.memoryBytes() == null ? NONE : Units.bytes(p.memoryBytes())));
    rows.add(row("command", p.command() == null || p.command().isEmpty() ? NONE : p.command()));
    rows.add(row("shell", spec.shell() ? "yes (/bin/sh -c)" : "no"));
    rows.add(row("cwd", spec.cwd() == null ? NONE : spec.cwd()));
    rows.add(
        row("env", spec.env().isEmpty() ? NONE : String.join(", ", sorted(spec.env().keySet()))));
    rows.add(row("stop signal", spec.stopSignal()));
    rows.add(row("stop timeout", Units.exactDuration(spec.stopTimeoutMs())));
    Text.keyValues(rows, out);
  }

  /**
   * A restart policy in one line: {@code on-failure, retries 3, delay 5s, exponential x2 up to 5m,
   * jitter 10%, min uptime 5s, no cooldown}. Success exit codes show only when they are not just
   * 0.
   */
  static String policy(RestartPolicy r) {
    StringBuilder s = new StringBuilder(r.mode());
    if (!r.successExitCodes().equals(List.of(0))) {
      s.append(", success codes ");
      for (int i = 0; i < r.successExitCodes().size(); i++) {
        s.append(i == 0 ? "" : ",").append(r.successExitCodes().get(i));
      }
    }
    s.append(", retries ");
    s.append(r.retries() == RestartPolicy.UNLIMITED ? "unlimited" : Integer.toString(r.retries()));
    s.append(", delay ").append(Units.exactDuration(r.delayMs()));
    if (RestartPolicy.EXPONENTIAL.equals(r.backoff())) {
      s.append(", exponential x")
          .append(Units.plain(r.backoffFactor()))
          .append(" up to ")
          .append(Units.exactDuration(r.maxDelayMs()));
    } else {
      s.append(", ").append(r.backoff());
    }
    s.append(r.jitter() == 0 ? ", no jitter" : ", jitter " + Units.plain(r.jitter() * 100) + "%");
    s.append(", min uptime ").append(Units.exactDuration(r.minUptimeMs()));
    Long cooldown = r.cooldownMs();
    s.append(cooldown == null ? ", no cooldown" : ", cooldown " + Units.exactDuration(cooldown));
    return s.toString();
  }

  /**
   * A health check in one line: {@code cmd "curl -f localhost:8080", every 30s, timeout 5s, 3
   * retries, start period 0s, on unhealthy: restart}; a {@code tcp} or {@code http} target shows
   * unquoted, a command run by the shell reads {@code cmd (shell) "..."}.
   */
  static String healthCheck(HealthCheck h) {
    StringBuilder s = new StringBuilder(h.kind());
    if (HealthCheck.CMD.equals(h.kind())) {
      s.append(h.shell() ? " (shell) " : " ").append(quoted(h.target()));
    } else {
      s.append(' ').append(h.target());
    }
    s.append(", every ").append(Units.exactDuration(h.intervalMs()));
    s.append(", timeout ").append(Units.exactDuration(h.timeoutMs()));
    s.append(", ").append(h.retries()).append(h.retries() == 1 ? " retry" : " retries");
    s.append(", start period ").append(Units.exactDuration(h.startPeriodMs()));
    s.append(", on unhealthy: ").append(h.action());
    return s.toString();
  }

  /**
   * Resource limits in one line: {@code memory 512.0 MiB, cpu 150% for 30s, on breach: restart};
   * a limit not set is left out.
   */
  static String limits(ResourceLimits l) {
    StringBuilder s = new StringBuilder();
    if (l.maxMemoryBytes() != null) {
      s.append("memory ").append(Units.bytes(l.maxMemoryBytes()));
    }
    if (l.maxCpuPercent() != null) {
      s.append(s.length() == 0 ? "" : ", ")
          .append("cpu ")
          .append(Units.plain(l.maxCpuPercent()))
          .append("% for ")
          .append(Units.exactDuration(l.limitForMs()));
    }
    s.append(s.length() == 0 ? "" : ", ").append("on breach: ").append(l.action());
    return s.toString();
  }

  /**
   * The health of a running process: {@code starting}, {@code healthy}, or {@code unhealthy (3
   * failures)}. The daemon sends no count of failures: a process is unhealthy after the check's
   * {@code retries} failures in a row, so that is the count shown.
   */
  static String health(ProcessStatus p) {
    HealthCheck check = p.spec().health();
    if (!"unhealthy".equals(p.health()) || check == null) {
      return p.health();
    }
    return p.health() + " (" + check.retries() + (check.retries() == 1 ? " failure)" : " failures)");
  }

  /**
   * The last check's output as one short line: trimmed, its first line only, control characters
   * (such as terminal escapes) as {@code ?}, at most {@link #HEALTH_OUTPUT_MAX} characters (the
   * last three {@code ...} when cut); null when there is none.
   */
  static String healthOutput(String output) {
    if (output == null || output.isBlank()) {
      return null;
    }
    String line = output.strip().lines().findFirst().orElse("").strip();
    StringBuilder s = new StringBuilder(line.length());
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      s.append(c == '\t' ? ' ' : Character.isISOControl(c) ? '?' : c);
    }
    if (s.length() > HEALTH_OUTPUT_MAX) {
      int cut = HEALTH_OUTPUT_MAX - 3;
      if (Character.isHighSurrogate(s.charAt(cut - 1))) {
        cut--;
      }
      s.setLength(cut);
      s.append("...");
    }
    return s.toString();
  }

  /** A command line in double quotes, with {@code "} and {@code \} escaped. */
  private static String quoted(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * When the next attempt is due, in the clock's zone, and how far off: {@code 14:03:07 (in 3s)};
   * with the date when it is not today; {@code (due now)} once it has passed. Both round up to the
   * whole second, so the time shown is never before the attempt and agrees with the count: 2.4 s
   * after 14:03:05 reads {@code 14:03:08 (in 3s)}.
   */
  static String nextAttempt(Instant at, Clock clock) {
    Instant shown = at.getNano() == 0 ? at : at.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    ZonedDateTime local = shown.atZone(clock.getZone());
    String time =
        Units.twoDigits(local.getHour())
            + ":"
            + Units.twoDigits(local.getMinute())
            + ":"
            + Units.twoDigits(local.getSecond());
    String when =
        local.toLocalDate().equals(LocalDate.now(clock)) ? time : local.toLocalDate() + " " + time;
    long ms = at.toEpochMilli() - clock.millis();
    if (ms <= 0) {
      return when + " (due now)";
    }
    return when + " (in " + Units.duration((ms + 999) / 1000 * 1000) + ")";
  }

  /**
   * The restarts left after failed starts: the number, {@code unlimited} when the policy has no
   * limit, or null (no line) when the daemon did not say.
   */
  private static String attemptsLeft(ProcessStatus p) {
    if (p.attemptsLeft() != null) {
      return Integer.toString(p.attemptsLeft());
    }
    return p.spec().restart().retries() == RestartPolicy.UNLIMITED ? "unlimited" : null;
  }

  /** The last exit in a few characters: {@code code 1}, {@code SIGKILL}, {@code launch failed}. */
  static String shortExit(ExitInfo exit) {
    if (exit == null) {
      return NONE;
    }
    switch (exit.kind()) {
      case ExitInfo.EXITED:
        return exit.code() == null ? "exited" : "code " + exit.code();
      case ExitInfo.KILLED:
        return exit.signal() == null ? "killed" : "SIG" + exit.signal();
      case ExitInfo.LAUNCH_FAILED:
        return "launch failed";
      default:
        return exit.kind();
    }
  }

  private static String longExit(ExitInfo exit) {
    if (exit == null) {
      return NONE;
    }
    String what =
        exit.message() == null || exit.message().isEmpty() ? shortExit(exit) : exit.message();
    return exit.at() == null ? what : what + " (at " + exit.at() + ")";
  }

  private static List<String> sorted(java.util.Collection<String> keys) {
    List<String> out = new ArrayList<>(keys);
    out.sort(null);
    return out;
  }

  private static String[] row(String key, String value) {
    return new String[] {key, value};
  }

  private static ProtocolException malformed(String what) {
    return new ProtocolException(
        ErrorCode.INTERNAL, "the daemon's answer has " + what + "; are the CLI and daemon the same version?");
  }
}
