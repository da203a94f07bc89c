package dev.sentinelzero.daemon.process;

import com.sun.jna.StringArray;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Strings on their way to C: paths, argv and the environment are encoded the way the JDK itself
 * encodes file names and process arguments ({@code sun.jnu.encoding}), so what a user sees in a
 * Java {@code Path} is what the kernel gets.
 */
final class NativeStrings {
  private static final Charset ENCODING = fileNameCharset();

  private NativeStrings() {}

  /** A NUL-terminated C string. */
  static byte[] cString(String text) {
    byte[] bytes = text.getBytes(ENCODING);
    return Arrays.copyOf(bytes, bytes.length + 1);
  }

  static byte[] cString(Path path) {
    return cString(path.toString());
  }

  /** A NULL-terminated {@code char *[]}. */
  static StringArray argv(List<String> argv) {
    return new StringArray(argv.toArray(String[]::new), ENCODING.name());
  }

  /** A NULL-terminated {@code char *[]} of {@code NAME=value} entries. */
  static StringArray envp(Map<String, String> environment) {
    String[] entries =
        environment.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    return new StringArray(entries, ENCODING.name());
  }

  private static Charset fileNameCharset() {
    String name = System.getProperty("sun.jnu.encoding");
    try {
      return name == null ? Charset.defaultCharset() : Charset.forName(name);
    } catch (IllegalArgumentException e) {
      return Charset.defaultCharset();
    }
  }
}
