package dev.sentinelzero.daemon.supervisor;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words the way a POSIX shell does (blanks separate words; single
 * quotes keep everything literal; double quotes keep everything but backslash escapes of {@code $
 * ` " \} and newline; a backslash outside quotes escapes the next character), but runs nothing: no
 * globbing, no variables, no operators. Unquoted shell syntax that only a shell understands ({@code
 * | ; & < >}, {@code $VAR}, {@code $(...)}, backquotes) is refused with a message that suggests
 * {@code --shell}, because passing it on literally is never what the user meant.
 */
final class CommandWords {
  private CommandWords() {}

  /** Thrown for a command line that cannot be split; the message says what to change. */
  static final class SyntaxException extends Exception {
    SyntaxException(String message) {
      super(message);
    }
  }

  static List<String> split(String line) throws SyntaxException {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    int n = line.length();
    while (i < n) {
      char c = line.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        i++;
      } else if (c == '\'') {
        int close = line.indexOf('\'', i + 1);
        if (close < 0) {
          throw new SyntaxException(
              "unterminated single quote at character " + (i + 1) + " of the command; close it");
        }
        word.append(line, i + 1, close);
        inWord = true;
        i = close + 1;
      } else if (c == '"') {
        i++;
        boolean closed = false;
        while (i < n) {
          char d = line.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < n) {
            char e = line.charAt(i + 1);
            if (e == '$' || e == '`' || e == '"' || e == '\\') {
              word.append(e);
              i += 2;
              continue;
            }
            if (e == '\n') {
              i += 2;
              continue;
            }
          }
          if (d == '$' || d == '`') {
            rejectExpansion(line, i);
          }
          word.append(d);
          i++;
        }
        if (!closed) {
          throw new SyntaxException("unterminated double quote in the command; close it");
        }
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 >= n) {
          throw new SyntaxException(
              "the command ends with a backslash; remove it or quote it ('\\\\')");
        }
        char e = line.charAt(i + 1);
        if (e != '\n') {
          word.append(e);
          inWord = true;
        }
        i += 2;
      } else if (c == '|' || c == ';' || c == '&' || c == '<' || c == '>') {
        throw new SyntaxException(
            "the command contains '"
                + c
                + "', which only a shell understands: add --shell to run it with /bin/sh -c, or quote it");
      } else if (c == '$' || c == '`') {
        rejectExpansion(line, i);
        word.append(c);
        inWord = true;
        i++;
      } else {
        word.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /**
   * Refuses {@code $NAME}, {@code ${...}}, {@code $(...)}, special parameters ({@code $? $$ $@ $# $*
   * $! $-}) and backquotes; a lone $ is literal.
   */
  private static void rejectExpansion(String line, int i) throws SyntaxException {
    char c = line.charAt(i);
    if (c == '`') {
      throw new SyntaxException(
          "the command contains a backquote substitution, which only a shell performs: add --shell, or quote it with single quotes");
    }
    if (i + 1 < line.length()) {
      char e = line.charAt(i + 1);
      if (e == '(' || e == '{' || e == '_' || Character.isLetterOrDigit(e) || "?$@#*!-".indexOf(e) >= 0) {
        throw new SyntaxException(
            "the command contains '$"
                + e
                + "', an expansion only a shell performs: add --shell, give the value with --env, or quote it with single quotes");
      }
    }
  }
}
