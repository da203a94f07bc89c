package dev.sentinelzero.daemon.process;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the environment out of the buffer macOS returns for {@code sysctl({CTL_KERN,
 * KERN_PROCARGS2, pid})} (xnu {@code bsd/kern/kern_sysctl.c}, {@code sysctl_procargsx}):
 *
 * <pre>
 * int argc                          4 bytes, the machine's byte order
 * executable path \0                the kernel has cut its "executable_path=" prefix
 * \0 ...                            padding to the next word
 * argv[0] \0 ... argv[argc-1] \0
 * env[0] \0 ... env[n-1] \0
 * the kernel's own strings (apple[]), or zeros
 * </pre>
 *
 * <p>The kernel leaves the environment out, ending the buffer after argv, when it will not show
 * it: for a restricted process (code-signing restricted, with System Integrity Protection on)
 * that is not the caller. The strings after the environment are the kernel's ({@code
 * stack_guard=...}, {@code ptr_munge=...}): no empty string separates them from the last variable,
 * so they come out as variables too, which is harmless for names the kernel never uses.
 *
 * <p>Padding and an empty argv[0] look alike: like {@code ps}, every NUL after the path is taken as
 * padding, so an empty argv[0] would shift argv by one and hide the first variable. A pure function
 * of its input; any thread.
 */
final class MacProcArgs {
  private MacProcArgs() {}

  /**
   * The {@code NAME=value} strings after argv, in order, up to the first empty string or the
   * end of the data. A string without its terminating NUL (the buffer was cut short) is dropped;
   * when the buffer ends before argv does (too short, or argc larger than the strings present),
   * there is no environment to read and the list is empty.
   *
   * @param buffer what sysctl wrote
   * @param length how many bytes of it sysctl reported (clamped to the buffer)
   * @param order the byte order of argc, the machine's
   */
  static List<String> environment(byte[] buffer, int length, ByteOrder order) {
    int end = Math.min(Math.max(length, 0), buffer.length);
    List<String> env = new ArrayList<>();
    if (end < Integer.BYTES) {
      return env;
    }
    int argc = ByteBuffer.wrap(buffer, 0, Integer.BYTES).order(order).getInt();
    if (argc < 0) {
      return env;
    }
    int pos = nul(buffer, Integer.BYTES, end); // the executable path
    if (pos < 0) {
      return env;
    }
    pos++;
    while (pos < end && buffer[pos] == 0) {
      pos++; // padding
    }
    for (int i = 0; i < argc; i++) {
      int stop = nul(buffer, pos, end);
      if (stop < 0) {
        return env; // argv runs past the data: no environment in it
      }
      pos = stop + 1;
    }
    while (pos < end) {
      int stop = nul(buffer, pos, end);
      if (stop < 0 || stop == pos) {
        break; // cut short, or the empty string after the last variable
      }
      env.add(new String(buffer, pos, stop - pos, StandardCharsets.UTF_8));
      pos = stop + 1;
    }
    return env;
  }

  /** Index of the first NUL in {@code buffer[from..end)}, or -1. */
  private static int nul(byte[] buffer, int from, int end) {
    for (int i = from; i < end; i++) {
      if (buffer[i] == 0) {
        return i;
      }
    }
    return -1;
  }
}
