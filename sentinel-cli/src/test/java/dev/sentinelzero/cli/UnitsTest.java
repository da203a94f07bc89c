package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitsTest {

  @ParameterizedTest(name = "{0} ms = {1}")
  @CsvSource({
    "-5, 0s",
    "0, 0s",
    "999, 0s",
    "42000, 42s",
    "59999, 59s",
    "60000, 1m00s",
    "303000, 5m03s",
    "3599999, 59m59s",
    "3600000, 1h00m",
    "3723000, 1h02m",
    "86399999, 23h59m",
    "86400000, 1d00h",
    "273600000, 3d04h",
  })
  void duration(long ms, String expected) {
    assertThat(Units.duration(ms)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} ms = {1}")
  @CsvSource({"0, 0s", "250, 250ms", "10000, 10s", "5400000, 1h30m", "90500, 1m30s500ms"})
  void exactDuration(long ms, String expected) {
    assertThat(Units.exactDuration(ms)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} B = {1}")
  @CsvSource({
    "0, 0 B",
    "1023, 1023 B",
    "1024, 1.0 KiB",
    "1536, 1.5 KiB",
    "12897485, 12.3 MiB",
    "1048575, 1.0 MiB",
    "1073741824, 1.0 GiB",
    "5497558138880, 5.0 TiB",
  })
  void bytes(long bytes, String expected) {
    assertThat(Units.bytes(bytes)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({"0, 0.0%", "12.54, 12.5%", "12.56, 12.6%", "199.99, 200.0%", "0.04, 0.0%"})
  void percent(double value, String expected) {
    assertThat(Units.percent(value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "0, 0", "2, 2", "2.0, 2", "1.5, 1.5", "0.125, 0.125", "1.2345, 1.235", "7.000000000000001, 7",
    "12.5, 12.5", "100, 100", "-0.5, -0.5"
  })
  void plain(double value, String expected) {
    assertThat(Units.plain(value)).isEqualTo(expected);
  }
}
