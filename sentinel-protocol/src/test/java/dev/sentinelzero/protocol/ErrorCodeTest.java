package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorCodeTest {

  /** The wire names are a published contract: this table changes only by adding rows. */
  @ParameterizedTest
  @CsvSource({
    "INVALID_REQUEST,     invalid_request",
    "UNSUPPORTED_VERSION, unsupported_version",
    "UNKNOWN_COMMAND,     unknown_command",
    "INVALID_ARGUMENT,    invalid_argument",
    "NOT_FOUND,           not_found",
    "CONFLICT,            conflict",
    "FRAME_TOO_LARGE,     frame_too_large",
    "LAUNCH_FAILED,       launch_failed",
    "FORBIDDEN,           forbidden",
    "UNAVAILABLE,         unavailable",
    "INTERNAL,            internal",
  })
  void wireName_isStable(ErrorCode code, String wireName) {
    assertThat(code.wireName()).isEqualTo(wireName);
    assertThat(ErrorCode.fromWire(wireName)).isEqualTo(code);
  }

  @Test
  void everyCodeHasARowInTheWireNameTable() {
    assertThat(ErrorCode.values()).hasSize(11);
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void fromWire_readsBackEveryWireName(ErrorCode code) {
    assertThat(ErrorCode.fromWire(code.wireName())).isEqualTo(code);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "quota_exceeded", "NOT_FOUND", "not-found", " not_found"})
  void fromWire_mapsUnknownNamesToInternal(String wireName) {
    assertThat(ErrorCode.fromWire(wireName)).isEqualTo(ErrorCode.INTERNAL);
  }
}
