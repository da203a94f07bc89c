package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.ProcessStatus;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.ScheduleStatus;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sentinel schedule run NAME}: one run now (history reason {@code manual}). A run in
 * progress is dealt with by the job's overlap policy: {@code skip} refuses (conflict, exit 1),
 * {@code queue} queues it, {@code replace} stops the running one first, {@code allow} starts
 * another. The answer's {@code action} says which ({@code started}, {@code queued}, {@code
 * replacing}, {@code started_beside}) and {@code pid} is the new run's; an older daemon sends only
 * {@code started}, false when the run was queued, and a process still {@code stopping} is then the
 * run being replaced.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run a job now, once. While it runs already, its --overlap policy decides: skip refuses,"
            + " queue runs it after, replace stops the current run first, allow runs both.")
final class ScheduleRunCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME", description = "The job.")
  String name;

  ScheduleRunCommand(Context context) {
    super(context);
  }

  @Override
  public Integer call() throws ProtocolException {
    // No timeout: with overlap replace the running one is stopped first.
    Map<String, Object> result = request(Commands.SCHEDULE_RUN, Map.of("name", name), 0);
    int exit = StartCommand.exitFor(scheduleOf(result));
    if (global.json()) {
      printJson(result);
      return exit;
    }
    ScheduleStatus s = ScheduleView.schedule(result);
    ProcessStatus p = s.process();
    String line;
    Object pid = result.get("pid");
    if ("started_beside".equals(result.get("action"))) {
      line = "started another run of " + s.name() + (pid != null ? " (pid " + pid + ")" : "") + " beside the running one";
    } else if ("started".equals(result.get("action")) && pid != null) {
      line = "started " + s.name() + " (pid " + pid + ")";
    } else if (Boolean.FALSE.equals(result.get("started"))) {
      line =
          "queued a run of "
              + s.name()
              + ": it starts when the current run"
              + (p != null && p.pid() != null ? " (pid " + p.pid() + ")" : "")
              + " ends";
    } else if (p != null && "stopping".equals(p.state())) {
      line =
          "replacing the current run of "
              + s.name()
              + (p.pid() != null ? " (pid " + p.pid() + ")" : "")
              + ": the new run starts once it has stopped";
    } else if (p != null && p.pid() != null) {
      line = "started " + s.name() + " (pid " + p.pid() + ")";
    } else if (p != null) {
      line = s.name() + ": " + p.state() + StartCommand.reason(p);
    } else {
      line = "started " + s.name();
    }
    out().println(line);
    out().flush();
    return exit;
  }

  /** The schedule object, where {@link StartCommand#exitFor} looks for a failed process. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> scheduleOf(Map<String, Object> result) {
    Object schedule = result.get("schedule");
    return schedule instanceof Map ? (Map<String, Object>) schedule : Map.of();
  }
}
