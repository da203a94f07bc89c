package dev.sentinelzero.daemon.process;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The marker a supervised process carries in its environment, and every process it starts
 * inherits: the home ({@code SENTINEL_HOME_ID}), the process's name ({@code SENTINEL_NAME}),
 * whether it is a health check ({@code SENTINEL_HEALTH_CHECK}), and the run ({@code
 * SENTINEL_RUN_ID}, unique across daemons: {@link NativeProcessControl#spawn} adds it). A process
 * that leaves its run's process group ({@code setsid}, {@code setpgid}) still carries it, which is
 * how a teardown finds it. Processes started by a build before run ids carry no run id ({@link
 * #legacy()}).
 *
 * <p>A value; the parsers are pure functions (any thread).
 *
 * @param homeId null when the process is not marked with a home (then it is not ours)
 * @param runId null for a process started before run ids existed
 */
record RunMark(String homeId, String name, String runId, boolean healthCheck) {
  static final String HOME_ID = MarkedProcesses.HOME_ID;
  static final String NAME = MarkedProcesses.NAME;
  static final String HEALTH_CHECK = MarkedProcesses.HEALTH_CHECK;
  static final String RUN_ID = MarkedProcesses.RUN_ID;
  private static final byte[] PREFIX = "SENTINEL_".getBytes(StandardCharsets.US_ASCII);

  /** Marked by a build that had no run ids: only home and name tell whose it is. */
  boolean legacy() {
    return runId == null;
  }

  /**
   * Whether a process marked {@code other} belongs to the run marked by this: the same run id; for
   * a legacy run (no run id), a legacy process of the same home, name and kind.
   */
  boolean sameRun(RunMark other) {
    if (other == null) {
      return false;
    }
    if (runId != null) {
      return runId.equals(other.runId);
    }
    return other.runId == null
        && homeId != null
        && homeId.equals(other.homeId)
        && Objects.equals(name, other.name)
        && healthCheck == other.healthCheck;
  }

  /** The marker in {@code NAME=value} strings; null when there is no home marker among them. */
  static RunMark parse(Iterable<String> environment) {
    String home = null;
    String name = null;
    String run = null;
    boolean check = false;
    for (String var : environment) {
      if (!var.startsWith("SENTINEL_")) {
        continue;
      }
      int eq = var.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = var.substring(0, eq);
      String value = var.substring(eq + 1);
      switch (key) {
        case HOME_ID -> home = value;
        case NAME -> name = value;
        case RUN_ID -> run = value.isEmpty() ? null : value;
        case HEALTH_CHECK -> check = true;
        default -> {}
      }
    }
    return home == null || home.isEmpty() ? null : new RunMark(home, name, run, check);
  }

  /**
   * The marker in a raw environment block ({@code /proc/<pid>/environ}: {@code NAME=value}
   * strings, each ending in NUL; the last may be cut short). Only strings that start with {@code
   * SENTINEL_} are decoded, so a large environment costs one pass over its bytes.
   */
  static RunMark parse(byte[] block, int length) {
    java.util.List<String> ours = new java.util.ArrayList<>(4);
    int end = Math.min(length, block.length);
    int start = 0;
    while (start < end) {
      int stop = start;
      while (stop < end && block[stop] != 0) {
        stop++;
      }
      if (startsWithPrefix(block, start, stop)) {
        ours.add(new String(block, start, stop - start, StandardCharsets.UTF_8));
      }
      start = stop + 1;
    }
    return parse(ours);
  }

  private static boolean startsWithPrefix(byte[] block, int from, int to) {
    if (to - from < PREFIX.length) {
      return false;
    }
    for (int i = 0; i < PREFIX.length; i++) {
      if (block[from + i] != PREFIX[i]) {
        return false;
      }
    }
    return true;
  }
}
