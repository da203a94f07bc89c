package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CdsTrainingTest {
  /** The archive-recording run swallows failures, so a sample that stopped parsing shows here. */
  @Test
  void warmUp_parsesEverySampleAndRendersEveryHelpPage() {
    assertThatCode(CdsTraining::exercise).doesNotThrowAnyException();
  }

  /** A command without a sample would leave its parsing classes out of the archive. */
  @Test
  void everyCommandAndSubcommand_hasASample() {
    Set<String> trained = new TreeSet<>();
    for (String[] args : CdsTraining.SAMPLES) {
      CommandLine tree = SentinelCommand.commandLine(args, Context.system());
      List<CommandLine> parsed = tree.parseArgs(args).asCommandLineList();
      for (CommandLine command : parsed.subList(1, parsed.size())) {
        trained.add(command.getCommandSpec().qualifiedName(" ").substring("sentinel ".length()));
      }
    }
    List<String> all = new ArrayList<>();
    CommandLine tree = SentinelCommand.commandLine(new String[0], Context.system());
    for (CommandLine command : tree.getSubcommands().values()) {
      all.add(command.getCommandName());
      for (CommandLine sub : command.getSubcommands().values()) {
        all.add(command.getCommandName() + " " + sub.getCommandName());
      }
    }
    assertThat(all).contains("schedule list", "upcoming", "history");
    assertThat(trained).containsAll(all);
  }
}
