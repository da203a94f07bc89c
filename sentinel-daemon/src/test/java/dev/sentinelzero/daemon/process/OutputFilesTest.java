package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue #12, "The file system": a process's output file is never opened through a symbolic link
 * planted at its path; the launch fails with a message naming the path, and the link's target is
 * neither written nor created.
 */
class OutputFilesTest extends RealProcessTest {

  private LaunchSpec writingTo(Path stdout) {
    return new LaunchSpec(
        Path.of("/bin/sh"), List.of("sh", "-c", "echo secret"), ENV, dir, stdout, dir.resolve("err.log"));
  }

  @Test
  void spawn_refusesADanglingSymlinkAtTheOutputPath_andCreatesNothing() throws Exception {
    Path target = dir.resolve("elsewhere").resolve("created.txt");
    Files.createDirectories(target.getParent());
    Path log = dir.resolve("web.out.log");
    Files.createSymbolicLink(log, target);

    assertThatThrownBy(() -> spawn(writingTo(log)))
        .isInstanceOf(LaunchException.class)
        .hasMessage(
            "the output file "
                + log
                + " is a symbolic link; output is never written through a link: remove it (rm "
                + log
                + ") and start again");
    assertThat(target).doesNotExist();
  }

  @Test
  void spawn_refusesASymlinkToAnExistingFile_andLeavesTheFileAlone() throws Exception {
    Path target = dir.resolve("precious.txt");
    Files.writeString(target, "keep me\n");
    Path log = dir.resolve("web.err.log");
    Files.createSymbolicLink(log, target);
    LaunchSpec spec =
        new LaunchSpec(
            Path.of("/bin/sh"), List.of("sh", "-c", "echo oops >&2"), ENV, dir, dir.resolve("out.log"), log);

    assertThatThrownBy(() -> spawn(spec))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining(log + " is a symbolic link");
    assertThat(Files.readString(target)).isEqualTo("keep me\n");
  }

  @Test
  void theNoFollowFlag_isTheCLibrarysValue_forThisArchitecture() throws Exception {
    assertThat(LinuxLibc.noFollowFlag("amd64")).isEqualTo(0400000);
    assertThat(LinuxLibc.noFollowFlag("aarch64")).isEqualTo(0100000);
    assertThat(LinuxLibc.noFollowFlag("sparcv9")).isEqualTo(-1);
    // Cross-checked against the C headers' value as Python's os module has it, where present.
    Process python =
        new ProcessBuilder("python3", "-c", "import os; print(os.O_NOFOLLOW)")
            .redirectErrorStream(true)
            .start();
    String out = new String(python.getInputStream().readAllBytes()).strip();
    org.junit.jupiter.api.Assumptions.assumeTrue(python.waitFor() == 0, "python3 is not installed");
    assertThat(LinuxLibc.O_NOFOLLOW).isEqualTo(Integer.parseInt(out));
  }

  @Test
  void eloopAtSpawn_isDescribedAsALinkAtTheOutputPath() throws Exception {
    Path log = dir.resolve("late.out.log");
    Files.createSymbolicLink(log, dir.resolve("t"));
    LaunchSpec spec = writingTo(log);
    assertThat(LaunchFailures.describe(40, spec, 11, 40, n -> "?"))
        .isEqualTo(
            "the output file "
                + log
                + " is a symbolic link (it appeared while starting); output is never written"
                + " through a link: remove it and start again");
  }
}
