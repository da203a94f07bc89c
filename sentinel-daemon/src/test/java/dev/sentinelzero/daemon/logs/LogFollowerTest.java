package dev.sentinelzero.daemon.logs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Time is a parameter of poll: these tests pass readings of a fake monotonic ticker. */
class LogFollowerTest {
  private static final long FLUSH_NANOS = 500;

  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void setUp() {
    file = dir.resolve("web.out.log");
  }

  private void append(String text) throws Exception {
    Files.writeString(file, text, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static Object inode(Path path) throws Exception {
    return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
  }

  @Test
  void startsAtEndOfExistingContent() throws Exception {
    append("old one\nold two\n");

    LogFollower follower = new LogFollower(file, FLUSH_NANOS);

    assertThat(follower.position()).isEqualTo(Files.size(file));
    assertThat(follower.poll(0)).isEmpty();
  }

  @Test
  void poll_returnsAppendedCompleteLines_once() throws Exception {
    append("old\n");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);

    append("new one\nnew two\n");

    assertThat(follower.poll(0)).containsExactly("new one", "new two");
    assertThat(follower.poll(1)).isEmpty();

    append("three\n");

    assertThat(follower.poll(2)).containsExactly("three");
  }

  @Test
  void poll_stripsCrAndKeepsEmptyLines() throws Exception {
    append("");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);

    append("a\r\n\r\n\nb\n");

    assertThat(follower.poll(0)).containsExactly("a", "", "", "b");
  }

  @Test
  void poll_holdsPartialLineUntilItsNewline() throws Exception {
    append("");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);

    append("first\npar");
    assertThat(follower.poll(0)).containsExactly("first");

    append("tial");
    assertThat(follower.poll(10)).isEmpty();

    append(" line\nnext");
    assertThat(follower.poll(20)).containsExactly("partial line");
  }

  @Test
  void poll_flushesPartialLineOnceItHasWaitedPartialFlushNanos() throws Exception {
    append("");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);

    append("Password: ");

    assertThat(follower.poll(1_000)).isEmpty();
    assertThat(follower.poll(1_000 + FLUSH_NANOS - 1)).isEmpty();
    assertThat(follower.poll(1_000 + FLUSH_NANOS)).containsExactly("Password: ");
    assertThat(follower.poll(1_000 + 10 * FLUSH_NANOS)).isEmpty();
  }

  @Test
  void poll_measuresPartialWaitFromItsFirstByte() throws Exception {
    append("");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);

    append("a");
    assertThat(follower.poll(0)).isEmpty();
    append("b");
    assertThat(follower.poll(FLUSH_NANOS - 1)).isEmpty();

    assertThat(follower.poll(FLUSH_NANOS)).containsExactly("ab");
  }

  @Test
  void poll_flushesPartialLine_whenTheTickerWrapsAround() throws Exception {
    append("");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);
    long start = Long.MAX_VALUE - 100;

    append("prompt> ");

    assertThat(follower.poll(start)).isEmpty();
    assertThat(follower.poll(start + FLUSH_NANOS - 1)).isEmpty(); // has wrapped to negative
    assertThat(follower.poll(start + FLUSH_NANOS)).containsExactly("prompt> ");
  }

  @Test
  void poll_restartsFromTheBeginning_whenTheFileIsTruncated() throws Exception {
    append("one\ntwo\nthree\n");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);
    Object inodeBefore = inode(file);

    Files.writeString(file, "x\n", UTF_8, StandardOpenOption.TRUNCATE_EXISTING); // same file, shorter

    assertThat(inode(file)).isEqualTo(inodeBefore);
    assertThat(follower.poll(0)).containsExactly("x");
    assertThat(follower.position()).isEqualTo(2);

    append("y\n");
    assertThat(follower.poll(1)).containsExactly("y");
  }

  @Test
  void poll_restartsFromTheBeginning_whenTheFileIsReplaced() throws Exception {
    append("one\n");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);
    Path rotated = Files.move(file, dir.resolve("web.out.log.1"));

    append("new one\nnew two, longer than the old file\n"); // a new file: new inode, larger

    assertThat(inode(file)).isNotEqualTo(inode(rotated));
    assertThat(follower.poll(0)).containsExactly("new one", "new two, longer than the old file");
  }

  @Test
  void poll_isEmptyWhileTheFileIsMissing_thenReadsItFromTheStart() throws Exception {
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);

    assertThat(follower.position()).isZero();
    assertThat(follower.poll(0)).isEmpty();

    append("hello\nworld\n");

    assertThat(follower.poll(1)).containsExactly("hello", "world");
  }

  @Test
  void poll_isEmptyAfterTheFileIsDeleted_thenPicksUpItsSuccessor() throws Exception {
    append("one\n");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);
    Path keep = Files.createLink(dir.resolve("keep"), file); // holds the old inode so it is not reused

    Files.delete(file);
    assertThat(follower.poll(0)).isEmpty();

    append("again\n");
    assertThat(inode(file)).isNotEqualTo(inode(keep));
    assertThat(follower.poll(1)).containsExactly("again");
  }

  @Test
  void poll_readsLargeAppendsOverSeveralPolls_losingNothing() throws Exception {
    append("");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);
    StringBuilder text = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; text.length() < 600 * 1024; i++) {
      String line = "line " + i + " " + "z".repeat(i % 300);
      expected.add(line);
      text.append(line).append('\n');
    }
    append(text.toString());

    List<String> read = new ArrayList<>();
    for (int polls = 0; polls < 10 && follower.position() < Files.size(file); polls++) {
      read.addAll(follower.poll(polls));
    }

    assertThat(read).containsExactlyElementsOf(expected);
  }

  @Test
  void poll_replacesInvalidUtf8AndClipsOverlongLines() throws Exception {
    append("");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);

    Files.write(file, new byte[] {'x', (byte) 0xFF, '\n'}, StandardOpenOption.APPEND);
    append("L".repeat(LogTail.MAX_LINE_CHARS + 5) + "\n");

    assertThat(follower.poll(0))
        .containsExactly("x\uFFFD", LogTail.clip("L".repeat(LogTail.MAX_LINE_CHARS + 5)));
  }

  @Test
  void poll_flushesOverlongPartialLineWithoutWaiting() throws Exception {
    append("");
    LogFollower follower = new LogFollower(file, Long.MAX_VALUE);

    append("p".repeat(LogTail.MAX_LINE_CHARS));

    assertThat(follower.poll(0)).containsExactly("p".repeat(LogTail.MAX_LINE_CHARS));
  }

  @Test
  void poll_doesNotJoinHeldPartialLineWithTheReplacementFilesFirstLine() throws Exception {
    append("");
    LogFollower follower = new LogFollower(file, FLUSH_NANOS);
    append("unfinished");
    assertThat(follower.poll(0)).isEmpty();
    Path rotated = Files.move(file, dir.resolve("web.out.log.1"));

    append("fresh start\n");
    assumeThat(inode(file)).isNotEqualTo(inode(rotated));

    assertThat(follower.poll(1)).doesNotContain("unfinishedfresh start").contains("fresh start");
  }
}
