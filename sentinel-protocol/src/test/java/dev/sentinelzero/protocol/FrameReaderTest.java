package dev.sentinelzero.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameReaderTest {
  private static final int MAX = 16;

  /** Hands out at most one byte per read, as a slow socket may. */
  private static final class OneByteAtATime extends InputStream {
    private final byte[] bytes;
    private int pos;

    OneByteAtATime(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read() {
      return pos < bytes.length ? bytes[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (pos >= bytes.length) {
        return -1;
      }
      b[off] = bytes[pos++];
      return 1;
    }
  }

  private static FrameReader reader(String text) {
    return new FrameReader(new ByteArrayInputStream(text.getBytes(UTF_8)), MAX);
  }

  private static FrameReader slowReader(byte[] bytes, int max) {
    return new FrameReader(new OneByteAtATime(bytes), max);
  }

  private static List<String> readAll(FrameReader reader) throws IOException {
    List<String> frames = new ArrayList<>();
    for (String f = reader.next(); f != null; f = reader.next()) {
      frames.add(f);
    }
    return frames;
  }

  @Test
  void next_returnsSeveralFramesFromOneRead() throws Exception {
    assertThat(readAll(reader("{\"a\":1}\n{\"b\":2}\nping\n")))
        .containsExactly("{\"a\":1}", "{\"b\":2}", "ping");
  }

  @Test
  void next_reassemblesFrameSplitAcrossReads() throws Exception {
    FrameReader reader = slowReader("{\"cmd\":\"ping\"}\nsecond\n".getBytes(UTF_8), 64);

    assertThat(readAll(reader)).containsExactly("{\"cmd\":\"ping\"}", "second");
  }

  @Test
  void next_reassemblesMultiByteCharacterSplitAcrossReads() throws Exception {
    FrameReader reader = slowReader("h\u00e9llo \u2603 \uD83D\uDE00\n".getBytes(UTF_8), 64);

    assertThat(reader.next()).isEqualTo("h\u00e9llo \u2603 \uD83D\uDE00");
  }

  @Test
  void next_reassemblesFrameLongerThanOneBuffer() throws Exception {
    String big = "x".repeat(20_000);
    FrameReader reader =
        new FrameReader(new ByteArrayInputStream((big + "\nnext\n").getBytes(UTF_8)), 32_000);

    assertThat(readAll(reader)).containsExactly(big, "next");
  }

  @Test
  void next_stripsCrBeforeNewline() throws Exception {
    assertThat(readAll(reader("one\r\ntwo\r\n"))).containsExactly("one", "two");
  }

  @Test
  void next_stripsCrBeforeNewline_whenSplitAcrossReads() throws Exception {
    assertThat(readAll(slowReader("one\r\ntwo\r\n".getBytes(UTF_8), MAX))).containsExactly("one", "two");
  }

  @Test
  void next_keepsCrInsideTheFrame() throws Exception {
    assertThat(reader("a\rb\n").next()).isEqualTo("a\rb");
  }

  @Test
  void next_returnsLastFrameWithoutNewline() throws Exception {
    assertThat(readAll(reader("first\nlast"))).containsExactly("first", "last");
  }

  @Test
  void next_returnsEmptyLinesAsEmptyFrames() throws Exception {
    FrameReader reader = reader("\n\nx\n");

    assertThat(reader.next()).isEmpty();
    assertThat(reader.next()).isEmpty();
    assertThat(reader.next()).isEqualTo("x");
    assertThat(reader.next()).isNull();
  }

  @Test
  void next_returnsNullForEmptyStream_andKeepsDoingSo() throws Exception {
    FrameReader reader = reader("");

    assertThat(reader.next()).isNull();
    assertThat(reader.next()).isNull();
  }

  @Test
  void next_acceptsFrameOfExactlyTheLimit_withOrWithoutCr() throws Exception {
    String exact = "y".repeat(MAX);

    assertThat(readAll(reader(exact + "\n" + exact + "\r\n"))).containsExactly(exact, exact);
  }

  @ParameterizedTest
  @ValueSource(ints = {MAX + 1, MAX + 2, 10_000, 100_000})
  void next_refusesOversizedFrame_thenReadsTheNextOne(int size) throws Exception {
    FrameReader reader = reader("z".repeat(size) + "\n{\"ok\":1}\n");

    assertThatThrownBy(reader::next)
        .isInstanceOf(FrameReader.FrameTooLarge.class)
        .hasMessageContaining(MAX + " bytes");
    assertThat(reader.next()).isEqualTo("{\"ok\":1}");
    assertThat(reader.next()).isNull();
  }

  @Test
  void next_refusesOversizedFrameSplitAcrossReads_thenReadsTheNextOne() throws Exception {
    FrameReader reader = slowReader(("z".repeat(100) + "\r\nafter\r\n").getBytes(UTF_8), MAX);

    assertThatThrownBy(reader::next).isInstanceOf(FrameReader.FrameTooLarge.class);
    assertThat(reader.next()).isEqualTo("after");
  }

  @Test
  void next_refusesFrameOneByteOverTheLimitEvenWithCrAllowance() throws Exception {
    // MAX + 1 bytes followed by \r: the +1 slack is only for the \r.
    FrameReader reader = reader("w".repeat(MAX + 1) + "\r\nok\n");

    assertThatThrownBy(reader::next).isInstanceOf(FrameReader.FrameTooLarge.class);
    assertThat(reader.next()).isEqualTo("ok");
  }

  @Test
  void next_refusesOversizedLastFrameWithoutNewline() throws Exception {
    FrameReader reader = reader("ok\n" + "v".repeat(MAX + 10));

    assertThat(reader.next()).isEqualTo("ok");
    assertThatThrownBy(reader::next).isInstanceOf(FrameReader.FrameTooLarge.class);
    assertThat(reader.next()).isNull();
  }

  @Test
  void next_refusesUnterminatedLastFrameOneByteOverTheLimit() throws Exception {
    FrameReader reader = reader("v".repeat(MAX + 1));

    assertThatThrownBy(reader::next).isInstanceOf(FrameReader.FrameTooLarge.class);
  }

  @Test
  void next_stripsCrFromLastFrameWithoutNewline() throws Exception {
    assertThat(reader("ping\r").next()).isEqualTo("ping");
  }

  @Test
  void next_refusesInvalidUtf8_thenReadsTheNextFrame() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}', '\n'}); // bad 2-byte sequence
    bytes.write(new byte[] {(byte) 0xFF, '\n'}); // never valid in UTF-8
    bytes.write(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}); // encoded surrogate
    bytes.write("good\n".getBytes(UTF_8));
    FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes.toByteArray()), MAX);

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(reader::next)
          .isInstanceOf(FrameReader.MalformedFrame.class)
          .hasMessageContaining("UTF-8");
    }
    assertThat(reader.next()).isEqualTo("good");
  }

  @Test
  void next_refusesTruncatedUtf8AtEndOfStream() {
    FrameReader reader =
        new FrameReader(new ByteArrayInputStream(new byte[] {'a', (byte) 0xE2, (byte) 0x98}), MAX);

    assertThatThrownBy(reader::next).isInstanceOf(FrameReader.MalformedFrame.class);
  }
}
