package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spawn: what the child gets (group, descriptors, signals, directory, environment, output). */
class SpawnTest extends RealProcessTest {

  @Test
  void spawn_appendsOutputToFiles_andReportsTheExitCode() throws Exception {
    Files.writeString(dir.resolve("out.log"), "earlier\n");

    Spawned child = spawn(sh("echo out; echo err >&2; exit 3"));

    assertThat(child.awaitExit()).isEqualTo(new ExitStatus.Exited(3));
    assertThat(Files.readString(dir.resolve("out.log"))).isEqualTo("earlier\nout\n");
    assertThat(Files.readString(dir.resolve("err.log"))).isEqualTo("err\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("err.log"))))
        .isEqualTo("rw-------");
  }

  @Test
  void spawn_reportsStartTime_closeToNow() throws Exception {
    Instant before = Instant.now();
    Spawned child = spawn(program("/bin/sleep", "1000"));

    // /proc's start time has clock-tick resolution and a boot time in whole seconds.
    assertThat(child.child().startTime())
        .isBetween(before.minusSeconds(2), Instant.now().plusSeconds(2));
  }

  @Test
  void spawn_putsTheChildInItsOwnProcessGroup() throws Exception {
    Spawned child = spawn(program("/bin/sleep", "1000"));

    Procs.Entry entry = Procs.entry(child.pid());
    assertThat(entry.pgrp()).isEqualTo(child.pid());
    assertThat(entry.ppid()).isEqualTo(Procs.JVM_PID);
  }

  @Test
  void spawn_passesNoDescriptorsBeyondTheFirstThree() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open();
        FileInputStream extra = new FileInputStream("/proc/self/stat")) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      assertThat(extra.getFD().valid()).isTrue();

      Spawned child = spawn(program("/bin/ls", "/proc/self/fd"));

      assertThat(child.awaitExit()).isEqualTo(new ExitStatus.Exited(0));
    }
    // 3 is the directory ls itself opened to list /proc/self/fd.
    assertThat(Files.readAllLines(dir.resolve("out.log"))).containsExactly("0", "1", "2", "3");
  }

  @Test
  void spawn_givesACleanSignalState_evenWhenTheJvmIgnoresAndBlocksSignals() throws Exception {
    Spawned child;
    try (SignalDisturbance disturbance = SignalDisturbance.ignorePipeAndBlockWinch()) {
      // The disturbance is real: this thread blocks WINCH and the JVM ignores PIPE.
      String self = "/proc/self/task/" + disturbance.tid();
      assertThat(statusMask(self, "SigBlk") & (1L << (28 - 1))).isNotZero();
      assertThat(statusMask(self, "SigIgn") & (1L << (13 - 1))).isNotZero();

      child = spawn(program("/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"));
    }

    assertThat(child.awaitExit()).isEqualTo(new ExitStatus.Exited(0));
    assertThat(Files.readAllLines(dir.resolve("out.log")))
        .containsExactly("SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000");
  }

  @Test
  void spawn_appliesWorkingDirectoryAndEnvironment_withStdinFromDevNull() throws Exception {
    Path work = Files.createDirectory(dir.resolve("work dir"));
    LaunchSpec spec =
        new LaunchSpec(
            Path.of("/bin/sh"),
            List.of(
                "sh",
                "-c",
                "pwd; echo \"$GREETING\"; echo \"HOME=${HOME-unset}\"; readlink /proc/self/fd/0;"
                    + " cat"),
            java.util.Map.of("PATH", "/usr/bin:/bin", "GREETING", "hello world"),
            work,
            dir.resolve("out.log"),
            dir.resolve("err.log"));

    Spawned child = spawn(spec);

    assertThat(child.awaitExit()).isEqualTo(new ExitStatus.Exited(0));
    assertThat(Files.readAllLines(dir.resolve("out.log")))
        .containsExactly(work.toString(), "hello world", "HOME=unset", "/dev/null");
  }

  @Test
  void spawn_failsWithThePath_whenTheProgramIsMissing() {
    Path missing = dir.resolve("no-such-program");
    LaunchSpec spec = withExecutable(missing);

    assertThatThrownBy(() -> spawn(spec))
        .isInstanceOfSatisfying(
            LaunchException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
        .hasMessageContaining("program not found: " + missing);
  }

  @Test
  void spawn_namesTheDirectory_whenTheWorkingDirectoryIsMissing() {
    Path missing = dir.resolve("gone");
    LaunchSpec good = program("/bin/true");
    LaunchSpec spec =
        new LaunchSpec(good.executable(), good.argv(), ENV, missing, good.stdout(), good.stderr());

    assertThatThrownBy(() -> spawn(spec))
        .isInstanceOf(LaunchException.class)
        .hasMessage("working directory does not exist: " + missing);
  }

  @Test
  void spawn_suggestsAShebang_whenAScriptHasNone() throws Exception {
    Path script = dir.resolve("script.sh");
    Files.writeString(script, "echo hi\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThatThrownBy(() -> spawn(withExecutable(script)))
        .isInstanceOfSatisfying(
            LaunchException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOEXEC))
        .hasMessage(script + " is not in an executable format: add a #! line or use --shell");
  }

  @Test
  void spawn_saysToMakeItExecutable_whenItIsNot() throws Exception {
    Path script = dir.resolve("script.sh");
    Files.writeString(script, "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> spawn(withExecutable(script)))
        .isInstanceOfSatisfying(
            LaunchException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EACCES))
        .hasMessageStartingWith(script + " is not executable (permission denied)")
        .hasMessageContaining("chmod +x");
  }

  @Test
  void spawn_namesTheInterpreter_whenTheShebangPointsNowhere() throws Exception {
    Path script = dir.resolve("script.sh");
    Files.writeString(script, "#!/no/such/interpreter -e\necho hi\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThatThrownBy(() -> spawn(withExecutable(script)))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("names the interpreter /no/such/interpreter in its #! line");
  }

  @Test
  void spawn_isCheap_andStaysCheap() throws Exception {
    // A figure for the report rather than a benchmark: 100 spawns of /bin/true.
    int count = 100;
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      spawn(program("/bin/true"));
    }
    Duration perSpawn = Duration.ofNanos((System.nanoTime() - start) / count);
    System.out.println("spawn cost per child: " + perSpawn.toNanos() / 1000 + " us");
    assertThat(perSpawn).isLessThan(Duration.ofMillis(50));
  }

  private LaunchSpec withExecutable(Path executable) {
    return new LaunchSpec(
        executable,
        List.of(executable.getFileName().toString()),
        ENV,
        dir,
        dir.resolve("out.log"),
        dir.resolve("err.log"));
  }

  private static long statusMask(String procDir, String field) throws Exception {
    for (String line : Files.readAllLines(Path.of(procDir, "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseUnsignedLong(line.substring(field.length() + 1).strip(), 16);
      }
    }
    throw new AssertionError(field + " not found");
  }

  /**
   * Makes the JVM ignore SIGPIPE and the current thread block SIGWINCH, the way a careless host
   * process might, and undoes both on close. The old SIGPIPE action is saved and restored as an
   * opaque block, so the JVM's own handler and flags come back exactly.
   */
  private static final class SignalDisturbance implements AutoCloseable {
    interface TestLibc extends Library {
      TestLibc INSTANCE = Native.load("c", TestLibc.class);

      int sigaction(int signal, Pointer action, Pointer old);

      int pthread_sigmask(int how, Pointer set, Pointer old);

      int sigemptyset(Pointer set);

      int sigaddset(Pointer set, int signal);

      int gettid();
    }

    private static final int SIGPIPE = 13;
    private static final int SIGWINCH = 28;
    private static final int SIG_BLOCK = 0;
    private static final int SIG_SETMASK = 2;
    private static final int SIGACTION_BYTES = 256; // glibc x86_64 struct sigaction is 152
    private final Memory oldAction = zeroed(SIGACTION_BYTES);
    private final Memory oldMask = zeroed(256);
    private final int tid;

    static SignalDisturbance ignorePipeAndBlockWinch() {
      return new SignalDisturbance();
    }

    private SignalDisturbance() {
      TestLibc libc = TestLibc.INSTANCE;
      tid = libc.gettid();
      check(libc.sigaction(SIGPIPE, null, oldAction));
      try (Memory ignore = zeroed(SIGACTION_BYTES)) {
        ignore.write(0, oldAction.getByteArray(0, SIGACTION_BYTES), 0, SIGACTION_BYTES);
        ignore.setLong(0, 1); // sa_handler = SIG_IGN
        check(libc.sigaction(SIGPIPE, ignore, null));
      }
      try (Memory block = zeroed(256)) {
        libc.sigemptyset(block);
        libc.sigaddset(block, SIGWINCH);
        check(libc.pthread_sigmask(SIG_BLOCK, block, oldMask));
      }
    }

    int tid() {
      return tid;
    }

    @Override
    public void close() {
      TestLibc libc = TestLibc.INSTANCE;
      libc.pthread_sigmask(SIG_SETMASK, oldMask, null);
      libc.sigaction(SIGPIPE, oldAction, null);
      oldAction.close();
      oldMask.close();
    }

    private static Memory zeroed(int bytes) {
      Memory m = new Memory(bytes);
      m.clear();
      return m;
    }

    private static void check(int rc) {
      if (rc != 0) {
        throw new IllegalStateException("signal set-up failed: " + Native.getLastError());
      }
    }
  }
}
