package dev.sentinelzero.daemon.process;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Linux process table, read from {@code /proc}. Stateless apart from two constants read once
 * (boot time and clock ticks per second), so any thread may use it.
 */
final class LinuxProcTable {
  private static final Path PROC = Path.of("/proc");
  private static final int STAT_BYTES = 1024; // a stat line is ~300 bytes: comm is at most 64
  private static final int ENVIRON_BYTES = 16 * 1024; // grown for a larger environment

  private final long ticksPerSecond;
  private final long bootEpochSecond;

  LinuxProcTable(long ticksPerSecond) {
    this.ticksPerSecond = ticksPerSecond > 0 ? ticksPerSecond : 100;
    this.bootEpochSecond = readBootTime();
  }

  /**
   * Start time from field 22 (ticks since boot) and {@code btime} of {@code /proc/stat}. Two reads
   * of the same process give the same Instant; btime is read once per daemon run, because the
   * kernel derives it from the wall clock and it moves when the clock is stepped.
   */
  Instant startTime(long pid) {
    ProcStat stat = read(PROC.resolve(Long.toString(pid)).resolve("stat"), new byte[STAT_BYTES]);
    return stat == null ? null : startTime(stat);
  }

  boolean isLive(long pid) {
    ProcStat stat = read(PROC.resolve(Long.toString(pid)).resolve("stat"), new byte[STAT_BYTES]);
    return stat != null && stat.live();
  }

  /** The start time of a live process; null if gone or a zombie. */
  Instant liveStartTime(long pid) {
    ProcStat stat = read(PROC.resolve(Long.toString(pid)).resolve("stat"), new byte[STAT_BYTES]);
    return stat != null && stat.live() ? startTime(stat) : null;
  }

  /** The raw {@code /proc/<pid>/environ} as strings; null if it cannot be read. */
  List<String> environment(long pid) {
    try {
      byte[] block = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
      List<String> env = new ArrayList<>();
      int start = 0;
      for (int i = 0; i <= block.length; i++) {
        if (i == block.length || block[i] == 0) {
          if (i > start) {
            env.add(new String(block, start, i - start, StandardCharsets.UTF_8));
          }
          start = i + 1;
        }
      }
      return env;
    } catch (IOException | RuntimeException e) {
      return null; // gone, or not ours to read
    }
  }

  /**
   * One pass over {@code /proc/[0-9]*}/stat serving all the given groups and, with {@code
   * markedSince}, reading {@code /proc/<pid>/environ} of the live processes started since then
   * (see {@link NativeOs#scan}). An environment that cannot be read (another user's, or gone) is
   * skipped.
   */
  NativeOs.Table scan(Set<Long> pgids, Instant markedSince) {
    Map<Long, List<Long>> members = new HashMap<>();
    List<NativeOs.Marked> marked = new ArrayList<>();
    if (pgids.isEmpty() && markedSince == null) {
      return new NativeOs.Table(members, marked);
    }
    long sinceTicks = markedSince == null ? Long.MAX_VALUE : ticksAt(markedSince) - 1;
    long self = ProcessHandle.current().pid();
    byte[] buffer = new byte[STAT_BYTES];
    EnvironBuffer environ = markedSince == null ? null : new EnvironBuffer();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
      for (Path entry : entries) {
        if (!isPid(entry.getFileName().toString())) {
          continue;
        }
        ProcStat stat = read(entry.resolve("stat"), buffer);
        if (stat == null || !stat.live()) {
          continue;
        }
        if (pgids.contains(stat.pgrp())) {
          members.computeIfAbsent(stat.pgrp(), k -> new ArrayList<>()).add(stat.pid());
        }
        if (stat.startTicks() >= sinceTicks && stat.pid() != self) {
          RunMark mark =
              environ.read(entry.resolve("environ"))
                  ? RunMark.parse(environ.bytes, environ.length)
                  : null;
          if (mark != null) {
            marked.add(
                new NativeOs.Marked(
                    stat.pid(), stat.pgrp(), stat.session(), startTime(stat), mark));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + PROC, e);
    }
    return new NativeOs.Table(members, marked);
  }

  /** A reusable read buffer for environ files, grown as needed; one per scan (one thread). */
  private static final class EnvironBuffer {
    byte[] bytes = new byte[ENVIRON_BYTES];
    int length;

    /** Reads the file; false if it cannot be read (gone, or another user's: EACCES). */
    boolean read(Path file) {
      try (FileInputStream in = new FileInputStream(file.toString())) {
        length = 0;
        int n;
        while ((n = in.read(bytes, length, bytes.length - length)) > 0) {
          length += n;
          if (length == bytes.length) {
            bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
          }
        }
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** Clock ticks since boot at an instant (rounded down). */
  private long ticksAt(Instant instant) {
    long seconds = instant.getEpochSecond() - bootEpochSecond;
    return seconds * ticksPerSecond + instant.getNano() / (1_000_000_000L / ticksPerSecond);
  }

  private Instant startTime(ProcStat stat) {
    long nanosPerTick = 1_000_000_000L / ticksPerSecond;
    return Instant.ofEpochSecond(bootEpochSecond)
        .plusSeconds(stat.startTicks() / ticksPerSecond)
        .plusNanos((stat.startTicks() % ticksPerSecond) * nanosPerTick);
  }

  /** The parsed stat file, or null if the process is gone or the file is malformed. */
  static ProcStat read(Path statFile, byte[] buffer) {
    try (FileInputStream in = new FileInputStream(statFile.toString())) {
      int length = 0;
      int n;
      while (length < buffer.length && (n = in.read(buffer, length, buffer.length - length)) > 0) {
        length += n;
      }
      return ProcStat.parse(buffer, length);
    } catch (IOException e) {
      return null; // gone between listing and reading (ENOENT, or ESRCH while it exits)
    }
  }

  private static boolean isPid(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static long readBootTime() {
    try {
      for (String line : Files.readAllLines(PROC.resolve("stat"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("btime ")) {
          return Long.parseLong(line.substring(6).strip());
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("cannot read the boot time from /proc/stat", e);
    }
    throw new IllegalStateException("/proc/stat has no btime line");
  }
}
