package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that start real processes: a fresh control per test, and a check after each
 * that everything spawned is gone and reaped, so that no test leaks processes or zombies into the
 * next.
 */
@EnabledOnOs(OS.LINUX)
abstract class RealProcessTest {
  static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C");

  @TempDir Path dir;
  ProcessControl control;
  Signal term;
  Signal kill;
  private final ConcurrentLinkedQueue<Long> spawned = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void createControl() {
    control = ProcessControls.create();
    term = control.signal("TERM");
    kill = control.signal("KILL");
  }

  @AfterEach
  void tearDownEverything() throws Exception {
    try {
      List<CompletableFuture<Void>> all =
          spawned.stream().map(pgid -> control.terminateGroup(pgid, kill, 0)).toList();
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      for (long pgid : spawned) {
        assertThat(Procs.liveGroup(pgid)).as("live members of group %d", pgid).isEmpty();
      }
      assertThat(Procs.ourZombies()).as("zombie children of this JVM").isEmpty();
    } finally {
      control.close();
    }
  }

  /** {@code /bin/sh -c script} in {@link #dir}, output to out.log and err.log there. */
  LaunchSpec sh(String script) {
    return new LaunchSpec(
        Path.of("/bin/sh"),
        List.of("sh", "-c", script),
        ENV,
        dir,
        dir.resolve("out.log"),
        dir.resolve("err.log"));
  }

  LaunchSpec program(String executable, String... args) {
    List<String> argv =
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of(Path.of(executable).getFileName().toString()),
                java.util.Arrays.stream(args))
            .toList();
    return new LaunchSpec(
        Path.of(executable), argv, ENV, dir, dir.resolve("out.log"), dir.resolve("err.log"));
  }

  /** Spawns and remembers the group for the after-test clean-up. */
  ChildProcess spawn(LaunchSpec spec, Consumer<ExitStatus> onExit) throws LaunchException {
    ChildProcess child = control.spawn(spec, onExit);
    spawned.add(child.pgid());
    return child;
  }

  /** terminateGroup, waiting for it; the group is then no longer cleaned up after the test. */
  void terminate(long pgid, Signal first, long timeoutMs) throws Exception {
    control.terminateGroup(pgid, first, timeoutMs).get(20, TimeUnit.SECONDS);
    spawned.remove(pgid);
  }

  /** Spawns and returns the future of its exit status. */
  Spawned spawn(LaunchSpec spec) throws LaunchException {
    CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    ChildProcess child = spawn(spec, exit::complete);
    return new Spawned(child, exit);
  }

  record Spawned(ChildProcess child, CompletableFuture<ExitStatus> exit) {
    long pid() {
      return child.pid();
    }

    ExitStatus awaitExit() throws Exception {
      return exit.get(20, TimeUnit.SECONDS);
    }
  }
}
