package dev.sentinelzero.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message from the daemon to a client. Each request gets exactly one final message, an {@link
 * Ok} or a {@link Failure}; a streaming command (such as {@code logs} with {@code follow}) sends
 * any number of {@link Event}s before it.
 *
 * <pre>
 * {"v":1,"id":"7","ok":true,"result":{...}}
 * {"v":1,"id":"7","ok":false,"error":{"code":"not_found","message":"..."}}
 * {"v":1,"id":"7","event":"log","data":{...}}
 * </pre>
 */
public sealed interface Response {

  /** The id of the request this answers; null when the request's own id could not be read. */
  Object id();

  Map<String, Object> toJson();

  /** True for {@link Ok} and {@link Failure}: the last message of a request. */
  default boolean isFinal() {
    return !(this instanceof Event);
  }

  /** The successful end of a request. */
  record Ok(Object id, Map<String, Object> result) implements Response {
    public Ok {
      result = result == null ? Map.of() : result;
    }

    @Override
    public Map<String, Object> toJson() {
      Map<String, Object> json = envelope(id);
      json.put("ok", true);
      json.put("result", result);
      return json;
    }
  }

  /**
   * The failed end of a request. The message is kept to one line of at most {@link
   * #MAX_MESSAGE_CHARS} characters, whoever builds it: control characters and line separators
   * (which a message quoting what a client sent may hold) are written as {@code \\uXXXX}, and a
   * longer message is cut with {@code ...}.
   */
  record Failure(Object id, ErrorCode code, String message) implements Response {
    /** The longest message a failure carries; the rest of a longer one is cut. */
    public static final int MAX_MESSAGE_CHARS = 2_000;

    public Failure {
      message = SafeText.oneLine(message == null ? "" : message, MAX_MESSAGE_CHARS);
    }

    @Override
    public Map<String, Object> toJson() {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("code", code.wireName());
      error.put("message", message);
      Map<String, Object> json = envelope(id);
      json.put("ok", false);
      json.put("error", error);
      return json;
    }

    public static Failure of(Object id, ProtocolException e) {
      return new Failure(id, e.code(), e.getMessage());
    }
  }

  /** One item of a stream, before the final message. */
  record Event(Object id, String event, Map<String, Object> data) implements Response {
    @Override
    public Map<String, Object> toJson() {
      Map<String, Object> json = envelope(id);
      json.put("event", event);
      json.put("data", data);
      return json;
    }
  }

  private static Map<String, Object> envelope(Object id) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("v", Protocol.VERSION);
    json.put("id", id);
    return json;
  }

  /** Reads a message written by {@link #toJson()}; used by clients. */
  @SuppressWarnings("unchecked")
  public static Response fromJson(Map<String, Object> json) throws ProtocolException {
    Object id = json.get("id");
    Object event = json.get("event");
    if (event instanceof String) {
      Object data = json.get("data");
      return new Event(
          id, (String) event, data instanceof Map ? (Map<String, Object>) data : Map.of());
    }
    Object ok = json.get("ok");
    if (Boolean.TRUE.equals(ok)) {
      Object result = json.get("result");
      return new Ok(id, result instanceof Map ? (Map<String, Object>) result : Map.of());
    }
    if (Boolean.FALSE.equals(ok) && json.get("error") instanceof Map) {
      Map<String, Object> error = (Map<String, Object>) json.get("error");
      Object code = error.get("code");
      Object message = error.get("message");
      return new Failure(
          id,
          ErrorCode.fromWire(code instanceof String ? (String) code : ""),
          message instanceof String ? (String) message : "the daemon sent an error without a message");
    }
    throw new ProtocolException(
        ErrorCode.INVALID_REQUEST, "the daemon sent a message that is not a response: " + json);
  }

  /** Parses one frame from the daemon. */
  public static Response parse(String frame) throws ProtocolException {
    return fromJson(Json.parseObject(frame));
  }
}
