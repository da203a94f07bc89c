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
    if (stat == null) {
      return null;
    }
    long nanosPerTick = 1_000_000_000L / ticksPerSecond;
    return Instant.ofEpochSecond(bootEpochSecond)
        .plusSeconds(stat.startTicks() / ticksPerSecond)
        .plusNanos((stat.startTicks() % ticksPerSecond) * nanosPerTick);
  }

  boolean isLive(long pid) {
    ProcStat stat = read(PROC.resolve(Long.toString(pid)).resolve("stat"), new byte[STAT_BYTES]);
    return stat != null && stat.live();
  }

  /** One pass over {@code /proc/[0-9]*}/stat serving all the given groups. */
  Map<Long, List<Long>> liveMembers(Set<Long> pgids) {
    Map<Long, List<Long>> members = new HashMap<>();
    if (pgids.isEmpty()) {
      return members;
    }
    byte[] buffer = new byte[STAT_BYTES];
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
      for (Path entry : entries) {
        if (!isPid(entry.getFileName().toString())) {
          continue;
        }
        ProcStat stat = read(entry.resolve("stat"), buffer);
        if (stat != null && stat.live() && pgids.contains(stat.pgrp())) {
          members.computeIfAbsent(stat.pgrp(), k -> new ArrayList<>()).add(stat.pid());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + PROC, e);
    }
    return members;
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
