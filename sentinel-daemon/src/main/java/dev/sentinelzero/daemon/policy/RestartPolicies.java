package dev.sentinelzero.daemon.policy;

import dev.sentinelzero.protocol.RestartPolicy;

/**
 * The restart decision, as a pure function: no clock, no randomness, no I/O. The supervisor
 * hands in how the run ended, how long it lasted, the count of failed starts before it, and a
 * uniform random number for the jitter; it gets back what to do. Tests drive it with tables.
 *
 * <p>The rules (supervisord's startsecs and startretries, PM2's min_uptime and
 * exp_backoff_restart_delay, Docker's restart policies):
 *
 * <ul>
 *   <li>{@code never} never restarts; {@code on-failure} does not restart after a clean exit (an
 *       exit code in {@code success_exit_codes}); {@code always} restarts after any ending.
 *   <li>A run of at least {@code min_uptime} was a good start: the failed-start count goes back to
 *       0 and the delay to its first value. A shorter run, or a program that could not be
 *       launched, is a failed start.
 *   <li>When the failed starts in a row exceed {@code retries}, it gives up.
 *   <li>The delay of restart {@code k} ({@code k} = failed starts in a row, at least 1) is {@link
 *       #delayMs}.
 * </ul>
 */
public final class RestartPolicies {
  /** The smallest base of an exponential backoff whose first delay is 0. */
  static final long MIN_BACKOFF_BASE_MS = 100;

  private RestartPolicies() {}

  /** How a run ended. */
  public record Ending(Integer exitCode, String signal, boolean launchFailed) {
    public static Ending exited(int code) {
      return new Ending(code, null, false);
    }

    public static Ending killed(String signal) {
      return new Ending(null, signal, false);
    }

    public static Ending launchFailure() {
      return new Ending(null, null, true);
    }

    /** The status could not be read (an adopted process): treated as a failure. */
    public static Ending unknown() {
      return new Ending(null, null, false);
    }
  }

  /**
   * @param runMillis how long the run lasted (0 for a launch failure)
   * @param failedStartsBefore consecutive failed starts before this run
   * @param random a uniform number in [0, 1) for the jitter
   */
  public static RestartDecision decide(
      RestartPolicy policy, Ending ending, long runMillis, int failedStartsBefore, double random) {
    boolean clean =
        !ending.launchFailed() && ending.exitCode() != null && policy.isSuccess(ending.exitCode());
    boolean goodStart = !ending.launchFailed() && runMillis >= policy.minUptimeMs();
    int failedStarts = goodStart ? 0 : failedStartsBefore + 1;
    if (policy.mode().equals(RestartPolicy.NEVER)
        || (policy.mode().equals(RestartPolicy.ON_FAILURE) && clean)) {
      return new RestartDecision.Stay(failedStarts);
    }
    if (policy.retries() != RestartPolicy.UNLIMITED && failedStarts > policy.retries()) {
      return new RestartDecision.GiveUp(failedStarts);
    }
    return new RestartDecision.Restart(delayMs(policy, Math.max(1, failedStarts), random), failedStarts);
  }

  /**
   * The delay before restart {@code k} (k ≥ 1): {@code fixed} is {@code delay} every time;
   * {@code exponential} is {@code delay} for k = 1, then {@code max(delay, 100 ms) *
   * factor^(k-1)}; both capped at {@code max_delay}, then spread by up to {@code ±jitter} (and
   * capped again).
   */
  public static long delayMs(RestartPolicy policy, int k, double random) {
    double base;
    if (policy.backoff().equals(RestartPolicy.FIXED) || k <= 1) {
      base = policy.delayMs();
    } else {
      double start = Math.max(policy.delayMs(), MIN_BACKOFF_BASE_MS);
      // Computed in doubles: factor^(k-1) overflows long long before it matters; the cap holds.
      base = start * Math.pow(policy.backoffFactor(), k - 1.0);
    }
    base = Math.min(base, policy.maxDelayMs());
    double spread = base * policy.jitter() * (2 * random - 1);
    double delay = Math.min(policy.maxDelayMs(), Math.max(0, base + spread));
    return Math.round(delay);
  }

  /** How many restarts after failed starts the policy still allows; null when unlimited. */
  public static Integer attemptsLeft(RestartPolicy policy, int failedStarts) {
    if (policy.retries() == RestartPolicy.UNLIMITED) {
      return null;
    }
    return Math.max(0, policy.retries() - failedStarts);
  }
}
