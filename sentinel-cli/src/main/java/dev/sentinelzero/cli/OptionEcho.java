package dev.sentinelzero.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the option mixins ({@link RestartPolicyOptions}, {@link HealthOptions}, {@link
 * LimitOptions}) share: putting only the options a user gave into a request, and echoing them
 * back as words a shell reads unchanged (for hints such as "use: sentinel health --name web ...").
 */
final class OptionEcho {
  private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  private OptionEcho() {}

  /** Adds {@code key} only when the user gave a value, so the daemon applies its own default. */
  static void putIfGiven(Map<String, Object> json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }

  /** Adds {@code name value} to a command line being echoed, when a value was given. */
  static void flag(List<String> words, String name, String value) {
    if (value != null) {
      words.add(name);
      words.add(value);
    }
  }

  /** A duration in the exact form the CLI accepts back ({@code 1h30m}). */
  static String exact(Duration duration) {
    return Units.exactDuration(duration.toMillis());
  }

  /** Quotes a word for a POSIX shell, only when it needs it. */
  static String shellQuote(String word) {
    if (PLAIN_WORD.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
