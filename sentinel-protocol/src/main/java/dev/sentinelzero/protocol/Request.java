package dev.sentinelzero.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request frame: {@code {"v":1,"id":"7","cmd":"status","args":{...}}}.
 *
 * @param version the protocol version the client speaks
 * @param id the client's id for this request, a string or an integer, echoed in every response
 * @param command the command name, one of {@link Commands}
 * @param args the command's arguments (never null; empty when the frame has none)
 */
public record Request(int version, Object id, String command, Map<String, Object> args) {

  public Request {
    args = args == null ? Map.of() : args;
  }

  public static Request of(Object id, String command, Map<String, Object> args) {
    return new Request(Protocol.VERSION, id, command, args);
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("v", version);
    json.put("id", id);
    json.put("cmd", command);
    json.put("args", args);
    return json;
  }

  /**
   * Reads the envelope of a request. Checks the envelope only; the arguments are checked by the
   * command that takes them.
   */
  public static Request fromJson(Map<String, Object> json) throws ProtocolException {
    Object id = json.get("id");
    if (!(id instanceof String) && !(id instanceof Integer) && !(id instanceof Long)) {
      throw new ProtocolException(
          ErrorCode.INVALID_REQUEST,
          "every request needs an \"id\" that is a string or an integer, e.g. {\"v\":1,\"id\":\"1\",\"cmd\":\"ping\"}");
    }
    Object v = json.get("v");
    if (!(v instanceof Integer)) {
      throw new ProtocolException(
          ErrorCode.INVALID_REQUEST,
          "every request needs \"v\": the protocol version as an integer (this daemon speaks "
              + Protocol.VERSION
              + ")");
    }
    Object cmd = json.get("cmd");
    if (!(cmd instanceof String) || ((String) cmd).isEmpty()) {
      throw new ProtocolException(
          ErrorCode.INVALID_REQUEST, "every request needs \"cmd\": the command name as a string");
    }
    Object args = json.get("args");
    if (args != null && !(args instanceof Map)) {
      throw new ProtocolException(
          ErrorCode.INVALID_REQUEST, "\"args\" must be a JSON object when present");
    }
    for (String key : json.keySet()) {
      if (!key.equals("v") && !key.equals("id") && !key.equals("cmd") && !key.equals("args")) {
        throw new ProtocolException(
            ErrorCode.INVALID_REQUEST,
            "unknown request field \""
                + key
                + "\": a request has only \"v\", \"id\", \"cmd\" and \"args\"");
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> argMap = (Map<String, Object>) args;
    return new Request((Integer) v, id, (String) cmd, argMap);
  }

  /** The arguments with typed, validating accessors. */
  public Args arguments() {
    return new Args(args);
  }
}
