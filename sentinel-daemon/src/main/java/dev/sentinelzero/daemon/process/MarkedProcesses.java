package dev.sentinelzero.daemon.process;

import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the process-group leaders a daemon of this home started, by the marker every supervised
 * process carries in its environment ({@code SENTINEL_HOME_ID}, {@code SENTINEL_NAME}). A new
 * daemon uses it for the processes whose run was never recorded (the previous daemon died between
 * {@code posix_spawn} and its commit), so that none is left running untracked.
 *
 * <p>Linux reads {@code /proc/<pid>/stat} and {@code /proc/<pid>/environ} (the user's own
 * processes are readable); macOS lists the user's processes and reads each environment with {@code
 * sysctl KERN_PROCARGS2} ({@link MacOs#markedLeaders}; written from the xnu sources, not run on a
 * Mac yet). Either way only live group leaders count. Elsewhere it finds nothing. Stateless: any
 * thread (the supervisor's, at start).
 */
public final class MarkedProcesses {
  public static final String HOME_ID = "SENTINEL_HOME_ID";
  public static final String NAME = "SENTINEL_NAME";
  /** Set on health-check commands, which carry the process's name too but are not it. */
  public static final String HEALTH_CHECK = "SENTINEL_HEALTH_CHECK";

  private static final Logger log = LoggerFactory.getLogger(MarkedProcesses.class);

  private MarkedProcesses() {}

  /** Live group leaders marked with {@code homeId}: pid to the process name they were started as. */
  public static Map<Long, String> find(String homeId) {
    if (homeId == null) {
      return new HashMap<>();
    }
    if (Files.isDirectory(Path.of("/proc", "self"))) {
      return fromProc(homeId);
    }
    if (Platform.isMac()) {
      try {
        return MacOs.markedLeaders(homeId);
      } catch (RuntimeException | LinkageError e) {
        // Not run on a Mac yet: a mistake here must not keep the daemon from starting.
        log.warn("cannot look for processes an earlier daemon started but did not record: {}", e.toString());
      }
    }
    return new HashMap<>();
  }

  /**
   * The process name in an environment marked with {@code homeId} ({@code NAME=value} strings), or
   * null when it is not so marked, or is a health check's.
   */
  static String markedName(Iterable<String> environment, String homeId) {
    String home = HOME_ID + "=" + homeId;
    String name = null;
    boolean ours = false;
    boolean check = false;
    for (String var : environment) {
      if (var.equals(home)) {
        ours = true;
      } else if (var.startsWith(NAME + "=")) {
        name = var.substring(NAME.length() + 1);
      } else if (var.startsWith(HEALTH_CHECK + "=")) {
        check = true;
      }
    }
    return ours && !check ? name : null;
  }

  private static Map<Long, String> fromProc(String homeId) {
    Map<Long, String> out = new HashMap<>();
    Path proc = Path.of("/proc");
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, "[0-9]*")) {
      for (Path dir : dirs) {
        try {
          long pid = Long.parseLong(dir.getFileName().toString());
          String stat = Files.readString(dir.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (f[0].equals("Z") || f[0].equals("X") || Long.parseLong(f[2]) != pid) {
            continue; // a zombie, or not the leader of its own group
          }
          String environ = new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.UTF_8);
          String name = markedName(List.of(environ.split("\0")), homeId);
          if (name != null) {
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
