package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ArgsTest {

  @Test
  void accessors_readValuesOfTheRightType() throws Exception {
    Args args =
        new Args(
            Map.of(
                "name", "web",
                "follow", true,
                "tail", 20,
                "big", 5_000_000_000L,
                "argv", List.of("a", "b"),
                "env", Map.of("K", "V")));

    assertThat(args.requireString("name")).isEqualTo("web");
    assertThat(args.optString("name")).hasValue("web");
    assertThat(args.bool("follow", false)).isTrue();
    assertThat(args.optLong("tail", 0, 100)).hasValue(20);
    assertThat(args.optLong("big", 0, Long.MAX_VALUE)).hasValue(5_000_000_000L);
    assertThat(args.optStringList("argv")).hasValue(List.of("a", "b"));
    assertThat(args.optStringMap("env")).hasValue(Map.of("K", "V"));
  }

  @Test
  void accessors_returnEmptyOrFallbackForMissingAndNullValues() throws Exception {
    Map<String, Object> values = new HashMap<>();
    values.put("explicit_null", null);
    Args args = new Args(values);

    for (String key : List.of("absent", "explicit_null")) {
      assertThat(args.has(key)).isFalse();
      assertThat(args.optString(key)).isEmpty();
      assertThat(args.bool(key, true)).isTrue();
      assertThat(args.bool(key, false)).isFalse();
      assertThat(args.optLong(key, 0, 1)).isEmpty();
      assertThat(args.optStringList(key)).isEmpty();
      assertThat(args.optStringMap(key)).isEmpty();
    }
  }

  @Test
  void has_isTrueForPresentValues() {
    assertThat(new Args(Map.of("x", "")).has("x")).isTrue();
    assertThat(new Args(Map.of("x", false)).has("x")).isTrue();
  }

  @Test
  void requireString_namesTheMissingArgument() {
    ProtocolException e =
        catchThrowableOfType(ProtocolException.class, () -> new Args(Map.of()).requireString("name"));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).isEqualTo("argument \"name\" is required: give it as a JSON string");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("wrongTypes")
  void accessors_refuseWrongType_namingArgumentAndNeededType(
      String accessor, Object value, ThrowingConsumer<Args> call, String message) {
    Args args = new Args(Map.of("x", value));

    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> call.accept(args));

    assertThat(e).as("%s with %s", accessor, value).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).isEqualTo(message);
  }

  static Stream<Arguments> wrongTypes() {
    ThrowingConsumer<Args> optString = a -> a.optString("x");
    ThrowingConsumer<Args> requireString = a -> a.requireString("x");
    ThrowingConsumer<Args> bool = a -> a.bool("x", false);
    ThrowingConsumer<Args> optLong = a -> a.optLong("x", Long.MIN_VALUE, Long.MAX_VALUE);
    ThrowingConsumer<Args> list = a -> a.optStringList("x");
    ThrowingConsumer<Args> map = a -> a.optStringMap("x");
    return Stream.of(
        Arguments.of("optString", 1, optString, "argument \"x\" must be a string"),
        Arguments.of("optString", List.of("a"), optString, "argument \"x\" must be a string"),
        Arguments.of("requireString", true, requireString, "argument \"x\" must be a string"),
        Arguments.of("bool", "true", bool, "argument \"x\" must be true or false"),
        Arguments.of("bool", 1, bool, "argument \"x\" must be true or false"),
        Arguments.of("optLong", "5", optLong, "argument \"x\" must be an integer"),
        Arguments.of("optLong", 1.5, optLong, "argument \"x\" must be an integer"),
        Arguments.of("optLong", 1.0, optLong, "argument \"x\" must be an integer"),
        Arguments.of(
            "optLong", new BigInteger("123456789012345678901234"), optLong,
            "argument \"x\" must be an integer"),
        Arguments.of("optStringList", "a", list, "argument \"x\" must be an array of strings"),
        Arguments.of(
            "optStringList", Arrays.asList("a", 1), list, "argument \"x\" must be an array of strings"),
        Arguments.of(
            "optStringList", Arrays.asList("a", null), list,
            "argument \"x\" must be an array of strings"),
        Arguments.of("optStringMap", List.of(), map, "argument \"x\" must be an object of string values"),
        Arguments.of(
            "optStringMap", Map.of("PORT", 8080), map,
            "argument \"x\" must be an object of string values; \"PORT\" is not"));
  }

  @ParameterizedTest
  @CsvSource({
    "0,  0, 10",
    "10, 0, 10",
    "-5, -5, 5",
  })
  void optLong_acceptsBoundsInclusive(long value, long min, long max) throws Exception {
    assertThat(new Args(Map.of("n", value)).optLong("n", min, max)).hasValue(value);
  }

  @ParameterizedTest
  @CsvSource({
    "-1, 0, 10",
    "11, 0, 10",
    "100001, 0, 100000",
  })
  void optLong_refusesOutOfRange_sayingRangeAndValue(long value, long min, long max) {
    ProtocolException e =
        catchThrowableOfType(
            ProtocolException.class, () -> new Args(Map.of("tail", value)).optLong("tail", min, max));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage())
        .isEqualTo("argument \"tail\" must be between " + min + " and " + max + ", got " + value);
  }

  @Test
  void optLong_acceptsIntegerAndLongValues() throws Exception {
    assertThat(new Args(Map.of("n", 3)).optLong("n", 0, 5)).hasValue(3);
    assertThat(new Args(Map.of("n", 3L)).optLong("n", 0, 5)).hasValue(3);
  }

  @Test
  void allowOnly_acceptsKnownArguments() throws Exception {
    new Args(Map.of("name", "web", "tail", 3)).allowOnly(Set.of("name", "tail", "follow"));
  }

  @Test
  void allowOnly_refusesUnknownArgument_listingKnownOnesSorted() {
    Args args = new Args(Map.of("nmae", "web"));

    ProtocolException e =
        catchThrowableOfType(
            ProtocolException.class, () -> args.allowOnly(Set.of("tail", "name", "follow")));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage())
        .isEqualTo("unknown argument \"nmae\"; this command takes: follow, name, tail");
  }

  @Test
  void optStringList_returnsAnImmutableCopy() throws Exception {
    List<String> list = new Args(Map.of("x", List.of("a"))).optStringList("x").orElseThrow();

    assertThat(catchThrowableOfType(UnsupportedOperationException.class, () -> list.add("b")))
        .isNotNull();
  }
}
