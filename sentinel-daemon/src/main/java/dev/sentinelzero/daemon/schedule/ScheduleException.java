package dev.sentinelzero.daemon.schedule;

/**
 * A schedule the user wrote that cannot be used: a bad cron expression, time zone, interval, time
 * or catch-up setting. The message is one line for the user, as is: it quotes the bad part and
 * says what is accepted instead.
 */
public final class ScheduleException extends Exception {
  public ScheduleException(String message) {
    super(message);
  }
}
