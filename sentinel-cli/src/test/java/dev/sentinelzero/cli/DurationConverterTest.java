package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
    "250ms, 250",
    "5s, 5000",
    "10m, 600000",
    "5h, 18000000",
    "1d, 86400000",
    "1h30m, 5400000",
    "1m30s500ms, 90500",
    "1d2h3m4s5ms, 93784005",
    "0, 0",
    "0s, 0",
    "0ms, 0",
    "90s, 90000",
    "007s, 7000",
  })
  void parses(String text, long expectedMs) {
    assertThat(DurationConverter.parse(text).toMillis()).isEqualTo(expectedMs);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {
        "", "5", "5x", "s", "ms", "h5", "1.5h", "-5s", "+5s", " 5s", "5s ", "5 s", "5S", "1H",
        "1h1h", "30m1h", "1s1m", "1h30", "5sec", "1w", "5msx"
      })
  void rejects_andListsTheAcceptedForms(String text) {
    assertThatThrownBy(() -> DurationConverter.parse(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("250ms, 5s, 10m, 5h, 1d")
        .hasMessageContaining("1h30m");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"999999999999999d", "9999999999999ms9999999999d"})
  void rejects_overflow(String text) {
    assertThatThrownBy(() -> DurationConverter.parse(text))
        .isInstanceOf(TypeConversionException.class);
  }

  @ParameterizedTest(name = "{0} ms reads back")
  @ValueSource(longs = {0, 1, 250, 1000, 5400000, 90500, 93784005, 86400000})
  void exactDuration_roundTrips(long ms) {
    assertThat(DurationConverter.parse(Units.exactDuration(ms)).toMillis()).isEqualTo(ms);
  }
}
