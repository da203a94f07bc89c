package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ExitInfo;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How processes read as text: the table of {@code list} and {@code status}, and the block of
 * {@code status NAME}. Environment values never reach this class (the daemon sends only the
 * names), and it shows only the names.
 */
final class ProcessView {
  private static final String[] HEADER = {
    "NAME", "STATE", "PID", "UPTIME", "RESTARTS", "LAST-EXIT", "CPU", "MEM", "COMMAND"
  };
  private static final String NONE = "-";

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
            p.state(),
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
  }

  static void details(ProcessStatus p, PrintWriter out) {
    ProcessSpec spec = p.spec();
    List<String[]> rows = new ArrayList<>();
    rows.add(row("name", p.name()));
    rows.add(row("state", p.state()));
    if (p.reason() != null && !p.reason().isEmpty()) {
      rows.add(row("reason", p.reason()));
    }
    rows.add(row("pid", p.pid() == null ? NONE : Long.toString(p.pid())));
    rows.add(row("uptime", p.uptimeMs() == null ? NONE : Units.duration(p.uptimeMs())));
    rows.add(row("started at", p.startedAt() == null ? NONE : p.startedAt().toString()));
    rows.add(row("restarts", Long.toString(p.restarts())));
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
