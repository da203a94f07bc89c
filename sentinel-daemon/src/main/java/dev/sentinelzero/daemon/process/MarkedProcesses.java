package dev.sentinelzero.daemon.process;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the process-group leaders a daemon of this home started, by the marker every supervised
 * process carries in its environment ({@code SENTINEL_HOME_ID}, {@code SENTINEL_NAME}, and since
 * run ids, {@code SENTINEL_RUN_ID}: {@link RunMark}). A new daemon uses it for the processes whose
 * run was never recorded (the previous daemon died between {@code posix_spawn} and its commit), so
 * that none is left running untracked.
 *
 * <p>The search is the process layer's marker scan ({@link NativeOs#scan}): Linux reads {@code
 * /proc/<pid>/stat} and {@code /proc/<pid>/environ} (the user's own processes are readable); macOS
 * lists the user's processes and reads each environment with {@code sysctl KERN_PROCARGS2}
 * (written from the xnu sources, not run on a Mac yet). Only live group leaders count. Elsewhere it
 * finds nothing. Stateless: any thread (the supervisor's, at start).
 */
public final class MarkedProcesses {
  public static final String HOME_ID = "SENTINEL_HOME_ID";
  public static final String NAME = "SENTINEL_NAME";
  /** Set on health-check commands, which carry the process's name too but are not it. */
  public static final String HEALTH_CHECK = "SENTINEL_HEALTH_CHECK";
  /** Set by the process layer on every spawn: the run, unique across daemons. */
  public static final String RUN_ID = "SENTINEL_RUN_ID";

  private static final Logger log = LoggerFactory.getLogger(MarkedProcesses.class);

  private MarkedProcesses() {}

  /**
   * Live processes marked with {@code homeId} that may lead a run: pid to the process name they
   * were started as. A candidate leads its process group but not a session ({@link
   * NativeOs.Marked#mayLeadARun}: a {@code setsid} escapee of a run is not one), and of several
   * candidates with one run id only the oldest counts (the others left the leader's group with
   * {@code setpgid}). The caller still skips those of runs it watches ({@link
   * ProcessControl#belongsToWatchedRun}).
   */
  public static Map<Long, String> find(String homeId) {
    Map<Long, String> out = new HashMap<>();
    if (homeId == null) {
      return out;
    }
    try {
      NativeOs os = ProcessControls.nativeOs();
      Map<String, NativeOs.Marked> oldestOfRun = new HashMap<>();
      for (NativeOs.Marked m : os.scan(Set.of(), Instant.EPOCH).marked()) {
        RunMark mark = m.mark();
        if (!m.mayLeadARun()
            || !homeId.equals(mark.homeId())
            || mark.healthCheck()
            || mark.name() == null) {
          continue;
        }
        if (mark.runId() == null) {
          out.put(m.pid(), mark.name()); // an earlier build's: no run id to group by
          continue;
        }
        oldestOfRun.merge(
            mark.runId(), m, (a, b) -> b.startTime().isBefore(a.startTime()) ? b : a);
      }
      oldestOfRun.values().forEach(m -> out.put(m.pid(), m.mark().name()));
    } catch (RuntimeException | LinkageError e) {
      // The macOS side has not run on a Mac yet: a mistake here must not keep the daemon from
      // starting.
      log.warn(
          "cannot look for processes an earlier daemon started but did not record: {}",
          e.toString());
    }
    return out;
  }

  /**
   * The process name in an environment marked with {@code homeId} ({@code NAME=value} strings), or
   * null when it is not so marked, or is a health check's.
   */
  static String markedName(Iterable<String> environment, String homeId) {
    RunMark mark = RunMark.parse(environment);
    return mark != null && homeId.equals(mark.homeId()) && !mark.healthCheck() ? mark.name() : null;
  }
}
