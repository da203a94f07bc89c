package dev.sentinelzero.protocol;

/**
 * Making text that came from outside (a client's frame, a file name) safe to put into one line of
 * a message or a log: stateless, any thread.
 */
public final class SafeText {
  private SafeText() {}

  /**
   * {@code text} with every character that could break a line or a terminal written as {@code
   * \\uXXXX}: the C0 controls (tab and newline included), DEL, the C1 controls, U+2028 and U+2029;
   * a backslash stays as it is. Cut to {@code maxChars} (then ending in {@code ...}).
   */
  public static String oneLine(String text, int maxChars) {
    StringBuilder out = null;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      boolean escape = isControl(c);
      if (out == null) {
        if (!escape && i < maxChars) {
          continue;
        }
        out = new StringBuilder(Math.min(n, maxChars) + 16).append(text, 0, i);
      }
      if (out.length() >= maxChars) {
        out.setLength(maxChars);
        return out.append("...").toString();
      }
      if (escape) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  /** True for what {@link #oneLine} escapes. */
  public static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
