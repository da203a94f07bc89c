package dev.sentinelzero.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --at}: one instant; local time unless an offset or Z is given. */
class AtTest {

  @ParameterizedTest(name = "{0} in {1} = {2}")
  @CsvSource({
    "2026-12-01T02:00Z,         America/New_York, 2026-12-01T02:00:00Z",
    "2026-12-01T02:00+01:00,    America/New_York, 2026-12-01T01:00:00Z",
    "2026-12-01T02:00:30-05:00, Europe/Berlin,    2026-12-01T07:00:30Z",
    "2026-12-01T02:00,          Europe/Berlin,    2026-12-01T01:00:00Z",
    "2026-07-01T02:00,          Europe/Berlin,    2026-07-01T00:00:00Z",
    "2026-12-01T02:00:30,       UTC,              2026-12-01T02:00:30Z",
    "2026-12-01 02:00,          UTC,              2026-12-01T02:00:00Z",
    // wall-clock times that do not exist run right after the jump; repeated ones at the first
    "2026-03-29T02:30,          Europe/Berlin,    2026-03-29T01:00:00Z",
    "2026-11-01T01:30,          America/New_York, 2026-11-01T05:30:00Z",
  })
  void parse_localOrAbsolute(String text, String zone, String expected) throws Exception {
    assertThat(Trigger.parseAt(text, ZoneId.of(zone)).instant()).isEqualTo(Instant.parse(expected));
  }

  @Test
  void firesOnce_strictlyAfterTheGivenInstant() throws Exception {
    Trigger at = Trigger.parseAt("2026-12-01T02:00Z", ZoneId.of("UTC"));
    Instant when = Instant.parse("2026-12-01T02:00:00Z");
    assertThat(at.nextAfter(when.minusNanos(1))).contains(when);
    assertThat(at.nextAfter(when)).isEmpty();
    assertThat(at.nextAfter(when.plusSeconds(60))).isEmpty();
  }
}
