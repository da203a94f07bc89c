package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvFileTest {

  @ParameterizedTest(name = "[{0}] -> {1}={2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock = """
      A=1                        | A      | 1
      A=                         | A      | ''
      _x9=y                      | _x9    | y
      export A=1                 | A      | 1
      export   A=1               | A      | 1
      `  A = spaced  `           | A      | spaced
      A="two words"              | A      | two words
      A='two words'              | A      | two words
      A="it's"                   | A      | it's
      A='say "hi"'               | A      | say "hi"
      A=""                       | A      | ''
      A=x=y                      | A      | x=y
      A=#not a comment           | A      | #not a comment
      URL=http://h/p?q=1#frag    | URL    | http://h/p?q=1#frag
      exportA=1                  | exportA| 1
      """)
  void parsesALine(String line, String key, String value) throws Exception {
    Map<String, String> env = parse(line.strip().replace("''", ""));
    assertThat(env).containsExactly(Map.entry(key.strip(), value.replace("''", "")));
  }

  @Test
  void skipsBlankLinesAndComments_laterLinesWin() throws Exception {
    Map<String, String> env =
        parse("# comment", "", "   ", "  # indented comment", "A=1", "B=2", "A=3", "C=4\r");
    assertThat(env).containsExactly(Map.entry("A", "3"), Map.entry("B", "2"), Map.entry("C", "4"));
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock = """
      no equals sign          | expected KEY=VALUE
      =value                  | the key is empty
      1A=x                    | '1A' is not a valid variable name
      A-B=x                   | 'A-B' is not a valid variable name
      A B=x                   | 'A B' is not a valid variable name
      export 1A=x             | '1A' is not a valid variable name
      A="open                 | opens a " quote but does not end with one
      A='open                 | opens a ' quote but does not end with one
      A="                     | opens a " quote
      A="x" # note            | opens a " quote
      A="a"b"                 | has a " quote inside its quotes
      """)
  void rejectsAMalformedLine_namingFileAndLine(String line, String expected) {
    assertThatThrownBy(() -> parse("# first", "OK=1", line))
        .isInstanceOf(EnvFile.Malformed.class)
        .hasMessageStartingWith("app.env line 3: ")
        .hasMessageContaining(expected);
  }

  @Test
  void errorsNeverShowTheValue() {
    assertThatThrownBy(() -> parse("PASSWORD='hunter2"))
        .hasMessageContaining("PASSWORD")
        .hasMessageNotContaining("hunter2");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"A=1, A, 1", "A=, A, ''", "A==, A, =", "_=x, _, x", "Ab9_=v w, Ab9_, v w"})
  void parsesAnAssignment(String text, String key, String value) throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    EnvFile.parseAssignment(text, env);
    assertThat(env).containsExactly(Map.entry(key, value));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      quoteCharacter = '`',
      value = {"A, --env needs KEY=VALUE", "=x, '' is not a valid", "9A=x, '9A' is not a valid"})
  void rejectsAnAssignment(String text, String expected) {
    assertThatThrownBy(() -> EnvFile.parseAssignment(text, new LinkedHashMap<>()))
        .hasMessageContaining(expected);
  }

  private static Map<String, String> parse(String... lines) throws EnvFile.Malformed {
    Map<String, String> env = new LinkedHashMap<>();
    EnvFile.parse("app.env", List.of(lines), env);
    return env;
  }
}
