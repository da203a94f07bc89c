package dev.sentinelzero.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The root command, and the one place that builds the command tree.
 *
 * <p>Start-up time matters here: picocli builds a command's model by reflection, which costs tens
 * of milliseconds per command (shared/PLATFORM.md). So {@link #commandLine} registers only the
 * subcommand named by the first word that is not an option (and, under {@code daemon}, only the
 * one named after it). When that word is missing or unknown, for help, usage or an error
 * message, it registers them all. {@code schedule} is a command of its own and a group: its
 * subcommand must come right after it (global options aside), and when it defines a job instead
 * ({@code schedule --name ...}) none of its subcommands is registered.
 */
@Command(
    name = "sentinel",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "COMMAND",
    description = {
      "Runs and watches your processes through a per-user daemon, which this command starts"
          + " when it is not running (unless SENTINEL_NO_AUTOSTART=1)."
    },
    footer = {
      "",
      "Exit codes: 0 success, 1 the operation failed, 2 usage error, 3 the daemon could not be"
          + " reached.",
      "Environment: SENTINEL_HOME (the home directory), SENTINEL_NO_AUTOSTART=1."
    })
final class SentinelCommand implements Callable<Integer> {
  /** The subcommands in the order help lists them. */
  static final String[] COMMANDS = {
    "start", "stop", "restart", "restart-policy", "health", "limits", "remove", "list", "status",
    "logs", "events", "schedule", "upcoming", "history", "daemon"
  };

  static final String[] DAEMON_COMMANDS = {"start", "stop", "status", "run"};

  static final String[] SCHEDULE_COMMANDS = {"list", "enable", "disable", "remove", "run"};

  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** The command tree for these arguments, with the error handlers installed. */
  static CommandLine commandLine(String[] args, Context context) {
    CommandLine root = new CommandLine(new SentinelCommand());
    int at = commandIndex(args, 0);
    if (at < 0 || !add(root, args[at], args, at, context)) {
      for (String name : COMMANDS) {
        add(root, name, args, -1, context);
      }
    }
    ExitCodes.install(root, args, context);
    CdsTraining.installIfRequested();
    return root;
  }

  /**
   * Adds one subcommand; false when the name is not a command. {@code at} is where the name stands
   * in {@code args}, or -1 when every subcommand is being added.
   */
  private static boolean add(
      CommandLine root, String name, String[] args, int at, Context context) {
    Object command;
    switch (name) {
      case "start":
        command = new StartCommand(context);
        break;
      case "stop":
        command = new StopCommand(context);
        break;
      case "restart":
        command = new RestartCommand(context);
        break;
      case "restart-policy":
        command = new RestartPolicyCommand(context);
        break;
      case "health":
        command = new HealthCommand(context);
        break;
      case "limits":
        command = new LimitsCommand(context);
        break;
      case "remove":
        command = new RemoveCommand(context);
        break;
      case "list":
        command = new ListCommand(context);
        break;
      case "status":
        command = new StatusCommand(context);
        break;
      case "logs":
        command = new LogsCommand(context);
        break;
      case "events":
        command = new EventsCommand(context);
        break;
      case "schedule":
        root.addSubcommand(name, scheduleCommandLine(args, at, context));
        return true;
      case "upcoming":
        command = new UpcomingCommand(context);
        break;
      case "history":
        command = new HistoryCommand(context);
        break;
      case "daemon":
        root.addSubcommand(name, daemonCommandLine(args, at, context));
        return true;
      default:
        return false;
    }
    root.addSubcommand(name, command);
    return true;
  }

  private static CommandLine daemonCommandLine(String[] args, int at, Context context) {
    CommandLine daemon = new CommandLine(new DaemonCommand());
    int sub = at < 0 ? -1 : commandIndex(args, at + 1);
    if (sub < 0 || !addDaemon(daemon, args[sub], context)) {
      for (String name : DAEMON_COMMANDS) {
        addDaemon(daemon, name, context);
      }
    }
    return daemon;
  }

  private static boolean addDaemon(CommandLine daemon, String name, Context context) {
    Object command;
    switch (name) {
      case "start":
        command = new DaemonStartCommand(context);
        break;
      case "stop":
        command = new DaemonStopCommand(context);
        break;
      case "status":
        command = new DaemonStatusCommand(context);
        break;
      case "run":
        command = new DaemonRunCommand(context);
        break;
      default:
        return false;
    }
    daemon.addSubcommand(name, command);
    return true;
  }

  /**
   * {@code schedule} with the subcommand named right after it (after global options only), or,
   * when none is named there: none for the defining form (an option other than the global and help
   * ones comes first), all of them otherwise (for help, usage or an error message).
   */
  private static CommandLine scheduleCommandLine(String[] args, int at, Context context) {
    CommandLine schedule = new CommandLine(new ScheduleCommand(context));
    if (at >= 0) {
      int sub = commandIndex(args, at + 1);
      if (sub >= 0
          && onlyGlobalOptions(args, at + 1, sub)
          && addSchedule(schedule, args[sub], context)) {
        return schedule;
      }
      if (definesAJob(args, at + 1)) {
        return schedule;
      }
    }
    for (String name : SCHEDULE_COMMANDS) {
      addSchedule(schedule, name, context);
    }
    return schedule;
  }

  private static boolean addSchedule(CommandLine schedule, String name, Context context) {
    Object command;
    switch (name) {
      case "list":
        command = new ScheduleListCommand(context);
        break;
      case "enable":
        command = new ScheduleEnableCommand(context);
        break;
      case "disable":
        command = new ScheduleDisableCommand(context);
        break;
      case "remove":
        command = new ScheduleRemoveCommand(context);
        break;
      case "run":
        command = new ScheduleRunCommand(context);
        break;
      default:
        return false;
    }
    schedule.addSubcommand(name, command);
    return true;
  }

  /** Whether {@code args[from..to)} are only {@code --json} and {@code --home DIR} options. */
  private static boolean onlyGlobalOptions(String[] args, int from, int to) {
    for (int i = from; i < to; i++) {
      if (args[i].equals("--home")) {
        i++;
      } else if (!args[i].equals("--json") && !args[i].startsWith("--home=")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether an option other than the global and help ones, or a {@code --}, comes from {@code
   * from} on: the command line defines a job.
   */
  private static boolean definesAJob(String[] args, int from) {
    for (int i = from; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--home")) {
        i++;
      } else if (arg.equals("--")) {
        return true;
      } else if (arg.startsWith("-")
          && !arg.equals("--json")
          && !arg.startsWith("--home=")
          && !arg.equals("-h")
          && !arg.equals("--help")
          && !arg.equals("-V")
          && !arg.equals("--version")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The index of the first argument from {@code from} on that is not an option or the value of
   * {@code --home}, or -1 (also when {@code --} comes first).
   */
  static int commandIndex(String[] args, int from) {
    for (int i = from; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        return -1;
      }
      if (arg.equals("--home")) {
        i++;
      } else if (!arg.startsWith("-")) {
        return i;
      }
    }
    return -1;
  }
}
