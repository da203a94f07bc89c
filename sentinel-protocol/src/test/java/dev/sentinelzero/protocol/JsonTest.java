package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  @Test
  void parseObject_readsObjectWithEveryValueKind_keepingFieldOrder() throws Exception {
    Map<String, Object> map =
        Json.parseObject(
            "{\"z\":\"text\",\"a\":1,\"m\":2.5,\"t\":true,\"n\":null,\"l\":[1,\"x\"],\"o\":{\"k\":false}}");

    assertThat(map.keySet()).containsExactly("z", "a", "m", "t", "n", "l", "o");
    assertThat(map)
        .containsEntry("z", "text")
        .containsEntry("a", 1)
        .containsEntry("m", 2.5)
        .containsEntry("t", true)
        .containsEntry("n", null)
        .containsEntry("l", List.of(1, "x"))
        .containsEntry("o", Map.of("k", false));
  }

  @Test
  void parseObject_readsIntegersBeyondIntRangeAsLong() throws Exception {
    assertThat(Json.parseObject("{\"big\":5000000000}").get("big")).isEqualTo(5_000_000_000L);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "[1,2]        | an array",
        "\"text\"     | a string",
        "42           | a number",
        "4.2          | a number",
        "true         | a boolean",
        "null         | null",
        "''           | an empty line",
        "'   '        | a line of only spaces",
      })
  void parseObject_refusesFrameThatIsNotAnObject(String frame, String described) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Json.parseObject(frame));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(e.getMessage()).isEqualTo("a frame must be one JSON object on one line, got " + described);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}{}", "{\"a\":1} {\"b\":2}", "{} []", "{} 1"})
  void parseObject_refusesSecondValueAfterTheObject(String frame) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Json.parseObject(frame));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(e.getMessage()).contains("after the JSON object");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{} x", "{} // comment", "{}]"})
  void parseObject_refusesGarbageAfterTheObject(String frame) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Json.parseObject(frame));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void parseObject_acceptsTrailingWhitespace() throws Exception {
    assertThat(Json.parseObject("{\"a\":1}  \t\r")).containsEntry("a", 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1,\"a\":2}", "{\"o\":{\"k\":1,\"k\":1}}"})
  void parseObject_refusesDuplicateKeys(String frame) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Json.parseObject(frame));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(e.getMessage()).contains("Duplicate key");
  }

  @Test
  void parseObject_acceptsNestingUpTo64Levels() throws Exception {
    assertThat(Json.parseObject(nestedObjects(64))).containsKey("a");
    assertThat(Json.parseObject(objectHoldingArrays(63))).containsKey("a");
  }

  @ParameterizedTest
  @ValueSource(ints = {65, 1000, 100_000})
  void parseObject_refusesNestingDeeperThan64Levels(int depth) {
    ProtocolException objects =
        catchThrowableOfType(ProtocolException.class, () -> Json.parseObject(nestedObjects(depth)));
    ProtocolException arrays =
        catchThrowableOfType(
            ProtocolException.class, () -> Json.parseObject(objectHoldingArrays(depth - 1)));

    assertThat(objects.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(objects.getMessage()).contains("nesting depth");
    assertThat(arrays.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(arrays.getMessage()).contains("nesting depth");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "{\"a\":",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":1,}",
        "{\"a\":nul}",
        "{\"a\":\"unterminated",
        "{\"a\":\"raw\ttab\"}",
        "{\"a\":\"bad escape \\q\"}",
        "{\"a\":01}",
        "{\"a\":NaN}",
      })
  void parseObject_reportsMalformedJsonAsInvalidRequestOnOneLine(String frame) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Json.parseObject(frame));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(e.getMessage()).startsWith("malformed JSON: ").doesNotContain("\n", "\r");
  }

  @Test
  void parseObject_refusesOverlongNumber() {
    ProtocolException e =
        catchThrowableOfType(
            ProtocolException.class, () -> Json.parseObject("{\"n\":" + "1".repeat(65) + "}"));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void write_producesCompactSingleLineJson() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("b", 1);
    value.put("a", List.of("x", true));
    value.put("text", "line one\nline two\r\t\"quoted\" \\ back");

    String written = Json.write(value);

    assertThat(written)
        .isEqualTo(
            "{\"b\":1,\"a\":[\"x\",true],\"text\":\"line one\\nline two\\r\\t\\\"quoted\\\" \\\\ back\"}");
    assertThat(written).doesNotContain("\n", "\r");
  }

  @Test
  void write_thenParseObject_roundTripsValues() throws Exception {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("k", "v");
    nested.put("list", List.of(1, 2.5, "three", false, List.of()));
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("int", 7);
    value.put("long", 9_007_199_254_740_993L);
    value.put("negative", -12);
    value.put("double", 0.125);
    value.put("unicode", "h\u00e9llo \u2603 \uD83D\uDE00");
    value.put("control", "\u0000\u0001\u001f");
    value.put("empty", "");
    value.put("bool", true);
    value.put("nested", nested);

    assertThat(Json.parseObject(Json.write(value))).isEqualTo(value);
  }

  @Test
  void writePretty_isIndentedButReadsBackTheSame() throws Exception {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("name", "web");
    value.put("pid", 42);

    String pretty = Json.writePretty(value);

    assertThat(pretty).contains("\n");
    assertThat(Json.parseObject(pretty.replace("\n", " "))).isEqualTo(value);
  }

  private static String nestedObjects(int depth) {
    // depth levels of objects: {"a":{"a":...{}...}}
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  private static String objectHoldingArrays(int arrays) {
    char[] open = new char[arrays];
    char[] close = new char[arrays];
    Arrays.fill(open, '[');
    Arrays.fill(close, ']');
    return "{\"a\":" + new String(open) + new String(close) + "}";
  }
}
