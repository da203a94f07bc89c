package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SignalTableTest {
  private final SignalTable linux = SignalTable.linux();
  private final SignalTable macos = SignalTable.macos();

  @ParameterizedTest(name = "{0} -> {1} {2} on Linux, {3} on macOS")
  @CsvSource({
    "TERM, TERM, 15, 15",
    "SIGTERM, TERM, 15, 15",
    "term, TERM, 15, 15",
    "SigTerm, TERM, 15, 15",
    "' HUP ', HUP, 1, 1",
    "KILL, KILL, 9, 9",
    "INT, INT, 2, 2",
    "QUIT, QUIT, 3, 3",
    "USR1, USR1, 10, 30",
    "USR2, USR2, 12, 31",
    "BUS, BUS, 7, 10",
    "CHLD, CHLD, 17, 20",
    "CONT, CONT, 18, 19",
    "STOP, STOP, 19, 17",
    "TSTP, TSTP, 20, 18",
    "URG, URG, 23, 16",
    "SYS, SYS, 31, 12",
    "IO, IO, 29, 23",
    "WINCH, WINCH, 28, 28",
    "IOT, ABRT, 6, 6",
  })
  void parse_acceptsNamesInAnyCase_withOrWithoutSig(
      String input, String name, int linuxNumber, int macNumber) {
    assertThat(linux.parse(input)).isEqualTo(new Signal(name, linuxNumber));
    assertThat(macos.parse(input)).isEqualTo(new Signal(name, macNumber));
  }

  @ParameterizedTest
  @CsvSource({
    "15, TERM",
    "9, KILL",
    "10, USR1",
    "29, IO",
    "34, RTMIN",
    "36, RTMIN+2",
    "64, RTMIN+30"
  })
  void parse_acceptsNumbers_andNamesThemCanonically_onLinux(String input, String name) {
    assertThat(linux.parse(input)).isEqualTo(new Signal(name, Integer.parseInt(input)));
  }

  @ParameterizedTest
  @CsvSource({"POLL, IO, 29", "CLD, CHLD, 17", "RTMIN+2, RTMIN+2, 36", "RTMAX, RTMIN+30, 64"})
  void parse_knowsLinuxAliases(String input, String name, int number) {
    assertThat(linux.parse(input)).isEqualTo(new Signal(name, number));
  }

  @ParameterizedTest
  @CsvSource({"10, BUS", "30, USR1", "29, INFO", "7, EMT"})
  void parse_acceptsNumbers_onMacos(String input, String name) {
    assertThat(macos.parse(input)).isEqualTo(new Signal(name, Integer.parseInt(input)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "BOGUS", "SIG", "0", "65", "-1", "99999999999", "TERM1", "RTMIN+31"})
  void parse_rejectsUnknownSignals_listingWhatIsAccepted(String input) {
    assertThatThrownBy(() -> linux.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown signal")
        .hasMessageContaining("HUP INT QUIT")
        .hasMessageContaining("from 1 to 64");
  }

  @ParameterizedTest
  @ValueSource(strings = {"32", "POLL", "RTMIN", "STKFLT"})
  void parse_rejectsWhatMacosDoesNotHave(String input) {
    assertThatThrownBy(() -> macos.parse(input)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({"15, TERM", "6, ABRT", "29, IO", "200, 200"})
  void byNumber_neverFails(int number, String name) {
    assertThat(linux.byNumber(number)).isEqualTo(new Signal(name, number));
  }
}
