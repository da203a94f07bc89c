package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which environments carry a home's marker: the rule Linux and macOS share. */
class MarkedNameTest {
  @Test
  void ourHomeAndAName_giveTheName() {
    assertThat(MarkedProcesses.markedName(List.of("A=1", "SENTINEL_NAME=web", "SENTINEL_HOME_ID=h1"), "h1"))
        .isEqualTo("web");
  }

  @Test
  void anotherHome_noHome_orNoName_giveNothing() {
    assertThat(MarkedProcesses.markedName(List.of("SENTINEL_HOME_ID=h2", "SENTINEL_NAME=web"), "h1")).isNull();
    assertThat(MarkedProcesses.markedName(List.of("SENTINEL_NAME=web"), "h1")).isNull();
    assertThat(MarkedProcesses.markedName(List.of("SENTINEL_HOME_ID=h1"), "h1")).isNull();
    assertThat(MarkedProcesses.markedName(List.of("SENTINEL_HOME_ID=h10", "SENTINEL_NAME=web"), "h1")).isNull();
  }

  @Test
  void aHealthCheck_isNotTheProcess() {
    assertThat(
            MarkedProcesses.markedName(
                List.of("SENTINEL_HOME_ID=h1", "SENTINEL_NAME=web", "SENTINEL_HEALTH_CHECK=1"), "h1"))
        .isNull();
  }
}
