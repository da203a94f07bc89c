package dev.sentinelzero.daemon;

import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.SentinelPaths;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The daemon's entry point: {@code sentinel [--home DIR] daemon run [--home DIR] [--detach]}, the
 * same words as the CLI's command, so that {@code bin/sentinel} can exec the daemon directly for
 * launchd and systemd. Exit codes: 0 after a clean stop, 1 when it cannot start, 2 for bad usage.
 */
@Command(name = "sentinel", subcommands = Main.DaemonCommand.class, mixinStandardHelpOptions = false)
public final class Main {
  @Option(names = "--home", description = "The state directory (default: $SENTINEL_HOME, then the platform's).")
  String home;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(
        (e, a) -> {
          e.getCommandLine().getErr().println("sentinel: " + e.getMessage());
          return 2;
        });
    return cli.execute(args);
  }

  @Command(name = "daemon", subcommands = RunCommand.class)
  static final class DaemonCommand {
    @CommandLine.ParentCommand Main main;
  }

  @Command(name = "run", description = "Run the daemon in the foreground.")
  static final class RunCommand implements Callable<Integer> {
    @CommandLine.ParentCommand DaemonCommand parent;

    @Option(names = "--home", description = "The state directory.")
    String home;

    @Option(names = "--detach", description = "Leave the terminal's session; close stdout/stderr once ready.")
    boolean detach;

    @Override
    public Integer call() {
      String chosen = home != null ? home : parent.main.home;
      SentinelPaths paths;
      try {
        paths = SentinelPaths.forCurrentUser(chosen);
      } catch (ProtocolException e) {
        System.err.println("sentinel: " + e.getMessage());
        return 2;
      }
      return Daemon.run(paths, detach);
    }
  }
}
