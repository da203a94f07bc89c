package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProcStatTest {
  private static final String TAIL =
      // fields 4 (ppid) to 22 (starttime), then the rest
      " 1 1234 1234 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 987654 2306048 200 18446744073709551615"
          + " 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

  @Test
  void parse_readsStatePgrpAndStartTime() {
    ProcStat stat = parse("4321 (sleep) S" + TAIL);

    assertThat(stat).isEqualTo(new ProcStat(4321, 'S', 1234, 1234, 987654));
    assertThat(stat.live()).isTrue();
  }

  @Test
  void parse_copesWithSpacesAndParenthesesInTheCommandName() {
    assertThat(parse("77 (a) b (c) ) Z" + TAIL)).isEqualTo(new ProcStat(77, 'Z', 1234, 1234, 987654));
  }

  @Test
  void live_isFalseForZombiesAndDeadEntries() {
    assertThat(parse("1 (x) Z" + TAIL).live()).isFalse();
    assertThat(parse("1 (x) X" + TAIL).live()).isFalse();
    assertThat(parse("1 (x) D" + TAIL).live()).isTrue();
  }

  @Test
  void parse_returnsNull_forTruncatedOrGarbledLines() {
    assertThat(parse("")).isNull();
    assertThat(parse("12 (sleep")).isNull();
    assertThat(parse("12 (sleep) S 1 2")).isNull();
    assertThat(parse("x (sleep) S" + TAIL)).isNull();
  }

  private static ProcStat parse(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    return ProcStat.parse(bytes, bytes.length);
  }
}
