package dev.sentinelzero.daemon.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ProcessSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandTextTest {

  @ParameterizedTest(name = "[{index}] <{0}>")
  @ValueSource(
      strings = {
        "plain", "a b", "  leading", "it's", "'", "''", "\"double\"", "", "$HOME", "${X}", "$(date)",
        "`date`", "$", "a\\b", "\\", "tab\there", "new\nline", "*.txt", "~/bin", "a|b;c&d<e>f",
        "#comment", "h\u00e9llo", "--opt=a b", "'\"'\"'",
      })
  void quote_roundTripsThroughSplit(String word) throws Exception {
    assertThat(CommandWords.split(CommandText.quote(word))).containsExactly(word);
  }

  @ParameterizedTest
  @ValueSource(strings = {"python3", "/usr/bin/env", "--port=8080", "user@host:path", "a+b%c,d", "-_.,:/"})
  void quote_leavesPlainWordsBare(String word) {
    assertThat(CommandText.quote(word)).isEqualTo(word);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "a b     | 'a b'",
        "it's    | 'it'\\''s'",
        "$HOME   | '$HOME'",
      })
  void quote_usesSingleQuotesForEverythingElse(String word, String quoted) {
    assertThat(CommandText.quote(word)).isEqualTo(quoted);
  }

  @Test
  void quote_quotesTheEmptyWord() {
    assertThat(CommandText.quote("")).isEqualTo("''");
  }

  @Test
  void of_showsArgvQuoted_soThatItSplitsBackToTheSameArgv() throws Exception {
    List<String> argv = List.of("/bin/echo", "hello world", "", "it's $HOME", "plain");
    ProcessSpec spec = new ProcessSpec("web", null, argv, false, "/", Map.of(), null, null, 1);

    String text = CommandText.of(spec);

    assertThat(text).isEqualTo("/bin/echo 'hello world' '' 'it'\\''s $HOME' plain");
    assertThat(CommandWords.split(text)).isEqualTo(argv);
  }

  @Test
  void of_showsCommandLineAsTyped() {
    ProcessSpec spec =
        new ProcessSpec("web", "python3  -m \"http.server\"", null, false, "/", Map.of(), null, null, 1);

    assertThat(CommandText.of(spec)).isEqualTo("python3  -m \"http.server\"");
  }
}
