package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Help, version, and the lazy building of the command tree that keeps start-up short. */
class CommandTreeTest {
  @TempDir Path home;

  @ParameterizedTest(name = "[{0}] registers [{1}]")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      status --json                 | status
      --json status                 | status
      --home /x --json logs web -f  | logs
      events -f --since 10m         | events
      --home=/x start --name a -- b | start
      daemon status                 | daemon
      restart-policy --name a --retries 3 | restart-policy
      health --name a --none        | health
      limits --name a --none        | limits
      --json restart-policy --help  | restart-policy
      schedule list                 | schedule
      upcoming --count 3            | upcoming
      history backup --limit 5      | history
      --help                        | start stop restart restart-policy health limits remove list status logs events schedule upcoming history daemon
      ''                            | start stop restart restart-policy health limits remove list status logs events schedule upcoming history daemon
      bogus                         | start stop restart restart-policy health limits remove list status logs events schedule upcoming history daemon
      -- status                     | start stop restart restart-policy health limits remove list status logs events schedule upcoming history daemon
      """)
  void registersOnlyTheCommandNamed(String args, String expected) {
    CommandLine tree = SentinelCommand.commandLine(UsageErrorsTest.words(args), Cli.context(home));
    assertThat(String.join(" ", tree.getSubcommands().keySet())).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{0}] registers daemon [{1}]")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      daemon stop                  | stop
      --json daemon --json status  | status
      daemon --help                | start stop status run
      daemon                       | start stop status run
      daemon bogus                 | start stop status run
      """)
  void registersOnlyTheDaemonCommandNamed(String args, String expected) {
    CommandLine tree = SentinelCommand.commandLine(UsageErrorsTest.words(args), Cli.context(home));
    CommandLine daemon = tree.getSubcommands().get("daemon");
    assertThat(String.join(" ", daemon.getSubcommands().keySet())).isEqualTo(expected);
  }

  /**
   * {@code schedule} runs itself and is a group: a subcommand named right after it is the only one
   * registered; the defining form registers none; help and mistakes get them all.
   */
  @ParameterizedTest(name = "[{0}] registers schedule [{1}]")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      schedule list                                  | list
      --json schedule --home /x run backup           | run
      schedule --json list backup                    | list
      schedule disable list                          | disable
      schedule --name backup --cron @daily --cmd x   | ''
      schedule --every 1m --name list --cmd x        | ''
      schedule --name list -- prog                   | ''
      schedule --help                                | list enable disable remove run
      schedule                                       | list enable disable remove run
      schedule bogus                                 | list enable disable remove run
      --help                                         | list enable disable remove run
      """)
  void registersOnlyTheScheduleCommandNamed(String args, String expected) {
    CommandLine tree = SentinelCommand.commandLine(UsageErrorsTest.words(args), Cli.context(home));
    CommandLine schedule = tree.getSubcommands().get("schedule");
    assertThat(String.join(" ", schedule.getSubcommands().keySet())).isEqualTo(expected);
  }

  /** A job may be named like a subcommand: as the value of --name it is no subcommand. */
  @Test
  void jobNamedLikeASubcommand_isDefined() throws Exception {
    try (FakeServer server =
        FakeServer.start(
            home, FakeServer.answering(ScheduleCommandTest.scheduleResult(ScheduleCommandTest.backup())))) {
      Cli.Result result =
          Cli.run(Cli.context(home), "schedule", "--name", "list", "--cron", "@daily", "--cmd", "x");

      assertThat(result.exit()).as(result.toString()).isZero();
      assertThat(server.requests()).hasSize(1);
      assertThat(server.requests().get(0)).containsEntry("cmd", "schedule");
    }
  }

  @Test
  void help_listsEveryCommand_onStdout() {
    Cli.Result result = Cli.run(Cli.context(home), "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .startsWith("Usage: sentinel ")
        .contains("--home=DIR", "--json", "Exit codes: 0 success")
        .containsPattern("(?m)^  start +Define a process")
        .containsPattern("(?m)^  schedule +Run a command on a schedule")
        .containsPattern("(?m)^  upcoming +Show the next fire times")
        .containsPattern("(?m)^  history +Show the latest runs")
        .containsPattern("(?m)^  daemon +Start, stop");
  }

  @Test
  void startHelp_showsTheThreeForms() {
    Cli.Result result = Cli.run(Cli.context(home), "start", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .contains("sentinel start --name NAME --cmd COMMAND [OPTIONS]")
        .contains("sentinel start --name NAME [OPTIONS] -- PROGRAM [ARG...]")
        .contains("sentinel start NAME")
        .contains("--stop-timeout=DURATION")
        .contains("--json");
  }

  @Test
  void daemonHelp_listsItsCommands() {
    Cli.Result result = Cli.run(Cli.context(home), "daemon", "-h");

    assertThat(result.exit()).isZero();
    assertThat(result.out()).containsPattern("(?m)^  start ").containsPattern("(?m)^  run ");
  }

  @Test
  void version_namesTheBuildAndProtocol() {
    Cli.Result result = Cli.run(Cli.context(home), "-V");

    assertThat(result.exit()).isZero();
    assertThat(result.out()).matches("sentinel \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(protocol 1\\)\n");
  }

  @Test
  void noCommand_printsUsageOnStderr_andExits2() {
    Cli.Result result = Cli.run(Cli.context(home));

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).startsWith("Usage: sentinel ");
  }
}
