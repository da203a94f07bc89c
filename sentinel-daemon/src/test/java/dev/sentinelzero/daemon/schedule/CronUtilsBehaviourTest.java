package dev.sentinelzero.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/**
 * What cron-utils 9.2.1 does by itself with {@code CronType.UNIX}: the behaviour {@link CronRule}
 * relies on, and the behaviour it corrects. If an upgrade changes any of this, revisit CronRule.
 */
class CronUtilsBehaviourTest {
  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private static Instant next(String expression, ZonedDateTime after) {
    return ExecutionTime.forCron(UNIX.parse(expression)).nextExecution(after).orElseThrow()
        .toInstant();
  }

  private static ZonedDateTime utc(String local) {
    return LocalDateTime.parse(local).atZone(ZoneOffset.UTC);
  }

  @Test
  void relied_on_dayOfMonthOrDayOfWeek_whenBothAreRestricted() {
    // 2026-04-03 is a Friday, 2026-04-13 a Monday
    assertThat(next("0 0 13 * FRI", utc("2026-04-01T00:00"))).isEqualTo("2026-04-03T00:00:00Z");
    assertThat(next("0 0 13 * FRI", utc("2026-04-10T00:00"))).isEqualTo("2026-04-13T00:00:00Z");
  }

  @Test
  void corrected_orsWhenADayFieldBeginsWithAStar_whereCronieAnds() {
    // cronie: odd days that are Mondays (04-13); cron-utils: odd days or Mondays (04-03)
    assertThat(next("0 0 */2 * 1", utc("2026-04-01T00:00"))).isEqualTo("2026-04-03T00:00:00Z");
  }

  @Test
  void corrected_readsSundayAsSeven_soSunToSatIsABackwardsRange() {
    assertThatThrownBy(() -> UNIX.parse("0 0 * * SUN-SAT"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid range");
  }

  @Test
  void corrected_skipsTheSpringForwardDay() {
    ZonedDateTime after = utc("2026-03-28T12:00").withZoneSameInstant(ZoneId.of("Europe/Berlin"));
    // cronie (and CronRule): 2026-03-29T01:00Z, right after the jump
    assertThat(next("30 2 * * *", after)).isEqualTo("2026-03-30T00:30:00Z");
  }

  @Test
  void corrected_runsAFixedTimeJobAgainInTheRepeatedHour() {
    ZonedDateTime afterFirst =
        Instant.parse("2026-11-01T05:50:00Z").atZone(ZoneId.of("America/New_York"));
    // cronie (and CronRule): not again until 2026-11-02T06:30Z
    assertThat(next("30 1 * * *", afterFirst)).isEqualTo("2026-11-01T06:30:00Z");
  }

  @Test
  void unixType_rejectsMacros_soCronRuleDefinesItsOwn() {
    assertThatThrownBy(() -> UNIX.parse("@daily")).isInstanceOf(IllegalArgumentException.class);
  }
}
