package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

class CdsTrainingTest {
  /** The archive-recording run swallows failures, so a sample that stopped parsing shows here. */
  @Test
  void warmUp_parsesEverySampleAndRendersEveryHelpPage() {
    assertThatCode(CdsTraining::exercise).doesNotThrowAnyException();
  }
}
