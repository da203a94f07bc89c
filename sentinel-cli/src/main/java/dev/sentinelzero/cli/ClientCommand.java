package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every command that talks to the daemon shares: the global options, the output writers
 * (picocli's, so that tests capture them) and the connection. A command returns {@link
 * ExitCodes#OK} or throws; {@link ExitCodes} turns the exception into output and an exit code.
 */
abstract class ClientCommand implements Callable<Integer> {
  /**
   * How long a quick request may take. Requests whose duration depends on the processes ({@code
   * start}, {@code stop}, {@code restart}, {@code remove}: a stop waits up to the process's stop
   * timeout) and followed logs wait as long as it takes.
   */
  static final long QUICK_TIMEOUT_MS = 15_000;

  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  final Context context;

  ClientCommand(Context context) {
    this.context = context;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  Connector connector() {
    return new Connector(context, global.home(), err());
  }

  /** Sends one request, starting the daemon first if needed, and returns its result. */
  Map<String, Object> request(String command, Map<String, Object> args, long timeoutMs)
      throws ProtocolException {
    try (DaemonClient client = connector().connect()) {
      Map<String, Object> result = client.call(command, args, timeoutMs);
      warn(result);
      return result;
    }
  }

  /**
   * Prints the daemon's {@code warning} of an answer on stderr (under {@code --json} it is in the
   * JSON): a change that was made but is not saved yet because the disk is full.
   */
  void warn(Map<String, Object> result) {
    Object warning = result.get("warning");
    if (warning instanceof String && !global.json()) {
      err().println("sentinel: warning: " + warning);
      err().flush();
    }
  }

  /** Prints a value as indented JSON: the only thing on stdout under {@code --json}. */
  /**
   * Sends a request that sets or removes one setting of a process ({@code health}, {@code
   * limits}) and prints the setting as it is now: {@code <what> of NAME: <summary>}, {@code <what>
   * of NAME removed}, or with {@code (unchanged)}; with {@code --json}, the daemon's result.
   *
   * @param summary the setting of the answered process in words, or null when it has none
   */
  int sendSetting(
      String command,
      Map<String, Object> args,
      String what,
      java.util.function.Function<dev.sentinelzero.protocol.ProcessSpec, String> summary)
      throws ProtocolException {
    Map<String, Object> result = request(command, args, QUICK_TIMEOUT_MS);
    if (global.json()) {
      printJson(result);
      return ExitCodes.OK;
    }
    dev.sentinelzero.protocol.ProcessStatus process = ProcessView.process(result);
    boolean unchanged = Boolean.FALSE.equals(result.get("changed"));
    String now = summary.apply(process.spec());
    if (now == null) {
      out().println(
          unchanged
              ? process.name() + " has no " + what + " (unchanged)"
              : what + " of " + process.name() + " removed");
    } else {
      out().println(what + " of " + process.name() + (unchanged ? " (unchanged)" : "") + ": " + now);
    }
    out().flush();
    return ExitCodes.OK;
  }

  void printJson(Object value) {
    PrintWriter out = out();
    out.println(Json.writePretty(value));
    out.flush();
  }

  /** A mistake on the command line that picocli cannot see by itself; exits with 2. */
  static ProtocolException usage(String message) {
    return new ProtocolException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
