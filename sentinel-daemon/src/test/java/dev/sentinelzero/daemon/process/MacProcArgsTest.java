package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The macOS {@code KERN_PROCARGS2} buffer, parsed on any machine from buffers built as xnu's
 * {@code sysctl_procargsx} lays them out (issue 5: the marker scan on macOS).
 */
class MacProcArgsTest {
  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN; // x86_64 and arm64 alike

  /** argc, the path, {@code padding} NULs, then each string NUL-terminated. */
  private static byte[] buffer(int argc, String path, int padding, String... strings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(4).order(ORDER).putInt(argc).array());
    out.writeBytes(path.getBytes(StandardCharsets.UTF_8));
    out.write(0);
    out.writeBytes(new byte[padding]);
    for (String s : strings) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }

  private static List<String> env(byte[] buffer) {
    return MacProcArgs.environment(buffer, buffer.length, ORDER);
  }

  @Test
  void environment_isWhatFollowsArgv_upToTheEmptyString() {
    byte[] b = buffer(2, "/bin/sleep", 5, "sleep", "1000", "HOME=/Users/me", "SENTINEL_NAME=web", "");

    assertThat(env(b)).containsExactly("HOME=/Users/me", "SENTINEL_NAME=web");
  }

  @Test
  void argumentsThatLookLikeVariables_areNotTakenForThem() {
    byte[] b = buffer(2, "/usr/bin/env", 7, "env", "SENTINEL_NAME=fake", "PATH=/usr/bin");

    assertThat(env(b)).containsExactly("PATH=/usr/bin");
  }

  @Test
  void emptyArguments_inTheMiddleOfArgv_areCountedAsArguments() {
    byte[] b = buffer(3, "/bin/echo", 0, "echo", "", "x", "A=1");

    assertThat(env(b)).containsExactly("A=1");
  }

  @Test
  void theKernelsOwnStrings_afterTheEnvironment_comeOutAsVariables() {
    // No empty string separates them: harmless, the marker's names are never among them.
    byte[] b = buffer(1, "/bin/sleep", 3, "sleep", "A=1", "ptr_munge=", "main_stack=");

    assertThat(env(b)).containsExactly("A=1", "ptr_munge=", "main_stack=");
  }

  @Test
  void withoutAnEnvironment_itIsEmpty() {
    // What the kernel returns for a restricted process: argv, then nothing.
    assertThat(env(buffer(2, "/bin/sleep", 2, "sleep", "1000"))).isEmpty();
    // And with zeros after argv (the rest of a reused buffer is not counted, but zeros may be).
    byte[] zeros = Arrays.copyOf(buffer(2, "/bin/sleep", 2, "sleep", "1000"), 200);
    assertThat(env(zeros)).isEmpty();
  }

  @Test
  void argcLargerThanTheStringsPresent_meansNoEnvironment() {
    assertThat(env(buffer(5, "/bin/sleep", 2, "sleep", "1000", "A=1"))).isEmpty();
    assertThat(env(buffer(Integer.MAX_VALUE, "/bin/sleep", 2, "sleep"))).isEmpty();
  }

  @Test
  void aTruncatedBuffer_keepsOnlyWholeVariables() {
    byte[] b = buffer(1, "/bin/sleep", 2, "sleep", "A=1", "SENTINEL_NAME=web");
    int cut = b.length - 3; // inside "web", its NUL lost

    assertThat(MacProcArgs.environment(b, cut, ORDER)).containsExactly("A=1");
  }

  @Test
  void lengthIsWhatCounts_notTheBufferSize() {
    byte[] whole = buffer(1, "/bin/sleep", 2, "sleep", "A=1", "B=2");
    byte[] reused = Arrays.copyOf(whole, whole.length + 64);
    Arrays.fill(reused, whole.length, reused.length, (byte) 'x'); // an earlier process's bytes

    assertThat(MacProcArgs.environment(reused, whole.length, ORDER)).containsExactly("A=1", "B=2");
    assertThat(MacProcArgs.environment(whole, whole.length + 100, ORDER)).containsExactly("A=1", "B=2");
  }

  @Test
  void garbage_givesNothing_neverAnError() {
    assertThat(MacProcArgs.environment(new byte[0], 0, ORDER)).isEmpty();
    assertThat(MacProcArgs.environment(new byte[3], 3, ORDER)).isEmpty();
    assertThat(MacProcArgs.environment(new byte[] {1, 0, 0, 0, 'x'}, 5, ORDER)).isEmpty(); // path cut
    assertThat(env(buffer(-1, "/bin/sleep", 0, "A=1"))).isEmpty();
    assertThat(MacProcArgs.environment(buffer(0, "/p", 0, "A=1"), -5, ORDER)).isEmpty();
  }

  @Test
  void noArguments_theEnvironmentFollowsThePath() {
    assertThat(env(buffer(0, "/bin/true", 6, "A=1"))).containsExactly("A=1");
  }

  @Test
  void theMarkerIsFound_inAParsedEnvironment() {
    byte[] b =
        buffer(2, "/bin/sleep", 4, "sleep", "1000", "SENTINEL_HOME_ID=abc", "SENTINEL_NAME=web", "");

    assertThat(MarkedProcesses.markedName(env(b), "abc")).isEqualTo("web");
    assertThat(MarkedProcesses.markedName(env(b), "other-home")).isNull();
  }
}
