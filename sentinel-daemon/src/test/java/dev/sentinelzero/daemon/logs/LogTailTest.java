package dev.sentinelzero.daemon.logs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LogTailTest {
  private static final int BLOCK = 64 * 1024;
  private static final String CUT = " [line cut at " + LogTail.MAX_LINE_CHARS + " characters]";

  @TempDir Path dir;

  /** A log over 200 KiB whose lines have varied lengths, so block boundaries fall mid-line. */
  @TempDir static Path shared;

  private static Path bigLog;
  private static List<String> bigLines;

  @BeforeAll
  static void writeBigLog() throws Exception {
    bigLines = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 210 * 1024; i++) {
      String line = String.format("%05d ", i) + "x\u00e9".repeat(i % 97) + (i % 13 == 0 ? "" : "!");
      bigLines.add(line);
      text.append(line).append('\n');
    }
    bigLog = shared.resolve("big.log");
    Files.writeString(bigLog, text);
    assertThat(Files.size(bigLog)).isGreaterThan(200 * 1024);
  }

  private Path write(String content) throws Exception {
    return Files.writeString(dir.resolve("app.out.log"), content);
  }

  private Path write(byte[] content) throws Exception {
    return Files.write(dir.resolve("app.out.log"), content);
  }

  @Test
  void lastLines_isEmptyWhenFileIsMissing() throws Exception {
    assertThat(LogTail.lastLines(dir.resolve("missing.log"), 10)).isEmpty();
  }

  @Test
  void lastLines_isEmptyForEmptyFile() throws Exception {
    assertThat(LogTail.lastLines(write(""), 10)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void lastLines_isEmptyWhenAskedForNoLines(int count) throws Exception {
    assertThat(LogTail.lastLines(write("a\nb\n"), count)).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] last {1} of {0}")
  @MethodSource("tails")
  void lastLines_returnsTheLastLinesOldestFirst(String content, int count, List<String> expected)
      throws Exception {
    assertThat(LogTail.lastLines(write(content), count)).containsExactlyElementsOf(expected);
  }

  static Stream<Arguments> tails() {
    return Stream.of(
        Arguments.of("a\nb\nc\n", 1, List.of("c")),
        Arguments.of("a\nb\nc\n", 2, List.of("b", "c")),
        Arguments.of("a\nb\nc\n", 3, List.of("a", "b", "c")), // exactly N
        Arguments.of("a\nb\nc\n", 10, List.of("a", "b", "c")), // fewer than asked
        Arguments.of("a\nb\nc", 2, List.of("b", "c")), // no trailing newline
        Arguments.of("a\nb\nc", 10, List.of("a", "b", "c")),
        Arguments.of("only", 1, List.of("only")),
        Arguments.of("\n", 5, List.of("")),
        Arguments.of("a\n\n\nb\n", 3, List.of("", "", "b")), // empty lines count
        Arguments.of("a\n\n", 1, List.of("")),
        Arguments.of("a\r\nb\r\n", 5, List.of("a", "b")), // CRLF
        Arguments.of("a\rb\r\n", 5, List.of("a\rb")), // only the CR before the newline goes
        Arguments.of("h\u00e9llo \u2603\n\uD83D\uDE00\n", 2, List.of("h\u00e9llo \u2603", "\uD83D\uDE00")));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 10, 500, 1000, 1500, 100_000})
  void lastLines_readsAcrossBlockBoundaries(int count) throws Exception {
    List<String> expected = bigLines.subList(Math.max(0, bigLines.size() - count), bigLines.size());

    assertThat(LogTail.lastLines(bigLog, count)).containsExactlyElementsOf(expected);
  }

  @Test
  void lastLines_findsLineThatStraddlesTheFirstBlockBoundary() throws Exception {
    // The last line is longer than a block, so its start is in the second block from the end.
    String before = "before";
    String straddling = "s".repeat(BLOCK + 100);
    Path file = write(before + "\n" + straddling + "\n");

    assertThat(LogTail.lastLines(file, 2)).containsExactly(before, clipped(straddling));
  }

  @Test
  void lastLines_handlesNewlineExactlyAtBlockBoundary() throws Exception {
    // The file's last BLOCK bytes start right after a newline.
    String tail = "t".repeat(BLOCK - 1) + "\n";
    Path file = write("first\nsecond\n" + tail);

    assertThat(LogTail.lastLines(file, 2)).containsExactly("second", clipped("t".repeat(BLOCK - 1)));
  }

  @Test
  void lastLines_replacesInvalidUtf8() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write("ok\n".getBytes(UTF_8));
    bytes.write(new byte[] {'b', 'a', 'd', (byte) 0xFF, (byte) 0xC3, '\n'});

    assertThat(LogTail.lastLines(write(bytes.toByteArray()), 2)).containsExactly("ok", "bad\uFFFD\uFFFD");
  }

  @Test
  void lastLines_clipsOverlongLineWithMarker() throws Exception {
    String longLine = "L".repeat(LogTail.MAX_LINE_CHARS + 1);
    String fits = "F".repeat(LogTail.MAX_LINE_CHARS);

    List<String> lines = LogTail.lastLines(write(fits + "\n" + longLine + "\n"), 2);

    assertThat(lines).containsExactly(fits, "L".repeat(LogTail.MAX_LINE_CHARS) + CUT);
  }

  @ParameterizedTest(name = "[{index}] limit {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0  | ''",
        "2  | a",
        "4  | a,b",
        "6  | a,b,c",
        "8  | a,b,c,d",
        "99 | a,b,c,d",
      })
  void lastLines_ignoresBytesPastLimit(long limit, String expected) throws Exception {
    Path file = write("a\nb\nc\nd\n");
    List<String> expectedLines = expected.isEmpty() ? List.of() : List.of(expected.split(","));

    assertThat(LogTail.lastLines(file, 10, limit)).containsExactlyElementsOf(expectedLines);
  }

  @Test
  void lastLines_withLimit_countsBackFromTheLimit() throws Exception {
    Path file = write("a\nb\nc\nd\n");

    assertThat(LogTail.lastLines(file, 2, 6)).containsExactly("b", "c");
  }

  @Test
  void lastLines_withLimitInsideBigFile_matchesTheFileCutThere() throws Exception {
    byte[] all = Files.readAllBytes(bigLog);
    int limit = 150_000;
    while (all[limit - 1] != '\n') {
      limit--; // end the cut on a line boundary, as a follower's position usually is
    }
    List<String> complete = List.of(new String(all, 0, limit - 1, UTF_8).split("\n", -1));

    List<String> lines = LogTail.lastLines(bigLog, 3, limit);

    assertThat(lines).containsExactlyElementsOf(complete.subList(complete.size() - 3, complete.size()));
  }

  @Test
  void newestWithin_keepsEverythingThatFits() {
    List<String> lines = List.of("a", "bb", "ccc");

    assertThat(LogTail.newestWithin(lines, 10_000, String::length)).containsExactly("a", "bb", "ccc");
  }

  @Test
  void newestWithin_dropsOldestLinesFirst_countingOverheadPerLine() {
    List<String> lines = List.of("aaaa", "bb", "c");
    int forNewestTwo = (2 + 64) + (1 + 64);

    assertThat(LogTail.newestWithin(lines, forNewestTwo, String::length)).containsExactly("bb", "c");
    assertThat(LogTail.newestWithin(lines, forNewestTwo - 1, String::length)).containsExactly("c");
    assertThat(LogTail.newestWithin(lines, forNewestTwo + 4 + 64, String::length))
        .containsExactly("aaaa", "bb", "c");
  }

  @Test
  void newestWithin_neverSkipsALineToKeepAnOlderOne() {
    List<String> lines = List.of("a", "b".repeat(1000), "c");

    assertThat(LogTail.newestWithin(lines, 200, String::length)).containsExactly("c");
  }

  @Test
  void newestWithin_isEmptyForNoLines() {
    assertThat(LogTail.newestWithin(List.<String>of(), 100, String::length)).isEmpty();
  }

  private static String clipped(String line) {
    return LogTail.clip(line);
  }
}
