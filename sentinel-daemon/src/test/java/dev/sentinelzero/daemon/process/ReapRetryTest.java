package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Issue #14, macOS item 1: xnu posts NOTE_EXIT before the process is a zombie ({@code proc_exit},
 * bsd/kern/kern_exit.c), so {@code waitpid(WNOHANG)} right after the exit event can find nothing.
 * The group reaper must try again rather than forget the leader and leak its zombie. Here the real
 * Linux layer is wrapped so that its first reaps answer "not yet", as macOS can.
 */
@EnabledOnOs(OS.LINUX)
class ReapRetryTest {

  @Test
  void terminateGroup_retriesTheReap_whileTheLeaderIsNotAZombieYet_andLeavesNoZombie()
      throws Exception {
    AtomicInteger reaps = new AtomicInteger();
    NativeOs os = new NotYetOs(new LinuxOs(), reaps, 3);
    try (NativeProcessControl control = new NativeProcessControl(os, System::nanoTime)) {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("reap-retry");
      CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
      ChildProcess child =
          control.spawn(
              new LaunchSpec(
                  java.nio.file.Path.of("/bin/sh"),
                  List.of("sh", "-c", "exit 5"),
                  Map.of("PATH", "/usr/bin:/bin"),
                  dir,
                  dir.resolve("out.log"),
                  dir.resolve("err.log")),
              exit::complete);
      assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(5));

      control.terminateGroup(child.pgid(), control.signal("TERM"), 5_000).get(10, TimeUnit.SECONDS);

      assertThat(reaps.get()).as("reap attempts").isEqualTo(4);
      assertThat(Procs.entry(child.pid())).as("the leader, reaped").isNull();
      assertThat(Procs.ourZombies()).isEmpty();
    }
  }

  private interface Path {}

  /** The real layer, except that the first {@code notYet} reaps find no zombie. */
  private record NotYetOs(NativeOs real, AtomicInteger reaps, int notYet) implements NativeOs {
    @Override
    public Reap reap(long pid) {
      return reaps.incrementAndGet() <= notYet ? Reap.NOT_YET : real.reap(pid);
    }

    @Override
    public SignalTable signals() {
      return real.signals();
    }

    @Override
    public String strerror(int errno) {
      return real.strerror(errno);
    }

    @Override
    public int spawn(LaunchSpec spec) throws LaunchException {
      return real.spawn(spec);
    }

    @Override
    public Instant startTime(long pid) {
      return real.startTime(pid);
    }

    @Override
    public boolean isLive(long pid) {
      return real.isLive(pid);
    }

    @Override
    public ExitPoller openExitPoller() {
      return real.openExitPoller();
    }

    @Override
    public ExitStatus peekExit(long pid) {
      return real.peekExit(pid);
    }

    @Override
    public ExitStatus decodeWaitStatus(int status) {
      return real.decodeWaitStatus(status);
    }

    @Override
    public void reapBlocking(long pid) {
      real.reapBlocking(pid);
    }

    @Override
    public int signalGroup(long pgid, int signal) {
      return real.signalGroup(pgid, signal);
    }

    @Override
    public int signalProcess(long pid, int signal) {
      return real.signalProcess(pid, signal);
    }

    @Override
    public Table scan(Set<Long> pgids, Instant markedSince) {
      return real.scan(pgids, markedSince);
    }

    @Override
    public Instant liveStartTime(long pid) {
      return real.liveStartTime(pid);
    }

    @Override
    public List<String> environment(long pid) {
      return real.environment(pid);
    }

    @Override
    public int signalIfSame(long pid, Instant startTime, int signal) {
      return real.signalIfSame(pid, startTime, signal);
    }

    @Override
    public long peerPid(int fd) {
      return real.peerPid(fd);
    }

    @Override
    public int peerHungUp(int fd) {
      return real.peerHungUp(fd);
    }
  }
}
