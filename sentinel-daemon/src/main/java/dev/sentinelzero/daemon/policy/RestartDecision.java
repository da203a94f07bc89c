package dev.sentinelzero.daemon.policy;

/** What to do after a run ended by itself: the result of {@link RestartPolicies#decide}. */
public sealed interface RestartDecision {
  /** How many consecutive failed starts there are, this run included. */
  int failedStarts();

  /** Start it again after {@code delayMs}. */
  record Restart(long delayMs, int failedStarts) implements RestartDecision {}

  /** Too many failed starts in a row: stop trying (until the cooldown, if the policy has one). */
  record GiveUp(int failedStarts) implements RestartDecision {}

  /** The policy does not restart after this ending (a clean exit under on-failure, or never). */
  record Stay(int failedStarts) implements RestartDecision {}
}
