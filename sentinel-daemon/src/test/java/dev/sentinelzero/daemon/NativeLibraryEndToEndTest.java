package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue 12, "The file system"): each daemon unpacked SQLite's native library into
 * {@code <home>/native} under a fresh name and one killed with {@code kill -9} left it behind (30
 * kills, 30 MiB). Now it is unpacked once per library version and reused, and what older daemons
 * left there is deleted at start.
 */
class NativeLibraryEndToEndTest {
  @TempDir Path tmp;

  @Test
  void daemonsKilledWithSigkill_leaveOneCopyOfTheLibrary_whichEveryLaterDaemonLoads() throws Exception {
    Path home = tmp.resolve("home");
    Path nativeDir = home.resolve("native");
    Files.createDirectories(nativeDir);
    // What the driver's own unpacking left after kill -9 (a copy and its lock file), and an old version's copy.
    Path stale = Files.write(nativeDir.resolve("sqlite-3.50.3.0-0f1e2d3c-libsqlitejdbc.so"), new byte[1 << 20]);
    Path staleLock = Files.write(nativeDir.resolve("sqlite-3.50.3.0-0f1e2d3c-libsqlitejdbc.so.lck"), new byte[0]);
    Path oldVersion = Files.createDirectories(nativeDir.resolve("3.46.1.0/Linux/x86_64"));
    Files.write(oldVersion.resolve("libsqlitejdbc.so"), new byte[1 << 20]);

    RunningDaemon daemon = RunningDaemon.start(home);
    try {
      for (int kill = 0; kill < 3; kill++) {
        List<Path> libraries = libraries(nativeDir);
        assertThat(libraries).as("after %d kills", kill).hasSize(1);
        assertThat(mapped(daemon.pid())).as("the daemon loads the one copy").contains(libraries.get(0).toString());
        daemon.process().destroyForcibly();
        assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        daemon.launch();
      }
      assertThat(stale).doesNotExist();
      assertThat(staleLock).doesNotExist();
      assertThat(nativeDir.resolve("3.46.1.0")).doesNotExist();
      assertThat(libraries(nativeDir)).hasSize(1);
      assertThat(libraries(nativeDir).get(0).toString()).contains(org.sqlite.SQLiteJDBCLoader.getVersion());
    } finally {
      daemon.stop();
    }
  }

  private static List<Path> libraries(Path dir) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  private static String mapped(long pid) throws Exception {
    return Files.readString(Path.of("/proc", Long.toString(pid), "maps"));
  }
}
