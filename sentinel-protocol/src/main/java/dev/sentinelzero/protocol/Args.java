package dev.sentinelzero.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Typed, validating access to a request's arguments. Every accessor that finds a value of the
 * wrong type throws {@link ErrorCode#INVALID_ARGUMENT} naming the argument and the type it needs.
 */
public final class Args {
  private final Map<String, Object> values;

  public Args(Map<String, Object> values) {
    this.values = values;
  }

  public boolean has(String key) {
    return values.get(key) != null;
  }

  /** Refuses arguments the command does not know, so a typo is never silently ignored. */
  public void allowOnly(Set<String> known) throws ProtocolException {
    for (String key : values.keySet()) {
      if (!known.contains(key)) {
        List<String> sorted = new ArrayList<>(known);
        Collections.sort(sorted);
        throw new ProtocolException(
            ErrorCode.INVALID_ARGUMENT,
            "unknown argument \"" + key + "\"; this command takes: " + String.join(", ", sorted));
      }
    }
  }

  public String requireString(String key) throws ProtocolException {
    return optString(key)
        .orElseThrow(() -> invalid(key, "is required: give it as a JSON string"));
  }

  public Optional<String> optString(String key) throws ProtocolException {
    Object value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String)) {
      throw invalid(key, "must be a string");
    }
    return Optional.of((String) value);
  }

  public boolean bool(String key, boolean fallback) throws ProtocolException {
    Object value = values.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean)) {
      throw invalid(key, "must be true or false");
    }
    return (Boolean) value;
  }

  public OptionalLong optLong(String key, long min, long max) throws ProtocolException {
    Object value = values.get(key);
    if (value == null) {
      return OptionalLong.empty();
    }
    if (!(value instanceof Integer) && !(value instanceof Long)) {
      throw invalid(key, "must be an integer");
    }
    long n = ((Number) value).longValue();
    if (n < min || n > max) {
      throw invalid(key, "must be between " + min + " and " + max + ", got " + n);
    }
    return OptionalLong.of(n);
  }

  public Optional<List<String>> optStringList(String key) throws ProtocolException {
    Object value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof List)) {
      throw invalid(key, "must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object item : (List<?>) value) {
      if (!(item instanceof String)) {
        throw invalid(key, "must be an array of strings");
      }
      out.add((String) item);
    }
    return Optional.of(List.copyOf(out));
  }

  public Optional<Map<String, String>> optStringMap(String key) throws ProtocolException {
    Object value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Map)) {
      throw invalid(key, "must be an object of string values");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
      if (!(e.getValue() instanceof String)) {
        throw invalid(key, "must be an object of string values; \"" + e.getKey() + "\" is not");
      }
      out.put((String) e.getKey(), (String) e.getValue());
    }
    return Optional.of(Collections.unmodifiableMap(out));
  }

  private static ProtocolException invalid(String key, String what) {
    return new ProtocolException(ErrorCode.INVALID_ARGUMENT, "argument \"" + key + "\" " + what);
  }
}
