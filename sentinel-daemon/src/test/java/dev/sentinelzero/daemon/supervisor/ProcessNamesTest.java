package dev.sentinelzero.daemon.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProcessNamesTest {

  static Stream<String> validNames() {
    return Stream.of("a", "7", "web", "my-app.2", "Web_Server", "a.", "a-", "x".repeat(64), "0" + "_".repeat(63));
  }

  static Stream<String> invalidNames() {
    return Stream.of(
        "",
        "x".repeat(65),
        ".hidden",
        "..",
        "-flag",
        "_private",
        "a/b",
        "../etc",
        "a b",
        " a",
        "a\n",
        "a\tb",
        "caf\u00e9",
        "\u0661", // ARABIC-INDIC DIGIT ONE: a digit, but not 0-9
        "a:b",
        "a*");
  }

  @ParameterizedTest
  @MethodSource("validNames")
  void check_acceptsValidName(String name) throws Exception {
    assertThat(ProcessNames.isValid(name)).isTrue();
    ProcessNames.check(name);
  }

  @ParameterizedTest
  @MethodSource("invalidNames")
  void check_refusesInvalidName_statingTheRule(String name) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> ProcessNames.check(name));

    assertThat(ProcessNames.isValid(name)).isFalse();
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage())
        .startsWith("invalid process name \"")
        .endsWith("a name is 1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit");
  }

  @Test
  void isValid_refusesNull() {
    assertThat(ProcessNames.isValid(null)).isFalse();
  }

  @Test
  void check_replacesControlCharactersInTheEchoedName() {
    ProtocolException e =
        catchThrowableOfType(ProtocolException.class, () -> ProcessNames.check("bad\u001b[2Jname\n"));

    assertThat(e.getMessage()).startsWith("invalid process name \"bad?[2Jname?\"");
  }

  @Test
  void check_shortensVeryLongNamesInTheMessage() {
    ProtocolException e =
        catchThrowableOfType(ProtocolException.class, () -> ProcessNames.check("n".repeat(10_000)));

    assertThat(e.getMessage()).startsWith("invalid process name \"" + "n".repeat(80) + "...\"");
    assertThat(e.getMessage()).hasSizeLessThan(300);
  }
}
