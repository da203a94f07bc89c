package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every mistake on the command line exits with 2 and one line on stderr, before anything is sent:
 * no daemon runs here and autostart is off, so reaching the daemon would exit with 3 instead.
 */
class UsageErrorsTest {
  @TempDir Path home;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      start                                              | give the name of a defined process
      start a b                                          | start takes one NAME
      start --name web                                   | give the command to run
      start web --cmd x                                  | give the name with --name
      start --name web --cmd x -- prog                   | either with --cmd or after --, not both
      start --name web --cmd x extra                     | unexpected argument 'extra'
      start --name web --                                | nothing follows --
      start --name web --cmd ' '                         | --cmd is empty
      start --name web --shell -- prog arg               | --shell works with --cmd only
      start --name web --cmd x --env 1A=b                | '1A' is not a valid variable name
      start --name web --cmd x --env A-B=c               | 'A-B' is not a valid variable name
      start --name web --cmd x --env NOVALUE             | --env needs KEY=VALUE
      start --name web --cmd x --env-file missing.env    | does not exist
      start --name web --cmd x --stop-timeout 5          | '5' is not a duration
      start --name web --cmd x --stop-timeout 5x         | use a whole number with a unit: 250ms, 5s
      start --name web --cmd x --stop-timeout 2d         | --stop-timeout 2d is too long: at most 1d
      start --name web --cmd x --stop-signal ' '         | --stop-signal is empty
      start --name web --cmd x --bogus                   | Unknown option: '--bogus'
      start --name web --cmd x --restart sometimes       | is not a restart mode: use always, on-failure or never
      start --name web --cmd x --restart Always          | is not a restart mode
      start --name web --cmd x --jitter 1.5              | is not a jitter: use a fraction from 0 to 1
      start --name web --cmd x --jitter -0.1             | is not a jitter
      start --name web --cmd x --jitter NaN              | is not a jitter
      start --name web --cmd x --backoff-factor 0.5      | is not a backoff factor: use a number of 1 or more
      start --name web --cmd x --backoff-factor 1e3      | is not a backoff factor
      start --name web --cmd x --backoff linear          | is not a backoff: use exponential or fixed
      start --name web --cmd x --success-exit-codes 0,300 | Invalid value for option '--success-exit-codes'
      start --name web --cmd x --success-exit-codes 0,300 | is not an exit code: use whole numbers from 0 to 255
      start --name web --cmd x --success-exit-codes a    | is not an exit code
      start --name web --cmd x --retries -2              | is not a number of retries: use 0 or more, or unlimited
      start --name web --cmd x --retries forever         | is not a number of retries
      start --name web --cmd x --retries 3 --retries 4   | should be specified only once
      start --name web --cmd x --delay 5x                | Invalid value for option '--delay'
      start --name web --cmd x --min-uptime 5            | is not a duration: use a whole number with a unit
      start --name web --cmd x --cooldown later          | or none for no cooldown
      start --name web --cmd x --delay 10s --max-delay 1s | --max-delay 1s is shorter than --delay 10s
      start web --restart always --retries unlimited     | use: sentinel restart-policy --name web --restart always --retries unlimited
      start --jitter 0.5                                 | sentinel restart-policy --name NAME --jitter 0.5
      start --name w --cmd x --health-cmd c --health-tcp h:1 | a process has one health check: give one of
      start --name w --cmd x --health-tcp h:1 --health-http http://h/ | not --health-tcp and --health-http
      start --name w --cmd x --health-cmd a --health-cmd b | should be specified only once
      start --name w --cmd x --health-tcp localhost      | 'localhost' is not HOST:PORT: use a host and a port from 1 to 65535
      start --name w --cmd x --health-tcp localhost:0    | is not HOST:PORT
      start --name w --cmd x --health-tcp localhost:65536 | is not HOST:PORT
      start --name w --cmd x --health-tcp :5432          | is not HOST:PORT
      start --name w --cmd x --health-tcp db:port        | Invalid value for option '--health-tcp'
      start --name w --cmd x --health-http localhost:8080 | 'localhost:8080' is not an http URL: use one starting with http:// or https://
      start --name w --cmd x --health-http ftp://h/      | is not an http URL
      start --name w --cmd x --health-http http://       | is not an http URL
      start --name w --cmd x --health-http 'http://h/a b' | is not an http URL
      start --name w --cmd x --health-http http://h/ --health-retries 0 | '0' is not a number of health retries: use a whole number of 1 or more
      start --name w --cmd x --health-http http://h/ --health-retries -1 | is not a number of health retries
      start --name w --cmd x --health-http http://h/ --health-action kill | 'kill' is not a health action: use restart, stop or none
      start --name w --cmd x --health-http http://h/ --health-interval 5 | '5' is not a duration
      start --name w --cmd x --health-interval 10s       | --health-interval tunes a health check: give the check too, with --health-cmd COMMAND
      start --name w --cmd x --health-action stop        | --health-action tunes a health check
      start --name w --cmd x --health-shell              | --health-shell works with --health-cmd only
      start --name w --cmd x --health-cmd ' '            | --health-cmd is empty
      start web --health-tcp localhost:5432              | to set the health check of a defined process use: sentinel health --name web --health-tcp localhost:5432
      start web --health-interval 10s                    | use: sentinel health --name web (--health-cmd COMMAND, --health-tcp HOST:PORT or --health-http URL) --health-interval 10s
      health --name w                                    | give the health check to set, with --health-cmd COMMAND, --health-tcp HOST:PORT or --health-http URL, or --none to remove it
      health --name w --health-interval 10s              | give the health check to set
      health --name w --health-tcp h:1 --health-http http://h/ | a process has one health check
      health --name w --health-tcp h                     | is not HOST:PORT
      health --name w --health-http www.example.com      | is not an http URL
      health --name w --health-tcp h:1 --health-retries 0 | is not a number of health retries
      health --name w --none --health-tcp h:1            | --none removes the health check: give it alone
      health --name w --none --health-shell              | --none removes the health check
      health --health-tcp h:1                            | Missing required option: '--name=NAME'
      health --name w w --none                           | Unmatched argument
      start --name w --cmd x --max-memory 0              | '0' is below the smallest memory limit, 1M: use a number of bytes, or one with a unit K, M, G or T
      start --name w --cmd x --max-memory 100K           | '100K' is below the smallest memory limit, 1M
      start --name w --cmd x --max-memory 800K           | is below the smallest memory limit
      start --name w --cmd x --max-memory -1M            | '-1M' is not a size: use a number of bytes, or one with a unit K, M, G or T
      start --name w --cmd x --max-memory 12X            | '12X' is not a size
      start --name w --cmd x --max-memory 1M2            | '1M2' is not a size
      start --name w --cmd x --max-memory 1.5            | '1.5' is not a size
      start --name w --cmd x --max-memory 99999999999T   | is too large a size
      start --name w --cmd x --max-memory 512M --max-memory 1G | should be specified only once
      start --name w --cmd x --max-cpu 0                 | '0' is not a CPU percentage: use a number above 0, in percent of one core
      start --name w --cmd x --max-cpu -5                | is not a CPU percentage
      start --name w --cmd x --max-cpu lots              | Invalid value for option '--max-cpu'
      start --name w --cmd x --max-cpu 50 --limit-for 30 | '30' is not a duration
      start --name w --cmd x --max-cpu 50 --limit-action kill | 'kill' is not a limit action: use restart, stop or log
      start --name w --cmd x --limit-for 1m              | --limit-for tunes resource limits: give a limit too, with --max-memory SIZE, --max-cpu PERCENT or both
      start --name w --cmd x --limit-action log          | --limit-action tunes resource limits
      start --name w --cmd x --limit-for 1m --limit-action stop | --limit-for tunes resource limits
      start web --max-memory 512M                        | to set the limits of a defined process use: sentinel limits --name web --max-memory 512M
      start web --max-cpu 150% --limit-for 1m            | use: sentinel limits --name web --max-cpu 150 --limit-for 1m
      start web --limit-action log                       | use: sentinel limits --name web (--max-memory SIZE, --max-cpu PERCENT or both) --limit-action log
      start --max-memory 1G                              | use: sentinel limits --name NAME --max-memory 1G
      limits --name w                                    | give the limits to set, with --max-memory SIZE, --max-cpu PERCENT or both, or --none to remove them
      limits --name w --limit-for 1m                     | give the limits to set
      limits --name w --limit-action stop                | give the limits to set
      limits --name w --max-memory 12X                   | '12X' is not a size
      limits --name w --max-memory 100K                  | is below the smallest memory limit, 1M
      limits --name w --max-cpu 0%                       | is not a CPU percentage
      limits --name w --max-cpu 50 --limit-action none   | is not a limit action
      limits --name w --none --max-cpu 50                | --none removes the resource limits: give it alone
      limits --name w --none --limit-for 1m              | --none removes the resource limits
      limits --max-cpu 50                                | Missing required option: '--name=NAME'
      limits --name w w --none                           | Unmatched argument
      restart-policy --name web                          | give at least one restart-policy option to change
      restart-policy --retries 3                         | Missing required option: '--name=NAME'
      restart-policy --name web --max-delay 5x           | Invalid value for option '--max-delay'
      restart-policy --name web --restart bogus          | is not a restart mode
      status --bogus                                     | Unknown option: '--bogus'
      status a b                                         | Unmatched argument
      --bogus                                            | Unknown option: '--bogus'
      frobnicate                                         | unknown command 'frobnicate'
      stauts                                             | did you mean
      stop                                               | Missing required parameter: 'NAME'
      restart                                            | Missing required parameter: 'NAME'
      remove                                             | Missing required parameter: 'NAME'
      logs                                               | Missing required parameter: 'NAME'
      logs web --tail -1                                 | --tail must be 0 or more
      logs web --tail many                               | Invalid value for option '--tail'
      logs web --stdout --stderr                         | give --stdout or --stderr, not both
      events --limit 0                                   | --limit must be from 1 to 10000, got 0
      events --limit 10001                               | --limit must be from 1 to 10000, got 10001
      events --limit many                                | Invalid value for option '--limit'
      events --since yesterday                           | --since 'yesterday' is not a time: use an instant
      events --since 10                                  | a duration ago (10m, 1h30m, 2d)
      events --since 2026-02-30                          | '2026-02-30' is not a time
      events --since                                     | Missing required parameter for option '--since'
      events --name ''                                   | --name is empty
      events web                                         | Unmatched argument
      daemon frobnicate                                  | unknown command 'frobnicate'
      schedule                                           | give a job to schedule (sentinel schedule --name NAME --cron EXPR --cmd COMMAND) or a command: list, enable, disable, remove or run
      schedule bogus                                     | unknown command 'bogus': use list, enable, disable, remove or run
      schedule --cron @daily --cmd x                     | give the job's name with --name
      schedule --name b --cmd x                          | a schedule needs a trigger: give one of --cron EXPR, --every DURATION or --at TIME
      schedule --name b --cron @daily --every 1h --cmd x | give only one of --cron, --every and --at
      schedule --name b --every 1h --at 2026-12-01T02:00 --cmd x | give only one of --cron, --every and --at
      schedule --name b --cron @daily                    | give the command to run: --cmd "COMMAND LINE" or -- PROGRAM ARG...
      schedule --name b --cron @daily --cmd x -- prog    | either with --cmd or after --, not both
      schedule --name b --cron @daily --                 | nothing follows --
      schedule --name b --cron @daily --shell -- prog    | --shell works with --cmd only
      schedule --name b --cron ' ' --cmd x               | the cron expression is empty
      schedule --name b --at ' ' --cmd x                 | the --at time is empty
      schedule --name b --cron @daily --tz ' ' --cmd x   | the time zone is empty
      schedule --name b --every 5 --cmd x                | Invalid value for option '--every': '5' is not a duration
      schedule --name b --every 1x --cmd x               | is not a duration: use a whole number with a unit
      schedule --name b --every 50ms --cmd x             | --every 50ms is too short: at least 100ms
      schedule --name b --every 0 --cmd x                | --every 0s is too short
      schedule --name b --cron @daily --overlap sometimes --cmd x | 'sometimes' is not an overlap policy: use skip, queue, replace or allow
      schedule --name b --cron @daily --overlap Skip --cmd x | is not an overlap policy
      schedule --name b --cron @daily --catch-up all --cmd x | 'all' is not a catch-up mode: use once or none
      schedule --name b --cron @daily --catch-up-window 1 --cmd x | Invalid value for option '--catch-up-window'
      schedule --name b --cron 0 2 * * * --cmd x         | unexpected argument '2': quote the cron expression, as in --cron '0 2 * * *'
      schedule --name b --every 1h prog arg              | unexpected argument 'prog': put the program and its arguments after --, as in sentinel schedule --name b TRIGGER -- PROGRAM ARG...
      schedule --name b --every 1h --cmd x --retries -2  | is not a number of retries
      schedule --name b --every 1h --cmd x --health-interval 10s | --health-interval tunes a health check
      schedule --name b --every 1h --cmd x --limit-for 1m | --limit-for tunes resource limits
      schedule --name b --every 1h --cmd x --stop-timeout 2d | --stop-timeout 2d is too long
      schedule --name b --every 1h --cmd x --env A-B=c   | 'A-B' is not a valid variable name
      schedule --name b --every 1h --cmd x --bogus       | Unknown option: '--bogus'
      schedule --name b --every 1h --every 2h --cmd x    | should be specified only once
      schedule list a b                                  | Unmatched argument
      schedule list --bogus                              | Unknown option: '--bogus'
      schedule enable                                    | Missing required parameter: 'NAME'
      schedule disable                                   | Missing required parameter: 'NAME'
      schedule remove                                    | Missing required parameter: 'NAME'
      schedule run                                       | Missing required parameter: 'NAME'
      schedule run a b                                   | Unmatched argument
      upcoming --count 0                                 | --count must be from 1 to 1000, got 0
      upcoming --count 1001                              | --count must be from 1 to 1000, got 1001
      upcoming --count many                              | Invalid value for option '--count'
      upcoming a b                                       | Unmatched argument
      history                                            | Missing required parameter: 'NAME'
      history web --limit 0                              | --limit must be from 1 to 10000, got 0
      history web --limit 10001                          | --limit must be from 1 to 10000, got 10001
      history web --limit x                              | Invalid value for option '--limit'
      history a b                                        | Unmatched argument
      """)
  void usageError_exits2_withOneLineOnStderr(String commandLine, String expected) {
    Cli.Result result = Cli.run(Cli.context(home), words(commandLine));

    assertThat(result.exit()).as(result.toString()).isEqualTo(2);
    assertThat(result.out()).as(result.toString()).isEmpty();
    assertThat(result.errLines()).as(result.toString()).hasSize(1);
    assertThat(result.err()).startsWith("sentinel: ").contains(expected);
  }

  /** A job without a trigger: the whole message, naming the three triggers. */
  @Test
  void scheduleWithoutTrigger_saysWhichTriggersThereAre() {
    Cli.Result result =
        Cli.run(Cli.context(home), "schedule", "--name", "backup", "--", "./backup.sh");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            "sentinel: a schedule needs a trigger: give one of --cron EXPR, --every DURATION or"
                + " --at TIME\n");
  }

  /** The brief's example of a bad duration: the whole message, with every accepted form. */
  @Test
  void badDuration_listsTheAcceptedForms() {
    Cli.Result result =
        Cli.run(Cli.context(home), "start", "--name", "web", "--cmd", "x", "--delay", "5x");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "sentinel: Invalid value for option '--delay': '5x' is not a duration: use a whole"
                + " number with a unit: 250ms, 5s, 10m, 5h, 1d, or several from the largest unit"
                + " to the smallest, like 1h30m (or 0) (see: sentinel start --help)\n");
  }

  @Test
  void restartOptionsOnAnExistingProcess_pointToRestartPolicy() {
    Cli.Result result = Cli.run(Cli.context(home), "start", "web", "--retries", "3");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "sentinel: restart-policy options belong to a definition (sentinel start --name NAME"
                + " --cmd COMMAND ...); to change the policy of a defined process use: sentinel"
                + " restart-policy --name web --retries 3\n");
  }

  @Test
  void healthOptionsOnAnExistingProcess_pointToHealth_quotingTheCommand() {
    Cli.Result result =
        Cli.run(
            Cli.context(home), "start", "web", "--health-cmd", "curl -f localhost:8080",
            "--health-retries", "2");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            "sentinel: health-check options belong to a definition (sentinel start --name NAME"
                + " --cmd COMMAND ...); to set the health check of a defined process use: sentinel"
                + " health --name web --health-cmd 'curl -f localhost:8080' --health-retries 2\n");
  }

  /** A bad size: the whole message, with every accepted form. */
  @Test
  void badSize_listsTheAcceptedForms() {
    Cli.Result result =
        Cli.run(Cli.context(home), "start", "--name", "w", "--cmd", "x", "--max-memory", "12X");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            "sentinel: Invalid value for option '--max-memory': '12X' is not a size: use a number"
                + " of bytes, or one with a unit K, M, G or T (powers of 1024; a trailing B or iB"
                + " is allowed), like 512M, 2G, 1.5G or 1536KiB; at least 1M (see: sentinel start"
                + " --help)\n");
  }

  @Test
  void limitOptionsOnAnExistingProcess_pointToLimits() {
    Cli.Result result =
        Cli.run(
            Cli.context(home), "start", "my web", "--max-memory", "1.5G", "--max-cpu", "150",
            "--limit-action", "stop");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            "sentinel: resource-limit options belong to a definition (sentinel start --name NAME"
                + " --cmd COMMAND ...); to set the limits of a defined process use: sentinel"
                + " limits --name 'my web' --max-memory 1536M --max-cpu 150 --limit-action stop\n");
  }

  @Test
  void usageError_withJson_printsErrorObjectOnStdout() {
    Cli.Result result = Cli.run(Cli.context(home), "start", "--json", "--name", "web");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.errLines()).hasSize(1);
    assertThat(errorOf(result)).containsEntry("code", "invalid_argument");
  }

  @Test
  void parseError_withJson_printsErrorObjectOnStdout() {
    Cli.Result result = Cli.run(Cli.context(home), "--json", "status", "--bogus");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(errorOf(result)).containsEntry("code", "invalid_argument");
    assertThat((String) errorOf(result).get("message")).contains("--bogus");
  }

  @Test
  void malformedEnvFileLine_namesFileAndLine_butNotTheValue() throws Exception {
    Path file = home.resolve("app.env");
    Files.writeString(file, "# settings\nGOOD=1\n\nTOKEN=\"s3cret\n");

    Cli.Result result =
        Cli.run(Cli.context(home), "start", "--name", "web", "--cmd", "x", "--env-file", "app.env");

    assertThat(result.exit()).as(result.toString()).isEqualTo(2);
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.err()).contains(file + " line 4").contains("TOKEN").doesNotContain("s3cret");
  }

  @Test
  void envFileLineWithoutEquals_isAnError() throws Exception {
    Files.writeString(home.resolve("app.env"), "A=1\njust words\n");

    Cli.Result result =
        Cli.run(Cli.context(home), "start", "--name", "web", "--cmd", "x", "--env-file", "app.env");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("app.env line 2: expected KEY=VALUE");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> errorOf(Cli.Result result) {
    try {
      return (Map<String, Object>) Json.parseObject(result.out()).get("error");
    } catch (Exception e) {
      throw new AssertionError("stdout is not one JSON object:\n" + result, e);
    }
  }

  /** Splits on spaces; a word in single quotes keeps its spaces. */
  static String[] words(String commandLine) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    boolean quoted = false;
    for (char c : commandLine.strip().toCharArray()) {
      if (c == '\'') {
        quoted = !quoted;
        if (word == null) {
          word = new StringBuilder();
        }
      } else if (c == ' ' && !quoted) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        if (word == null) {
          word = new StringBuilder();
        }
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words.toArray(new String[0]);
  }
}
