package dev.sentinelzero.daemon.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads /proc for the tests, independently of the production parser: what the kernel says about a
 * process, its group and its parent.
 */
final class Procs {
  static final long JVM_PID = ProcessHandle.current().pid();
  static final long TICKS_PER_SECOND = 100; // USER_HZ: fixed at 100 on x86_64 and aarch64

  /** One /proc/<pid>/stat, split after the last ')'. */
  record Entry(long pid, String comm, char state, long ppid, long pgrp) {
    boolean zombie() {
      return state == 'Z' || state == 'X';
    }
  }

  private Procs() {}

  static Entry entry(long pid) {
    String line;
    try {
      line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return null;
    }
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    String[] fields = line.substring(close + 2).split(" ");
    return new Entry(
        pid,
        line.substring(open + 1, close),
        fields[0].charAt(0),
        Long.parseLong(fields[1]),
        Long.parseLong(fields[2]));
  }

  static List<Entry> all() {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : dir) {
        Entry e = entry(Long.parseLong(p.getFileName().toString()));
        if (e != null) {
          entries.add(e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  /** Every process (zombies included) whose process group is pgid. */
  static List<Entry> group(long pgid) {
    return all().stream().filter(e -> e.pgrp() == pgid).toList();
  }

  static List<Entry> liveGroup(long pgid) {
    return group(pgid).stream().filter(e -> !e.zombie()).toList();
  }

  /** Zombies whose parent is this JVM: what a supervisor must never leave behind. */
  static List<Entry> ourZombies() {
    return all().stream().filter(e -> e.zombie() && e.ppid() == JVM_PID).toList();
  }

  /** True while pid is still a process (or zombie) whose parent is this JVM. */
  static boolean isOurChild(long pid) {
    Entry e = entry(pid);
    return e != null && e.ppid() == JVM_PID;
  }

  /** utime + stime (fields 14 and 15), in clock ticks. */
  static long cpuTicks(long pid) throws IOException {
    String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /**
   * Live processes whose environment holds the exact entry {@code NAME=value}: a scan of every
   * /proc/<pid>/environ, read here independently of the production scanner.
   */
  static List<Entry> liveWithEnv(String entry) {
    byte[] wanted = entry.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<Entry> out = new ArrayList<>();
    for (Entry e : all()) {
      if (e.zombie() || e.pid() == JVM_PID) {
        continue;
      }
      byte[] environ;
      try {
        environ = Files.readAllBytes(Path.of("/proc", Long.toString(e.pid()), "environ"));
      } catch (IOException gone) {
        continue;
      }
      int start = 0;
      for (int i = 0; i <= environ.length; i++) {
        if (i == environ.length || environ[i] == 0) {
          if (i - start == wanted.length
              && java.util.Arrays.equals(environ, start, i, wanted, 0, wanted.length)) {
            out.add(e);
            break;
          }
          start = i + 1;
        }
      }
    }
    return out;
  }
}
