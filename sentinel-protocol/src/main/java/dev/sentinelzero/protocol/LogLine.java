package dev.sentinelzero.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a process's output, as {@code logs} sends it: in its result's {@code lines} array,
 * or as the data of a {@code log} event while following.
 *
 * @param name the process
 * @param stream {@code stdout} or {@code stderr}
 * @param text the line without its newline (bytes that are not UTF-8 become U+FFFD)
 */
public record LogLine(String name, String stream, String text) {
  public static final String STDOUT = "stdout";
  public static final String STDERR = "stderr";
  public static final String EVENT = "log";

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("stream", stream);
    json.put("text", text);
    return json;
  }

  public static LogLine fromJson(Map<String, Object> json) throws ProtocolException {
    Args args = new Args(json);
    return new LogLine(
        args.optString("name").orElse(""),
        args.optString("stream").orElse(STDOUT),
        args.optString("text").orElse(""));
  }
}
