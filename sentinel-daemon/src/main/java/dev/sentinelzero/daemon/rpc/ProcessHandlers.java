package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.daemon.process.ProcessControl;
import dev.sentinelzero.daemon.process.ResourceUsage;
import dev.sentinelzero.daemon.supervisor.Supervisor;
import dev.sentinelzero.protocol.Args;
import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import dev.sentinelzero.protocol.RestartPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The commands that define and drive processes: start, stop, restart, remove, list, status. */
public final class ProcessHandlers {
  private static final Set<String> NAME_ONLY = Set.of("name");
  private static final Set<String> START_ARGS = Set.of("name", "wait_ms");
  private static final Set<String> DEFINE_ARGS;
  /** The longest a start may wait to see its run stay up ({@code wait_ms}). */
  static final long MAX_WAIT_MS = 60_000;

  static {
    Set<String> define = new HashSet<>(ProcessSpec.FIELDS);
    define.add("replace");
    define.add("wait_ms");
    DEFINE_ARGS = Set.copyOf(define);
  }

  private final Supervisor supervisor;
  private final ProcessControl os;

  public ProcessHandlers(Supervisor supervisor, ProcessControl os) {
    this.supervisor = supervisor;
    this.os = os;
  }

  public void registerAll(Dispatcher dispatcher) {
    dispatcher
        .register(Commands.START, audited(this::start))
        .register(Commands.STOP, audited((r, x) -> x.ok(outcome(Futures.await(supervisor.stop(name(r)))))))
        .register(
            Commands.RESTART, audited((r, x) -> x.ok(outcome(Futures.await(supervisor.restart(name(r)))))))
        .register(Commands.REMOVE, audited(this::remove))
        .register(Commands.RESTART_POLICY, audited(this::restartPolicy))
        .register(Commands.HEALTH, audited(this::health))
        .register(Commands.LIMITS, audited(this::limits))
        .register(Commands.LIST, (r, x) -> x.ok(processes(list(r, false))))
        .register(Commands.STATUS, (r, x) -> x.ok(processes(list(r, true))));
    new ScheduleHandlers(supervisor, this::audited).registerAll(dispatcher);
  }

  /** Records the request, its client and its outcome in the transaction log. */
  Handler audited(Handler handler) {
    return (request, exchange) -> {
      Supervisor.Audit audit =
          new Supervisor.Audit(
              exchange.user(), request.command(), redacted(request.args()), exchange.clientPid());
      supervisor.auditNextRequest(audit);
      String outcome = "internal: the request failed inside the daemon";
      try {
        handler.handle(request, exchange);
        outcome = "ok";
      } catch (ProtocolException e) {
        outcome = e.code().wireName() + ": " + e.getMessage();
        throw e;
      } finally {
        if (!supervisor.auditTaken()) {
          supervisor.audit(audit, outcome); // refused before it reached the supervisor
        }
      }
    };
  }

  /** Longest string of a request's arguments kept in its transaction-log entry. */
  static final int AUDIT_MAX_STRING = 512;
  /** Most items of an array or object kept there. */
  static final int AUDIT_MAX_ITEMS = 64;

  /**
   * The arguments as the transaction log keeps them: environment values replaced by {@code ***},
   * and cut to size (strings to {@value #AUDIT_MAX_STRING} characters, arrays and objects to
   * {@value #AUDIT_MAX_ITEMS} items, 8 levels deep), so that a request with a megabyte of
   * arguments does not put a megabyte into every later {@code events} answer.
   */
  static Map<String, Object> redacted(Map<String, Object> args) {
    Map<String, Object> out = new LinkedHashMap<>(args);
    Object env = out.get("env");
    if (env instanceof Map) {
      Map<String, Object> hidden = new LinkedHashMap<>();
      for (Object key : ((Map<?, ?>) env).keySet()) {
        hidden.put(String.valueOf(key), "***");
      }
      out.put("env", hidden);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> cut = (Map<String, Object>) cut(out, 0);
    return cut;
  }

  private static Object cut(Object value, int depth) {
    if (value instanceof String) {
      String s = (String) value;
      return s.length() <= AUDIT_MAX_STRING
          ? s
          : s.substring(0, AUDIT_MAX_STRING) + "...(" + s.length() + " characters)";
    }
    if (depth >= 8 && (value instanceof Map || value instanceof List)) {
      return "...";
    }
    if (value instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        if (out.size() == AUDIT_MAX_ITEMS) {
          out.put("...", ((Map<?, ?>) value).size() + " items");
          break;
        }
        out.put((String) cut(String.valueOf(e.getKey()), depth), cut(e.getValue(), depth + 1));
      }
      return out;
    }
    if (value instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object item : (List<?>) value) {
        if (out.size() == AUDIT_MAX_ITEMS) {
          out.add("...(" + ((List<?>) value).size() + " items)");
          break;
        }
        out.add(cut(item, depth + 1));
      }
      return out;
    }
    return value;
  }

  private void start(Request request, Exchange exchange) throws ProtocolException, java.io.IOException {
    Args args = request.arguments();
    if (args.has("cmd") || args.has("argv")) {
      args.allowOnly(DEFINE_ARGS);
      long waitMs = args.optLong("wait_ms", 0, MAX_WAIT_MS).orElse(0);
      Map<String, Object> fields = new LinkedHashMap<>(request.args());
      fields.remove("wait_ms");
      ProcessSpec spec = ProcessSpec.fromJson(fields);
      Map<String, Object> result =
          outcome(Futures.await(supervisor.define(spec, args.bool("replace", false), waitMs)));
      putAdjusted(result, RestartPolicy.DEFAULT, request.args().get("restart"), spec.restart());
      exchange.ok(result);
    } else {
      args.allowOnly(START_ARGS);
      long waitMs = args.optLong("wait_ms", 0, MAX_WAIT_MS).orElse(0);
      exchange.ok(outcome(Futures.await(supervisor.start(args.requireString("name"), waitMs))));
    }
  }

  /**
   * Adds {@code adjusted} to a definition's answer when the daemon moved restart-policy fields
   * the request did not set (a {@code delay_ms} above the cap raises {@code max_delay_ms}).
   *
   * @param base the policy the request's {@code restart} fields were applied to
   */
  @SuppressWarnings("unchecked")
  static void putAdjusted(Map<String, Object> result, RestartPolicy base, Object restart, RestartPolicy after) {
    if (restart instanceof Map) {
      Map<String, Object> adjusted = RestartPolicy.adjusted(base, (Map<String, Object>) restart, after);
      if (!adjusted.isEmpty()) {
        result.put("adjusted", adjusted);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void restartPolicy(Request request, Exchange exchange)
      throws ProtocolException, java.io.IOException {
    Args args = request.arguments();
    args.allowOnly(Set.of("name", "restart"));
    String name = args.requireString("name");
    Object changes = request.args().get("restart");
    if (!(changes instanceof Map) || ((Map<?, ?>) changes).isEmpty()) {
      throw new ProtocolException(
          dev.sentinelzero.protocol.ErrorCode.INVALID_ARGUMENT,
          "argument \"restart\" must be an object with the policy fields to change, e.g. {\"retries\":3}");
    }
    exchange.ok(outcome(Futures.await(supervisor.setRestartPolicy(name, (Map<String, Object>) changes))));
  }

  @SuppressWarnings("unchecked")
  private void health(Request request, Exchange exchange) throws ProtocolException, java.io.IOException {
    Args args = request.arguments();
    args.allowOnly(Set.of("name", "health"));
    String name = args.requireString("name");
    if (!request.args().containsKey("health")) {
      throw new ProtocolException(
          dev.sentinelzero.protocol.ErrorCode.INVALID_ARGUMENT,
          "argument \"health\" is required: a check object ({\"kind\":\"tcp\",\"target\":\"localhost:8080\"}) or null to remove the check");
    }
    Object raw = request.args().get("health");
    dev.sentinelzero.protocol.HealthCheck check = null;
    if (raw != null) {
      if (!(raw instanceof Map)) {
        throw new ProtocolException(
            dev.sentinelzero.protocol.ErrorCode.INVALID_ARGUMENT, "argument \"health\" must be an object or null");
      }
      check = dev.sentinelzero.protocol.HealthCheck.fromJson((Map<String, Object>) raw);
    }
    exchange.ok(outcome(Futures.await(supervisor.setHealthCheck(name, check))));
  }

  @SuppressWarnings("unchecked")
  private void limits(Request request, Exchange exchange) throws ProtocolException, java.io.IOException {
    Args args = request.arguments();
    args.allowOnly(Set.of("name", "limits"));
    String name = args.requireString("name");
    if (!request.args().containsKey("limits")) {
      throw new ProtocolException(
          dev.sentinelzero.protocol.ErrorCode.INVALID_ARGUMENT,
          "argument \"limits\" is required: an object ({\"max_memory_bytes\":536870912}) or null to remove the limits");
    }
    Object raw = request.args().get("limits");
    dev.sentinelzero.protocol.ResourceLimits limits = null;
    if (raw != null) {
      if (!(raw instanceof Map)) {
        throw new ProtocolException(
            dev.sentinelzero.protocol.ErrorCode.INVALID_ARGUMENT, "argument \"limits\" must be an object or null");
      }
      limits = dev.sentinelzero.protocol.ResourceLimits.fromJson((Map<String, Object>) raw);
    }
    exchange.ok(outcome(Futures.await(supervisor.setLimits(name, limits))));
  }

  private void remove(Request request, Exchange exchange) throws ProtocolException, java.io.IOException {
    String removed = Futures.await(supervisor.remove(name(request)));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("removed", removed);
    exchange.ok(unsaved(supervisor, result));
  }

  private List<ProcessStatus> list(Request request, boolean withUsage) throws ProtocolException {
    Args args = request.arguments();
    args.allowOnly(NAME_ONLY);
    List<ProcessStatus> statuses =
        Futures.await(supervisor.list(args.optString("name").orElse(null)));
    if (!withUsage) {
      return statuses;
    }
    List<Long> pids = new ArrayList<>();
    for (ProcessStatus s : statuses) {
      if (s.pid() != null) {
        pids.add(s.pid());
      }
    }
    if (pids.isEmpty()) {
      return statuses;
    }
    Map<Long, ResourceUsage> usage = os.sample(pids);
    List<ProcessStatus> out = new ArrayList<>(statuses.size());
    for (ProcessStatus s : statuses) {
      ResourceUsage u = s.pid() == null ? null : usage.get(s.pid());
      out.add(
          u == null ? s : s.withUsage(u.cpuPercent(), u.residentBytes()));
    }
    return out;
  }

  private static String name(Request request) throws ProtocolException {
    Args args = request.arguments();
    args.allowOnly(NAME_ONLY);
    return args.requireString("name");
  }

  private Map<String, Object> outcome(Supervisor.Outcome outcome) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("process", outcome.process().toJson());
    result.put("changed", outcome.changed());
    if (outcome.earlyExit() != null) {
      Map<String, Object> early = new LinkedHashMap<>();
      early.put("exit", outcome.earlyExit().exit() == null ? null : outcome.earlyExit().exit().toJson());
      early.put("ran_ms", outcome.earlyExit().ranMs());
      result.put("early_exit", early);
    }
    if (!outcome.adjusted().isEmpty()) {
      result.put("adjusted", outcome.adjusted());
    }
    return unsaved(supervisor, result);
  }

  /**
   * Adds {@code warning} to the result of a change while the disk refuses writes: the change is
   * made, but waits in memory to be saved (see Store). Answers say what happened.
   */
  static Map<String, Object> unsaved(Supervisor supervisor, Map<String, Object> result) {
    String warning = supervisor.unsavedWarning();
    if (warning != null) {
      result.put("warning", warning);
    }
    return result;
  }

  private static Map<String, Object> processes(List<ProcessStatus> statuses) {
    List<Object> list = new ArrayList<>(statuses.size());
    for (ProcessStatus s : statuses) {
      list.add(s.toJson());
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("processes", list);
    return result;
  }
}
