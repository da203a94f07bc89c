package dev.sentinelzero.daemon.process;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Signal names and numbers of one platform. The numbers differ between Linux and macOS from 7 on
 * (BUS is 7 on Linux, 10 on macOS; USR1 is 10 on Linux, 30 on macOS), so every name is looked up
 * here and never hard-coded elsewhere. Immutable, so any thread may use it.
 */
final class SignalTable {
  private final Map<String, Integer> numbersByName; // canonical names first, then aliases
  private final String[] namesByNumber; // index = number; null where only a number is known
  private final int maxNumber; // highest valid signal number (NSIG - 1)
  private final int realtimeMin; // first real-time signal as libc reports it, 0 if none

  private SignalTable(
      Map<String, Integer> canonical,
      Map<String, Integer> aliases,
      int maxNumber,
      int realtimeMin) {
    this.numbersByName = new LinkedHashMap<>(canonical);
    this.numbersByName.putAll(aliases);
    this.maxNumber = maxNumber;
    this.realtimeMin = realtimeMin;
    this.namesByNumber = new String[maxNumber + 1];
    canonical.forEach((name, number) -> namesByNumber[number] = name);
  }

  /** Linux on x86_64 and aarch64 (the asm-generic numbering); glibc's SIGRTMIN is 34. */
  static SignalTable linux() {
    Map<String, Integer> names = new LinkedHashMap<>();
    String[] ordered = {
      "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
      "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
      "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"
    };
    for (int i = 0; i < ordered.length; i++) {
      names.put(ordered[i], i + 1);
    }
    return new SignalTable(names, Map.of("IOT", 6, "CLD", 17, "POLL", 29), 64, 34);
  }

  /** macOS (xnu {@code bsd/sys/signal.h}); it has no real-time signals. */
  static SignalTable macos() {
    Map<String, Integer> names = new LinkedHashMap<>();
    String[] ordered = {
      "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "EMT", "FPE", "KILL", "BUS", "SEGV", "SYS",
      "PIPE", "ALRM", "TERM", "URG", "STOP", "TSTP", "CONT", "CHLD", "TTIN", "TTOU", "IO", "XCPU",
      "XFSZ", "VTALRM", "PROF", "WINCH", "INFO", "USR1", "USR2"
    };
    for (int i = 0; i < ordered.length; i++) {
      names.put(ordered[i], i + 1);
    }
    // SIGPOLL is 7 (EMT) in the strict POSIX headers and unsupported: leave it out.
    return new SignalTable(names, Map.of("IOT", 6), 31, 0);
  }

  /**
   * The signal of this name ({@code TERM}, {@code SIGTERM}, {@code term}) or number ({@code 15}).
   */
  Signal parse(String nameOrNumber) {
    if (nameOrNumber == null || nameOrNumber.isBlank()) {
      throw unknown(String.valueOf(nameOrNumber));
    }
    String text = nameOrNumber.strip();
    if (text.chars().allMatch(Character::isDigit)) {
      int number;
      try {
        number = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw unknown(text);
      }
      if (number < 1 || number > maxNumber) {
        throw unknown(text);
      }
      return byNumber(number);
    }
    String name = text.toUpperCase(Locale.ROOT);
    if (name.startsWith("SIG")) {
      name = name.substring(3);
    }
    Integer number = numbersByName.get(name);
    if (number == null) {
      number = realtime(name);
    }
    if (number == null) {
      throw unknown(text);
    }
    return byNumber(number);
  }

  /**
   * The signal with this number, named canonically ({@code IO}, not {@code POLL}); never fails, so
   * it can decode whatever a wait status carries: a number without a name is named by its digits.
   */
  Signal byNumber(int number) {
    if (number >= 1 && number <= maxNumber && namesByNumber[number] != null) {
      return new Signal(namesByNumber[number], number);
    }
    if (realtimeMin > 0 && number >= realtimeMin && number <= maxNumber) {
      return new Signal(
          number == realtimeMin ? "RTMIN" : "RTMIN+" + (number - realtimeMin), number);
    }
    return new Signal(Integer.toString(number), number);
  }

  private Integer realtime(String name) {
    if (realtimeMin == 0) {
      return null;
    }
    try {
      int number;
      if (name.equals("RTMIN")) {
        number = realtimeMin;
      } else if (name.equals("RTMAX")) {
        number = maxNumber;
      } else if (name.startsWith("RTMIN+")) {
        number = realtimeMin + Integer.parseInt(name.substring(6));
      } else if (name.startsWith("RTMAX-")) {
        number = maxNumber - Integer.parseInt(name.substring(6));
      } else {
        return null;
      }
      return number >= realtimeMin && number <= maxNumber ? number : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private IllegalArgumentException unknown(String text) {
    StringJoiner names = new StringJoiner(" ");
    for (String name : namesByNumber) {
      if (name != null) {
        names.add(name);
      }
    }
    String realtimeHint = realtimeMin > 0 ? ", RTMIN+n, RTMAX-n" : "";
    return new IllegalArgumentException(
        "unknown signal '"
            + text
            + "': use a name ("
            + names
            + realtimeHint
            + "; with or without SIG, any case) or a number from 1 to "
            + maxNumber);
  }
}
