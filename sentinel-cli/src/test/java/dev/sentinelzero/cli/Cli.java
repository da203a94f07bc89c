package dev.sentinelzero.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code sentinel} through the real entry point with captured output. */
final class Cli {
  /** What a run printed and returned. */
  record Result(int exit, String out, String err) {
    List<String> errLines() {
      return err.isEmpty() ? List.of() : List.of(err.split("\n"));
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Output a test can read while the command still runs (StringWriter is synchronized). */
  static final class Capture {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    String out() {
      return out.toString();
    }

    String err() {
      return err.toString();
    }
  }

  private Cli() {}

  /**
   * A context for a home in a temporary directory: autostart off, a fixed PATH, the home as the
   * working directory. {@code extra} adds or overrides environment variables.
   */
  static Context context(Path home, String... extra) {
    Map<String, String> env = new HashMap<>();
    env.put("SENTINEL_HOME", home.toString());
    env.put(Context.NO_AUTOSTART_ENV, "1");
    env.put("PATH", "/opt/test/bin:/usr/bin:/bin");
    for (int i = 0; i < extra.length; i += 2) {
      env.put(extra[i], extra[i + 1]);
    }
    return new Context(Map.copyOf(env), home, null, Context.DAEMON_MAIN_CLASS);
  }

  static Result run(Context context, String... args) {
    Capture capture = new Capture();
    int exit = run(context, capture, args);
    return new Result(exit, capture.out(), capture.err());
  }

  /** Like {@link Main#main}, without {@code System.exit}. */
  static int run(Context context, Capture capture, String... args) {
    CommandLine commandLine = SentinelCommand.commandLine(args, context);
    commandLine.setOut(new PrintWriter(capture.out, true));
    commandLine.setErr(new PrintWriter(capture.err, true));
    return commandLine.execute(args);
  }
}
