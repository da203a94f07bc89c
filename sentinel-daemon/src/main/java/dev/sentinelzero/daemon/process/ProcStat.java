package dev.sentinelzero.daemon.process;

/**
 * The fields we use from one Linux {@code /proc/<pid>/stat} line (proc(5)).
 *
 * <p>Field 2, the command name, is in parentheses and may itself contain spaces and parentheses (a
 * process may call itself {@code "a) b ("}), so parsing starts after the <em>last</em> {@code ')'};
 * the fields after it are plain numbers separated by single spaces.
 *
 * @param state field 3: R, S, D, T, t, Z (zombie), X (dead), I, ...
 * @param pgrp field 5, the process group id
 * @param session field 6, the session id
 * @param startTicks field 22, start time in clock ticks since boot
 */
record ProcStat(long pid, char state, long pgrp, long session, long startTicks) {

  /** Zombies and dead entries are no longer running code: they cannot be signalled away. */
  boolean live() {
    return state != 'Z' && state != 'X';
  }

  /** Parses {@code line[0..length)}; null if it is not a well-formed stat line. */
  static ProcStat parse(byte[] line, int length) {
    int close = -1;
    for (int i = length - 1; i >= 0; i--) {
      if (line[i] == ')') {
        close = i;
        break;
      }
    }
    int open = indexOf(line, 0, length, (byte) '(');
    if (open < 1 || close < open || close + 2 >= length) {
      return null;
    }
    long pid = parseNumber(line, 0, open - 1);
    // After ") " comes field 3; field n starts after (n - 3) more spaces.
    int field3 = close + 2;
    char state = (char) line[field3];
    int cursor = field3;
    long pgrp = -1;
    long session = -1;
    long start = -1;
    for (int field = 4; field <= 22 && cursor < length; field++) {
      cursor = indexOf(line, cursor, length, (byte) ' ');
      if (cursor < 0) {
        return null;
      }
      cursor++;
      if (field == 5) {
        pgrp = parseNumber(line, cursor, length);
      } else if (field == 6) {
        session = parseNumber(line, cursor, length);
      } else if (field == 22) {
        start = parseNumber(line, cursor, length);
      }
    }
    if (pid < 0 || pgrp < 0 || session < 0 || start < 0) {
      return null;
    }
    return new ProcStat(pid, state, pgrp, session, start);
  }

  private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A non-negative decimal starting at {@code from} and ending at a space or {@code to}; -1 if
   * none.
   */
  private static long parseNumber(byte[] bytes, int from, int to) {
    long value = 0;
    int i = from;
    boolean negative = i < to && bytes[i] == '-';
    if (negative) {
      i++;
    }
    int digits = 0;
    for (; i < to && bytes[i] != ' ' && bytes[i] != '\n'; i++) {
      int d = bytes[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      value = value * 10 + d;
      digits++;
    }
    return digits == 0 || negative ? -1 : value;
  }
}
