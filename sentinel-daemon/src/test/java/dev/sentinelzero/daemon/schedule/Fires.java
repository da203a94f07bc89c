package dev.sentinelzero.daemon.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Test helpers: fire times as lists, written as space-separated instants in the tables. */
final class Fires {
  private Fires() {}

  /** The first {@code count} fire times after {@code after} (fewer when the trigger runs out). */
  static List<Instant> after(Trigger trigger, Instant after, int count) {
    List<Instant> out = new ArrayList<>();
    Instant t = after;
    for (int i = 0; i < count; i++) {
      Optional<Instant> next = trigger.nextAfter(t);
      if (next.isEmpty()) {
        break;
      }
      t = next.get();
      out.add(t);
    }
    return out;
  }

  /** Every fire time in {@code (from, to]}. */
  static List<Instant> between(Trigger trigger, Instant from, Instant to) {
    List<Instant> out = new ArrayList<>();
    Instant t = from;
    while (true) {
      Optional<Instant> next = trigger.nextAfter(t).filter(n -> !n.isAfter(to));
      if (next.isEmpty()) {
        return out;
      }
      t = next.get();
      out.add(t);
    }
  }

  /** "2026-04-01T00:00Z 2026-04-02T00:00Z" as instants. */
  static List<Instant> instants(String spaceSeparated) {
    return Arrays.stream(spaceSeparated.trim().split("\\s+")).map(Fires::instant).toList();
  }

  /** An ISO instant; seconds may be left out ({@code 2026-04-01T00:00Z}). */
  static Instant instant(String text) {
    return Instant.parse(text.matches(".*T\\d\\d:\\d\\dZ") ? text.replace("Z", ":00Z") : text);
  }
}
