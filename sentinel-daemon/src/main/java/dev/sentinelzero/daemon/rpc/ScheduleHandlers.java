package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.daemon.supervisor.Supervisor;
import dev.sentinelzero.protocol.Args;
import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FireTime;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import dev.sentinelzero.protocol.RestartPolicy;
import dev.sentinelzero.protocol.RunRecord;
import dev.sentinelzero.protocol.Schedule;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The commands of scheduled jobs: schedule (define), schedule.list, schedule.enable,
 * schedule.disable, schedule.remove, schedule.run, upcoming, history.
 */
final class ScheduleHandlers {
  private static final Set<String> NAME_ONLY = Set.of("name");
  private static final Set<String> DEFINE_ARGS;
  /** A job's restart policy when none is given: a failed run waits for the next fire time. */
  static final RestartPolicy JOB_DEFAULT_POLICY =
      new RestartPolicy(
          RestartPolicy.NEVER,
          RestartPolicy.DEFAULT.successExitCodes(),
          RestartPolicy.DEFAULT.retries(),
          RestartPolicy.DEFAULT.delayMs(),
          RestartPolicy.DEFAULT.backoff(),
          RestartPolicy.DEFAULT.backoffFactor(),
          RestartPolicy.DEFAULT.maxDelayMs(),
          RestartPolicy.DEFAULT.jitter(),
          RestartPolicy.DEFAULT.minUptimeMs(),
          null);

  static {
    Set<String> define = new HashSet<>(ProcessSpec.FIELDS);
    define.add("replace");
    define.add("schedule");
    DEFINE_ARGS = Set.copyOf(define);
  }

  private final Supervisor supervisor;
  private final UnaryOperator<Handler> audited;

  /** @param audited wraps a state-changing handler so its request is in the transaction log */
  ScheduleHandlers(Supervisor supervisor, UnaryOperator<Handler> audited) {
    this.supervisor = supervisor;
    this.audited = audited;
  }

  void registerAll(Dispatcher dispatcher) {
    dispatcher
        .register(Commands.SCHEDULE, audited.apply(this::define))
        .register(Commands.SCHEDULE_LIST, this::list)
        .register(
            Commands.SCHEDULE_ENABLE,
            audited.apply((r, x) -> x.ok(outcome(Futures.await(supervisor.setScheduleEnabled(name(r), true))))))
        .register(
            Commands.SCHEDULE_DISABLE,
            audited.apply((r, x) -> x.ok(outcome(Futures.await(supervisor.setScheduleEnabled(name(r), false))))))
        .register(Commands.SCHEDULE_REMOVE, audited.apply(this::remove))
        .register(Commands.SCHEDULE_RUN, audited.apply(this::run))
        .register(Commands.UPCOMING, this::upcoming)
        .register(Commands.HISTORY, this::history);
  }

  @SuppressWarnings("unchecked")
  private void define(Request request, Exchange exchange) throws ProtocolException, IOException {
    Args args = request.arguments();
    args.allowOnly(DEFINE_ARGS);
    Object raw = request.args().get("schedule");
    if (!(raw instanceof Map)) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT,
          "argument \"schedule\" is required: an object such as {\"cron\":\"0 2 * * *\"} or {\"every_ms\":900000}");
    }
    Schedule schedule = Schedule.fromJson((Map<String, Object>) raw);
    Map<String, Object> fields = new LinkedHashMap<>(request.args());
    fields.remove("schedule");
    ProcessSpec spec = ProcessSpec.fromJson(fields);
    if (!args.has("restart")) {
      spec = spec.withRestart(JOB_DEFAULT_POLICY);
    }
    ScheduleStatus status = Futures.await(supervisor.defineSchedule(spec, schedule, args.bool("replace", false)));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("schedule", status.toJson());
    ProcessHandlers.putAdjusted(result, RestartPolicy.DEFAULT, request.args().get("restart"), spec.restart());
    exchange.ok(ProcessHandlers.unsaved(supervisor, result));
  }

  private void list(Request request, Exchange exchange) throws ProtocolException, IOException {
    Args args = request.arguments();
    args.allowOnly(NAME_ONLY);
    List<Object> out = new ArrayList<>();
    for (ScheduleStatus s : Futures.await(supervisor.schedules(args.optString("name").orElse(null)))) {
      out.add(s.toJson());
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("schedules", out);
    exchange.ok(result);
  }

  private void remove(Request request, Exchange exchange) throws ProtocolException, IOException {
    String removed = Futures.await(supervisor.removeSchedule(name(request)));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("removed", removed);
    exchange.ok(ProcessHandlers.unsaved(supervisor, result));
  }

  private void run(Request request, Exchange exchange) throws ProtocolException, IOException {
    Supervisor.RunNowOutcome done = Futures.await(supervisor.runSchedule(name(request)));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("schedule", done.schedule().toJson());
    result.put("started", !"queued".equals(done.action()));
    result.put("action", done.action());
    result.put("pid", done.pid());
    exchange.ok(ProcessHandlers.unsaved(supervisor, result));
  }

  private void upcoming(Request request, Exchange exchange) throws ProtocolException, IOException {
    Args args = request.arguments();
    args.allowOnly(Set.of("name", "count"));
    int count = (int) args.optLong("count", 1, 1000).orElse(10);
    List<Object> out = new ArrayList<>();
    for (FireTime f : Futures.await(supervisor.upcoming(args.optString("name").orElse(null), count))) {
      out.add(f.toJson());
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("fires", out);
    exchange.ok(result);
  }

  private void history(Request request, Exchange exchange) throws ProtocolException, IOException {
    Args args = request.arguments();
    args.allowOnly(Set.of("name", "limit"));
    String name = args.requireString("name");
    int limit = (int) args.optLong("limit", 1, 10_000).orElse(20);
    List<Object> out = new ArrayList<>();
    for (RunRecord r : Futures.await(supervisor.history(name, limit))) {
      out.add(r.toJson());
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("runs", out);
    exchange.ok(result);
  }

  private static String name(Request request) throws ProtocolException {
    Args args = request.arguments();
    args.allowOnly(NAME_ONLY);
    return args.requireString("name");
  }

  private Map<String, Object> outcome(Supervisor.JobOutcome outcome) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("schedule", outcome.schedule().toJson());
    result.put("changed", outcome.changed());
    return ProcessHandlers.unsaved(supervisor, result);
  }
}
