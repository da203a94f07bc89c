package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The run marker read from an environment (issue #9: what ties an escaped process to its run). */
class RunMarkTest {

  @Test
  void parse_readsHomeNameRunAndKind_andIgnoresOtherVariables() {
    RunMark mark =
        RunMark.parse(
            List.of(
                "PATH=/bin",
                "SENTINEL_HOME_ID=h1",
                "SENTINEL_NAME=web",
                "SENTINEL_RUN_ID=ab.7",
                "SENTINEL_OTHER=x"));
    assertThat(mark).isEqualTo(new RunMark("h1", "web", "ab.7", false));
    assertThat(RunMark.parse(List.of("SENTINEL_HOME_ID=h1", "SENTINEL_HEALTH_CHECK=1")).healthCheck())
        .isTrue();
  }

  @Test
  void parse_isNull_withoutAHome() {
    assertThat(RunMark.parse(List.of("SENTINEL_NAME=web", "SENTINEL_RUN_ID=1"))).isNull();
    assertThat(RunMark.parse(List.of("SENTINEL_HOME_ID=", "SENTINEL_NAME=web"))).isNull();
  }

  @Test
  void parse_ofARawBlock_decodesOnlyOurVariables_andToleratesACutShortEnd() {
    byte[] block =
        "A=1\0SENTINEL_HOME_ID=h1\0B=\u00e9\0SENTINEL_NAME=web\0SENTINEL_RUN_ID=r9\0SENTINEL_x"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(RunMark.parse(block, block.length)).isEqualTo(new RunMark("h1", "web", "r9", false));
    int cut = new String(block, StandardCharsets.UTF_8).indexOf("SENTINEL_RUN_ID") + 2;
    assertThat(RunMark.parse(block, cut)).isEqualTo(new RunMark("h1", "web", null, false));
  }

  @Test
  void sameRun_isTheRunId_soSiblingsOfOneNameAreApart() {
    RunMark a = new RunMark("h1", "backup", "x.1", false);
    assertThat(a.sameRun(new RunMark("h1", "backup", "x.1", false))).isTrue();
    assertThat(a.sameRun(new RunMark("h1", "backup", "x.2", false))).isFalse();
    assertThat(a.sameRun(new RunMark("h1", "backup", null, false))).isFalse();
    assertThat(a.sameRun(null)).isFalse();
  }

  @Test
  void sameRun_ofALegacyRun_isHomeNameAndKind_amongLegacyProcessesOnly() {
    RunMark legacy = new RunMark("h1", "web", null, false);
    assertThat(legacy.legacy()).isTrue();
    assertThat(legacy.sameRun(new RunMark("h1", "web", null, false))).isTrue();
    assertThat(legacy.sameRun(new RunMark("h1", "web", "new.1", false))).isFalse();
    assertThat(legacy.sameRun(new RunMark("h2", "web", null, false))).isFalse();
    assertThat(legacy.sameRun(new RunMark("h1", "api", null, false))).isFalse();
    assertThat(legacy.sameRun(new RunMark("h1", "web", null, true))).isFalse();
  }

  @Test
  void aRunLeader_leadsItsGroupButNoSession_soASetsidEscapeeIsNeverTakenForOne() {
    RunMark m = new RunMark("h1", "web", "r.1", false);
    java.time.Instant t = java.time.Instant.EPOCH;
    assertThat(new NativeOs.Marked(100, 100, 7, t, m).mayLeadARun()).isTrue(); // spawned leader
    assertThat(new NativeOs.Marked(101, 101, 101, t, m).mayLeadARun()).isFalse(); // setsid
    assertThat(new NativeOs.Marked(102, 100, 7, t, m).mayLeadARun()).isFalse(); // a member
  }
}
