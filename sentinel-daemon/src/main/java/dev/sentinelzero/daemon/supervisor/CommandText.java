package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.protocol.ProcessSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The command of a definition as a person reads it: the line as typed, or argv quoted. */
final class CommandText {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  private CommandText() {}

  static String of(ProcessSpec spec) {
    if (spec.command() != null) {
      return spec.command();
    }
    List<String> words = new ArrayList<>();
    for (String word : spec.argv()) {
      words.add(quote(word));
    }
    return String.join(" ", words);
  }

  /** Quotes a word so that a POSIX shell (and {@link CommandWords}) reads it back unchanged. */
  static String quote(String word) {
    if (!word.isEmpty() && PLAIN.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
