package dev.sentinelzero.daemon.schedule;

import java.util.Locale;

/**
 * What a fire time does when the job's previous run is still going ({@code --overlap}): a pure
 * decision; the supervisor carries it out.
 */
public enum Overlap {
  /** Drop this fire time; the running one carries on. */
  SKIP,
  /** Start once the running one ends; at most one run waits, so a slow job never builds a queue. */
  QUEUE,
  /** Stop the running one, then start. */
  REPLACE,
  /** Start another run beside the running one. */
  ALLOW;

  /** What to do at a fire time. */
  public enum Action {
    START,
    DROP,
    /** Start when the running one ends. */
    WAIT,
    STOP_THEN_START,
    START_ANOTHER
  }

  public static Overlap parse(String text) throws ScheduleException {
    String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "skip" -> SKIP;
      case "queue" -> QUEUE;
      case "replace" -> REPLACE;
      case "allow" -> ALLOW;
      default -> throw new ScheduleException(
          "unknown overlap policy \"" + text + "\": use skip, queue, replace or allow");
    };
  }

  /**
   * @param running whether a run of the job is still going
   * @param waiting whether a run is already waiting for it to end (under {@link #QUEUE})
   */
  public Action onFire(boolean running, boolean waiting) {
    if (!running) {
      return Action.START;
    }
    return switch (this) {
      case SKIP -> Action.DROP;
      case QUEUE -> waiting ? Action.DROP : Action.WAIT;
      case REPLACE -> Action.STOP_THEN_START;
      case ALLOW -> Action.START_ANOTHER;
    };
  }
}
