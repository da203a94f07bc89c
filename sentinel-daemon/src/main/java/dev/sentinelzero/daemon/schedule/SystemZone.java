package dev.sentinelzero.daemon.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * The machine's time zone as it is now, not as it was when the JVM started: the JVM reads the
 * default zone once, but a laptop that travels changes it (macOS's automatic time zone rewrites
 * {@code /etc/localtime}), and a job without {@code --tz} should follow.
 *
 * <p>Where the zone is, on both macOS and Linux: {@code TZ} in the daemon's environment wins (it
 * cannot change while the daemon runs); else {@code /etc/localtime} is a symbolic link into a
 * {@code zoneinfo} directory ({@code /var/db/timezone/zoneinfo/Europe/Berlin} on macOS, {@code
 * /usr/share/zoneinfo/Europe/Berlin} on Linux) whose path names the zone; else Debian's {@code
 * /etc/timezone} holds the name; else the JVM's default.
 */
public final class SystemZone {
  /** How often {@link #live} looks at {@code /etc/localtime} again. */
  static final long RECHECK_NANOS = 10_000_000_000L;

  private SystemZone() {}

  /** The zone named by a link target such as {@code /usr/share/zoneinfo/Europe/Berlin}. */
  static Optional<ZoneId> fromLinkTarget(String target) {
    int at = target.lastIndexOf("zoneinfo/");
    if (at < 0) {
      return Optional.empty();
    }
    String name = target.substring(at + "zoneinfo/".length());
    for (String prefix : List.of("posix/", "right/")) {
      if (name.startsWith(prefix)) {
        name = name.substring(prefix.length());
      }
    }
    try {
      return Optional.of(ZoneId.of(name));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** The zone by the rules above, from these places (tests pass their own). */
  static ZoneId read(String tzEnv, Path localtime, Path timezoneFile, ZoneId fallback) {
    if (tzEnv != null && !tzEnv.isBlank()) {
      return fallback; // the JVM read TZ at start, and TZ cannot change under a running process
    }
    try {
      if (Files.isSymbolicLink(localtime)) {
        Optional<ZoneId> zone = fromLinkTarget(Files.readSymbolicLink(localtime).toString());
        if (zone.isPresent()) {
          return zone.get();
        }
      }
      if (Files.isRegularFile(timezoneFile)) {
        String name = Files.readString(timezoneFile).strip();
        if (!name.isEmpty()) {
          return ZoneId.of(name);
        }
      }
    } catch (IOException | DateTimeException e) {
      // fall back below
    }
    return fallback;
  }

  /**
   * A clock with the system's instants whose zone is the machine's current one, looked at again
   * at most every ten seconds. Safe to use from any thread.
   */
  public static Clock live() {
    return new LiveClock();
  }

  private static final class LiveClock extends Clock {
    private final ZoneId startZone = ZoneId.systemDefault();
    private volatile ZoneId zone = startZone;
    private volatile long checkedAt = System.nanoTime() - RECHECK_NANOS;

    @Override
    public ZoneId getZone() {
      long now = System.nanoTime();
      if (now - checkedAt >= RECHECK_NANOS) {
        checkedAt = now;
        zone = read(System.getenv("TZ"), Path.of("/etc/localtime"), Path.of("/etc/timezone"), startZone);
      }
      return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return Clock.system(zone);
    }

    @Override
    public Instant instant() {
      return Instant.now();
    }

    @Override
    public long millis() {
      return System.currentTimeMillis();
    }
  }
}
