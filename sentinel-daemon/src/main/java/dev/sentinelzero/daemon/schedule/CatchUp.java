package dev.sentinelzero.daemon.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What to do about fire times that were missed while the machine slept or the daemon was down
 * ({@code --catch-up none|once}, {@code --catch-up-window D}): a pure decision, never more than one
 * run, never a burst.
 */
public final class CatchUp {
  /** The window when none is given: a missed run older than a day is not worth running. */
  public static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

  private CatchUp() {}

  /** {@code --catch-up}. */
  public enum Mode {
    /** Missed fire times are dropped; the schedule carries on with its next fire time. */
    NONE,
    /** Run once now if the latest missed fire time is within the window. */
    ONCE;

    public static Mode parse(String text) throws ScheduleException {
      String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
      return switch (s) {
        case "none" -> NONE;
        case "once" -> ONCE;
        default -> throw new ScheduleException(
            "unknown catch-up mode \"" + text + "\": use none or once");
      };
    }
  }

  /** {@code --catch-up-window}, in the interval syntax ({@code 30m}, {@code 24h}, {@code 2d}). */
  public static Duration parseWindow(String text) throws ScheduleException {
    return TimeTexts.duration("catch-up window", text);
  }

  /**
   * The one missed fire time to run now, if any: the latest fire time of {@code trigger} in
   * {@code (lastFire, now]}, provided it is no older than {@code window} ({@code now - window} or
   * later). Earlier missed times are dropped, whatever their number.
   *
   * <p>The caller then plans the next run from {@code trigger.nextAfter(now)}, so a fire time equal
   * to {@code now} is counted here and not again there.
   *
   * @param lastFire the latest fire time already dealt with (run or dropped); for a schedule that
   *     never fired, when it was created
   * @param now the current wall-clock time
   */
  public static Optional<Instant> decide(
      Mode mode, Duration window, Instant lastFire, Instant now, Trigger trigger) {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(lastFire, "lastFire");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(trigger, "trigger");
    if (mode == Mode.NONE || !now.isAfter(lastFire) || window.isNegative()) {
      return Optional.empty();
    }
    // Only fire times in [now - window, now] can be the answer; the search starts just before.
    Instant low =
        Duration.between(lastFire, now).compareTo(window) <= 0
            ? lastFire
            : now.minus(window).minusNanos(1);
    if (!dueBy(trigger, low, now)) {
      return Optional.empty();
    }
    return Optional.of(latestFireAtOrBefore(trigger, low, now));
  }

  /**
   * The latest fire time in {@code (low, now]}, found by bisection with {@code nextAfter} alone,
   * given that there is one. With {@code next(x)} the first fire time after {@code x}, {@code
   * next(x) <= now} holds exactly for the {@code x} before the wanted time: the search keeps {@code
   * next(low) <= now < next(high)} and narrows the two to neighbouring nanoseconds, where {@code
   * next(low)} is the answer. About 50 look-ups for a one-day window, however many fire times it
   * holds (an every-second cron or a 250ms interval).
   */
  private static Instant latestFireAtOrBefore(Trigger trigger, Instant low, Instant now) {
    Instant first = trigger.nextAfter(low).orElseThrow();
    if (!dueBy(trigger, first, now)) {
      return first; // the common case: one missed fire time
    }
    Instant high = now;
    while (Duration.between(low, high).compareTo(Duration.ofNanos(1)) > 0) {
      Instant middle = low.plus(Duration.between(low, high).dividedBy(2));
      if (dueBy(trigger, middle, now)) {
        low = middle;
      } else {
        high = middle;
      }
    }
    return trigger.nextAfter(low).orElseThrow();
  }

  /** Whether {@code trigger} fires after {@code after} and no later than {@code now}. */
  private static boolean dueBy(Trigger trigger, Instant after, Instant now) {
    return trigger.nextAfter(after).filter(t -> !t.isAfter(now)).isPresent();
  }
}
