package dev.sentinelzero.daemon.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandWordsTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("splits")
  void split_readsWordsLikeAPosixShell(String line, List<String> words) throws Exception {
    assertThat(CommandWords.split(line)).containsExactlyElementsOf(words);
  }

  static Stream<Arguments> splits() {
    return Stream.of(
        // plain words and blanks
        Arguments.of("ls", List.of("ls")),
        Arguments.of("ls -la /tmp", List.of("ls", "-la", "/tmp")),
        Arguments.of("  a   b  ", List.of("a", "b")),
        Arguments.of("a\tb\t\tc", List.of("a", "b", "c")),
        Arguments.of("a\nb", List.of("a", "b")),
        Arguments.of("", List.of()),
        Arguments.of(" \t ", List.of()),
        // single quotes keep everything literal
        Arguments.of("echo 'a  b'", List.of("echo", "a  b")),
        Arguments.of("'a \"b\" \\c'", List.of("a \"b\" \\c")),
        Arguments.of("'|;&<>'", List.of("|;&<>")),
        Arguments.of("'$HOME' '${X}' '$(cmd)' '`cmd`'", List.of("$HOME", "${X}", "$(cmd)", "`cmd`")),
        Arguments.of("'line\nbreak'", List.of("line\nbreak")),
        // double quotes, with their four escapes
        Arguments.of("\"a  b\"", List.of("a  b")),
        Arguments.of("\"say \\\"hi\\\"\"", List.of("say \"hi\"")),
        Arguments.of("\"\\$HOME\"", List.of("$HOME")),
        Arguments.of("\"a\\\\b\"", List.of("a\\b")),
        Arguments.of("\"\\`x\\`\"", List.of("`x`")),
        Arguments.of("\"a\\nb\"", List.of("a\\nb")), // other escapes stay as typed
        Arguments.of("\"it's\"", List.of("it's")),
        Arguments.of("\"a|b;c&d<e>f\"", List.of("a|b;c&d<e>f")),
        Arguments.of("\"a\\\nb\"", List.of("ab")), // backslash-newline is a continuation
        // backslash outside quotes
        Arguments.of("a\\ b", List.of("a b")),
        Arguments.of("\\'x", List.of("'x")),
        Arguments.of("a\\|b", List.of("a|b")),
        Arguments.of("\\$HOME", List.of("$HOME")),
        Arguments.of("a\\\nb", List.of("ab")),
        Arguments.of("\\\\", List.of("\\")),
        // empty quoted words are words
        Arguments.of("\"\"", List.of("")),
        Arguments.of("''", List.of("")),
        Arguments.of("a \"\" b", List.of("a", "", "b")),
        Arguments.of("a '' b", List.of("a", "", "b")),
        // adjacent parts join into one word
        Arguments.of("a'b'\"c\"", List.of("abc")),
        Arguments.of("--name=\"my app\"", List.of("--name=my app")),
        Arguments.of("'a'\\ 'b'", List.of("a b")),
        // a lone $ is literal
        Arguments.of("echo $", List.of("echo", "$")),
        Arguments.of("a$", List.of("a$")),
        Arguments.of("price \"5 $\"", List.of("price", "5 $")),
        Arguments.of("$ 1", List.of("$", "1")),
        Arguments.of("cost 5$/h", List.of("cost", "5$/h")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("syntaxErrors")
  void split_refusesIncompleteQuoting(String line, String message) {
    CommandWords.SyntaxException e =
        catchThrowableOfType(CommandWords.SyntaxException.class, () -> CommandWords.split(line));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains(message);
  }

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        Arguments.of("echo 'abc", "unterminated single quote at character 6"),
        Arguments.of("'", "unterminated single quote at character 1"),
        Arguments.of("echo \"abc", "unterminated double quote"),
        Arguments.of("\"abc\\\"", "unterminated double quote"),
        Arguments.of("\"", "unterminated double quote"),
        Arguments.of("echo abc\\", "ends with a backslash"),
        Arguments.of("\\", "ends with a backslash"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "a | b", "a|b", "a ; b", "a;", "sleep 1 &", "a && b", "a < in", "a > out", "a >> out",
        "a 2>&1",
      })
  void split_refusesUnquotedShellOperators_suggestingShell(String line) {
    CommandWords.SyntaxException e =
        catchThrowableOfType(CommandWords.SyntaxException.class, () -> CommandWords.split(line));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("only a shell understands", "--shell");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "echo $HOME", "echo $home", "echo $_x", "echo $1", "echo ${X}", "echo $(date)", "echo $((1+2))",
        "echo `date`", "echo pre$HOME", "echo \"$HOME\"", "echo \"${X}\"", "echo \"$(date)\"",
        "echo \"`date`\"", "echo \"dir: $PWD/x\"",
      })
  void split_refusesExpansionsUnquotedAndInDoubleQuotes_suggestingShell(String line) {
    CommandWords.SyntaxException e =
        catchThrowableOfType(CommandWords.SyntaxException.class, () -> CommandWords.split(line));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("--shell", "single quotes");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"echo $?", "echo $$", "echo $@", "echo $#", "echo $*", "echo $!", "echo \"$?\""})
  void split_refusesSpecialParameterExpansions(String line) {
    CommandWords.SyntaxException e =
        catchThrowableOfType(CommandWords.SyntaxException.class, () -> CommandWords.split(line));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("--shell");
  }
}
