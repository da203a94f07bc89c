package dev.sentinelzero.cli;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Environment variables from {@code --env KEY=VALUE} and {@code --env-file FILE}.
 *
 * <p>A file has one {@code KEY=VALUE} per line. Blank lines and lines starting with {@code #} are
 * skipped; a leading {@code export } is allowed; the value may be wrapped in single or double
 * quotes, which are removed (nothing inside is interpreted); an unquoted value is trimmed and kept
 * as is, {@code #} included. Error messages name the file, the line and the key, never a value:
 * values are often secrets.
 */
final class EnvFile {
  /** Thrown for a malformed assignment or file; the message is ready to show. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  static final String NAME_RULE = "use letters, digits and _, not starting with a digit";

  private EnvFile() {}

  /** Whether {@code key} matches {@code [A-Za-z_][A-Za-z0-9_]*}. */
  static boolean isValidName(String key) {
    if (key.isEmpty()) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
      if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }

  /** Reads one {@code --env KEY=VALUE} into {@code into}. */
  static void parseAssignment(String text, Map<String, String> into) throws Malformed {
    int eq = text.indexOf('=');
    if (eq < 0) {
      throw new Malformed(
          "--env needs KEY=VALUE, got '" + text + "' (to pass an empty value write " + text + "=)");
    }
    String key = text.substring(0, eq);
    if (!isValidName(key)) {
      throw new Malformed("--env: '" + key + "' is not a valid variable name: " + NAME_RULE);
    }
    into.put(key, text.substring(eq + 1));
  }

  /** Reads a file into {@code into}; later lines override earlier ones. */
  static void read(Path file, Map<String, String> into) throws Malformed {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new Malformed("--env-file " + file + " does not exist");
    } catch (MalformedInputException e) {
      throw new Malformed("--env-file " + file + " is not UTF-8 text");
    } catch (IOException e) {
      throw new Malformed("cannot read --env-file " + file + ": " + e.getMessage());
    }
    parse(file.toString(), lines, into);
  }

  /** The file rule itself, on lines already read; {@code source} names the file in messages. */
  static void parse(String source, List<String> lines, Map<String, String> into) throws Malformed {
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1) + ": ";
      if (line.startsWith("export") && line.length() > 6 && Character.isWhitespace(line.charAt(6))) {
        line = line.substring(7).stripLeading();
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new Malformed(where + "expected KEY=VALUE");
      }
      String key = line.substring(0, eq).strip();
      if (!isValidName(key)) {
        throw new Malformed(
            where + (key.isEmpty() ? "the key is empty" : "'" + key + "' is not a valid variable name")
                + ": " + NAME_RULE);
      }
      into.put(key, unquote(line.substring(eq + 1).strip(), where, key));
    }
  }

  private static String unquote(String value, String where, String key) throws Malformed {
    if (value.isEmpty()) {
      return value;
    }
    char first = value.charAt(0);
    if (first != '"' && first != '\'') {
      return value;
    }
    if (value.length() < 2 || value.charAt(value.length() - 1) != first) {
      throw new Malformed(
          where + "the value of " + key + " opens a " + first + " quote but does not end with one");
    }
    String inner = value.substring(1, value.length() - 1);
    if (inner.indexOf(first) >= 0) {
      throw new Malformed(
          where + "the value of " + key + " has a " + first + " quote inside its quotes;"
              + " quote it with the other kind");
    }
    return inner;
  }
}
