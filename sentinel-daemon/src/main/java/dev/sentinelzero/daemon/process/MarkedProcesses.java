package dev.sentinelzero.daemon.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds the process-group leaders a daemon of this home started, by the marker every supervised
 * process carries in its environment ({@code SENTINEL_HOME_ID}, {@code SENTINEL_NAME}). A new
 * daemon uses it for the processes whose run was never recorded (the previous daemon died between
 * {@code posix_spawn} and its commit), so that none is left running untracked.
 *
 * <p>Linux reads {@code /proc/<pid>/environ} (the user's own processes are readable). Elsewhere it
 * finds nothing: on macOS the same needs {@code sysctl KERN_PROCARGS2}, not written yet.
 */
public final class MarkedProcesses {
  public static final String HOME_ID = "SENTINEL_HOME_ID";
  public static final String NAME = "SENTINEL_NAME";
  /** Set on health-check commands, which carry the process's name too but are not it. */
  public static final String HEALTH_CHECK = "SENTINEL_HEALTH_CHECK";

  private MarkedProcesses() {}

  /** Live group leaders marked with {@code homeId}: pid to the process name they were started as. */
  public static Map<Long, String> find(String homeId) {
    Map<Long, String> out = new HashMap<>();
    Path proc = Path.of("/proc");
    if (homeId == null || !Files.isDirectory(proc.resolve("self"))) {
      return out;
    }
    String home = HOME_ID + "=" + homeId;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, "[0-9]*")) {
      for (Path dir : dirs) {
        try {
          long pid = Long.parseLong(dir.getFileName().toString());
          String stat = Files.readString(dir.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (f[0].equals("Z") || f[0].equals("X") || Long.parseLong(f[2]) != pid) {
            continue; // a zombie, or not the leader of its own group
          }
          String name = null;
          boolean ours = false;
          boolean check = false;
          for (String var : new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.UTF_8).split("\0")) {
            if (var.equals(home)) {
              ours = true;
            } else if (var.startsWith(NAME + "=")) {
              name = var.substring(NAME.length() + 1);
            } else if (var.startsWith(HEALTH_CHECK + "=")) {
              check = true;
            }
          }
          if (ours && name != null && !check) {
            out.put(pid, name);
          }
        } catch (IOException | RuntimeException e) {
          // gone meanwhile, or not ours to read
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }
}
