package dev.sentinelzero.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The one JSON codec of the wire protocol and of the CLI's {@code --json} output.
 *
 * <p>Values on the wire are plain Java values: {@code Map<String, Object>} for objects (field order
 * kept), {@code List<Object>} for arrays, {@code String}, {@code Number}, {@code Boolean} and
 * {@code null}. Typed messages convert to and from that form themselves ({@code toJson()} / {@code
 * fromJson(...)}), so no reflection runs on the CLI's start-up path. Thread-safe.
 */
public final class Json {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(64)
                  .maxStringLength(Protocol.MAX_FRAME_BYTES)
                  .maxNumberLength(64)
                  .build())
          .build();
  private static final JSON COMPACT =
      JSON.builder(FACTORY)
          .enable(
              JSON.Feature.PRESERVE_FIELD_ORDERING,
              JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS,
              JSON.Feature.WRITE_NULL_PROPERTIES) // absent values are written as null
          .disable(JSON.Feature.HANDLE_JAVA_BEANS)
          .build();
  private static final JSON PRETTY = COMPACT.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

  private Json() {}

  /**
   * Parses one JSON object (a whole frame). Trailing content after the object is an error.
   *
   * @throws ProtocolException with {@link ErrorCode#INVALID_REQUEST} when the text is not one JSON
   *     object
   */
  public static Map<String, Object> parseObject(String text) throws ProtocolException {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new ProtocolException(
            ErrorCode.INVALID_REQUEST,
            "a frame must be one JSON object on one line, got "
                + (first == null ? (text.isEmpty() ? "an empty line" : "a line of only spaces") : describe(first)));
      }
      Map<String, Object> map = COMPACT.mapFrom(parser);
      if (parser.nextToken() != null) {
        throw new ProtocolException(
            ErrorCode.INVALID_REQUEST, "unexpected content after the JSON object on the same line");
      }
      return map;
    } catch (JsonProcessingException e) {
      throw new ProtocolException(
          ErrorCode.INVALID_REQUEST, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ProtocolException(ErrorCode.INVALID_REQUEST, "unreadable frame: " + e.getMessage());
    }
  }

  /** Writes a value as compact JSON on one line (a frame, without the newline). */
  public static String write(Object value) {
    try {
      return COMPACT.asString(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON for " + value.getClass().getName(), e);
    }
  }

  /** Writes a value as indented JSON, for people reading {@code --json} output. */
  public static String writePretty(Object value) {
    try {
      return PRETTY.asString(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON for " + value.getClass().getName(), e);
    }
  }

  private static String describe(JsonToken token) {
    switch (token) {
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.asString() == null ? token.name() : token.asString();
    }
  }
}
