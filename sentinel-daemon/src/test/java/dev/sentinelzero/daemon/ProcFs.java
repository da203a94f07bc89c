package dev.sentinelzero.daemon;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What tests check about processes, read from Linux's /proc (the tests' ground truth). */
final class ProcFs {
  private ProcFs() {}

  /** Live (not zombie) processes whose process group is {@code pgid}. */
  static List<Long> liveInGroup(long pgid) {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        String stat;
        try {
          stat = Files.readString(dir.resolve("stat"));
        } catch (IOException e) {
          continue; // gone meanwhile
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] = state, f[1] = ppid, f[2] = pgrp
        if (Long.parseLong(f[2]) == pgid && !f[0].equals("Z") && !f[0].equals("X")) {
          out.add(Long.parseLong(dir.getFileName().toString()));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** True if the pid exists at all (a zombie counts). */
  static boolean exists(long pid) {
    return Files.exists(Path.of("/proc", Long.toString(pid)));
  }

  /** The pid's state letter (R, S, Z...), or null if it does not exist. */
  static String state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0];
    } catch (IOException e) {
      return null;
    }
  }

  /** Direct children of {@code pid} that are zombies. */
  static List<Long> zombieChildren(long pid) {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        try {
          String stat = Files.readString(dir.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(f[1]) == pid && f[0].equals("Z")) {
            out.add(Long.parseLong(dir.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** A live process as the marker checks see it: pid, group, command name, environment. */
  record Marked(long pid, long pgrp, String comm, java.util.Map<String, String> env) {}

  /**
   * Every live process whose environment holds {@code NAME=value} exactly: a scan of each
   * /proc/<pid>/environ (the survivors count of issue #9), independent of the daemon's scanner.
   */
  static List<Marked> liveWithEnv(String name, String value) {
    List<Marked> out = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        try {
          long pid = Long.parseLong(dir.getFileName().toString());
          String stat = Files.readString(dir.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (pid == self || f[0].equals("Z") || f[0].equals("X")) {
            continue;
          }
          java.util.Map<String, String> env = environment(pid);
          if (value.equals(env.get(name))) {
            String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            out.add(new Marked(pid, Long.parseLong(f[2]), comm, env));
          }
        } catch (IOException | RuntimeException e) {
          // gone meanwhile, or not readable
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** The environment of a process; empty if it cannot be read. */
  static java.util.Map<String, String> environment(long pid) {
    java.util.Map<String, String> env = new java.util.HashMap<>();
    try {
      String raw =
          new String(
              Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
              java.nio.charset.StandardCharsets.UTF_8);
      for (String var : raw.split("\0")) {
        int eq = var.indexOf('=');
        if (eq > 0) {
          env.put(var.substring(0, eq), var.substring(eq + 1));
        }
      }
    } catch (IOException e) {
      // gone
    }
    return env;
  }
}
