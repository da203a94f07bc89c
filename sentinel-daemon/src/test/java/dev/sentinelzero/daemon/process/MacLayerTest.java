package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The decisions and decoding of the macOS layer, run on any machine (issue #14, "The macOS layer,
 * against Apple's sources"): each case names the xnu source it follows.
 */
class MacLayerTest {

  /** A proc_bsdshortinfo as bsd/sys/proc_info.h lays it out (native order). */
  private static ByteBuffer shortInfo(int pid, int ppid, int pgid, int status) {
    ByteBuffer b = ByteBuffer.allocate(MacShortInfo.SIZE).order(ByteOrder.nativeOrder());
    b.putInt(0, pid).putInt(4, ppid).putInt(8, pgid).putInt(12, status);
    b.put(16, (byte) 's').put(17, (byte) 'l'); // pbsi_comm
    b.putInt(36, 501); // pbsi_uid: another user's would be answered the same way
    return b;
  }

  @Test
  void shortBsdInfo_givesPidGroupAndStatus_andOnlyForAWholeStructure() {
    MacShortInfo info = MacShortInfo.decode(shortInfo(4242, 1, 4200, 2), 64);
    assertThat(info).isEqualTo(new MacShortInfo(4242, 4200, 2));
    assertThat(info.live()).isTrue();
    assertThat(info.liveMemberOf(4200)).isTrue();
    assertThat(info.liveMemberOf(4242)).isFalse();
    assertThat(MacShortInfo.decode(shortInfo(4242, 1, 4200, 2), 0)).isNull(); // ESRCH, EPERM
    assertThat(MacShortInfo.decode(shortInfo(4242, 1, 4200, 2), 136)).isNull();
  }

  @Test
  void shortBsdInfo_ofAZombie_isNotALiveMember() {
    MacShortInfo zombie = MacShortInfo.decode(shortInfo(4242, 1, 4200, MacShortInfo.SZOMB), 64);
    assertThat(zombie.live()).isFalse();
    assertThat(zombie.liveMemberOf(4200)).isFalse();
  }

  @Test
  void release_below11_isRefusedWithAClearMessage() {
    // waitid's si_status on 10.15 (xnu-6153) is WEXITSTATUS even for a killed child.
    assertThat(MacRelease.refusal("19.6.0"))
        .contains("macOS 11")
        .contains("Darwin 19.6.0")
        .contains("macOS 10.15");
    assertThat(MacRelease.refusal("18.7.0")).contains("macOS 10.14");
  }

  @Test
  void release_11AndLater_isAccepted_andAnUnreadableOneIsNotRefusedOnAGuess() {
    assertThat(MacRelease.refusal("20.1.0")).isNull();
    assertThat(MacRelease.refusal("23.4.0\n")).isNull();
    assertThat(MacRelease.refusal("25.0.0")).isNull();
    assertThat(MacRelease.refusal(null)).isNull();
    assertThat(MacRelease.refusal("Darwin")).isNull();
    assertThat(MacRelease.darwinMajor("19.6.0")).isEqualTo(19);
  }

  @Test
  void exitNote_asksForTheStatus_andFallsBackWithoutIt_onEacces() {
    // filt_procattach (bsd/kern/kern_event.c): NOTE_EXITSTATUS is EACCES unless the caller is the
    // parent or may signal the target.
    List<Integer> asked = new ArrayList<>();
    int error =
        MacExitPoller.register(
            notes -> {
              asked.add(notes);
              return (notes & MacLibc.NOTE_EXITSTATUS) != 0 ? Errno.EACCES : 0;
            });
    assertThat(error).isZero();
    assertThat(asked)
        .containsExactly(MacLibc.NOTE_EXIT | MacLibc.NOTE_EXITSTATUS, MacLibc.NOTE_EXIT);

    asked.clear();
    assertThat(MacExitPoller.register(notes -> asked.add(notes) ? 0 : 1)).isZero();
    assertThat(asked).containsExactly(MacLibc.NOTE_EXIT | MacLibc.NOTE_EXITSTATUS);

    assertThat(MacExitPoller.register(notes -> Errno.ESRCH)).isEqualTo(Errno.ESRCH);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void exitStatus_ofAnAdoptedProcess_isTheOneTheEventCarried_elseUnknown() {
    LinuxOs decoder = new LinuxOs(); // wait(2) status words are laid out alike on both systems
    ExitStatus killed =
        ExitWatcher.statusOf(false, 9, decoder::decodeWaitStatus, () -> {
          throw new AssertionError("waitid is for our children only");
        });
    assertThat(killed).isEqualTo(new ExitStatus.Killed(decoder.signals().byNumber(9), false));
    assertThat(ExitWatcher.statusOf(false, 3 << 8, decoder::decodeWaitStatus, () -> null))
        .isEqualTo(new ExitStatus.Exited(3));
    assertThat(ExitWatcher.statusOf(false, ExitPoller.NO_STATUS, decoder::decodeWaitStatus, () -> null))
        .isEqualTo(new ExitStatus.Unknown());
    assertThat(
            ExitWatcher.statusOf(
                true, ExitPoller.NO_STATUS, decoder::decodeWaitStatus, () -> new ExitStatus.Exited(4)))
        .isEqualTo(new ExitStatus.Exited(4));
  }

  @Test
  void detach_loadsLibSystemOnMacOs() {
    assertThat(Detach.libraryName(true)).isEqualTo("System");
    assertThat(Detach.libraryName(false)).isEqualTo("c");
  }

  @Test
  void outputPath_ofPathMaxBytesOrMore_isRefused_beforePosixSpawnCouldTruncateIt() {
    // posix_spawn_file_actions_addopen strlcpy's into psfao_path[PATH_MAX]
    // (libsyscall/wrappers/spawn/posix_spawn.c).
    int max = MacLibc.PATH_MAX - 1;
    String dir = "/tmp/" + "d".repeat(1000);
    java.nio.file.Path fits = java.nio.file.Path.of(dir, "x".repeat(max - dir.length() - 1));
    java.nio.file.Path tooLong = java.nio.file.Path.of(dir, "x".repeat(max - dir.length()));
    assertThat(fits.toString()).hasSize(max);
    assertThat(LaunchFailures.refuseOutput(fits, max)).isNull();
    assertThat(LaunchFailures.refuseOutput(tooLong, max))
        .isEqualTo(
            "the output file path "
                + tooLong
                + " is 1024 bytes long; this system opens paths of at most 1023 bytes: use a"
                + " shorter home or logs directory (SENTINEL_HOME) or a shorter --name");
  }
}
