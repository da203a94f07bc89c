package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.regex.Pattern;

/** The rule for process names: they become file names and appear in tables and scripts. */
public final class ProcessNames {
  static final String RULE =
      "1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit";
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private ProcessNames() {}

  static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /** Refuses a name that breaks the rule, with {@code invalid_argument}. */
  public static void check(String name) throws ProtocolException {
    if (!isValid(name)) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT,
          "invalid process name \"" + printable(name) + "\": a name is " + RULE);
    }
  }

  private static String printable(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length() && i < 80; i++) {
      char c = name.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return name.length() > 80 ? out + "..." : out.toString();
  }
}
