package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place where failures become exit codes and error output.
 *
 * <p>Commands fail by throwing: picocli's {@link ParameterException} for what the command line got
 * wrong, {@link ProtocolException} (with the daemon's {@link ErrorCode}, or one the CLI chose) for
 * everything else. Each failure prints one line {@code sentinel: <message>} on stderr and, under
 * {@code --json}, also {@code {"error":{"code":...,"message":...}}} on stdout.
 *
 * <table>
 *   <tr><td>0</td><td>success</td></tr>
 *   <tr><td>1</td><td>the operation failed: not_found, conflict, internal, ...</td></tr>
 *   <tr><td>2</td><td>usage: bad command line, or the daemon said invalid_argument,
 *       invalid_request or unknown_command</td></tr>
 *   <tr><td>3</td><td>the daemon could not be reached: not running, refused, timed out,
 *       unavailable</td></tr>
 * </table>
 */
final class ExitCodes implements IParameterExceptionHandler, IExecutionExceptionHandler {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int UNREACHABLE = 3;

  /** Set {@code SENTINEL_DEBUG=1} to get stack traces of unexpected exceptions. */
  static final String DEBUG_ENV = "SENTINEL_DEBUG";

  private final boolean json;
  private final boolean debug;

  private ExitCodes(boolean json, boolean debug) {
    this.json = json;
    this.debug = debug;
  }

  /**
   * Installs the handlers on the root command. {@code --json} is looked for in the raw arguments,
   * because a command line that fails to parse has no parsed options.
   */
  static void install(CommandLine root, String[] args, Context context) {
    ExitCodes handler = new ExitCodes(wantsJson(args), "1".equals(context.env().get(DEBUG_ENV)));
    root.setParameterExceptionHandler(handler);
    root.setExecutionExceptionHandler(handler);
  }

  /** The exit code for an error code, from the daemon or chosen by the CLI. */
  static int of(ErrorCode code) {
    switch (code) {
      case INVALID_ARGUMENT:
      case INVALID_REQUEST:
      case UNKNOWN_COMMAND:
        return USAGE;
      case UNAVAILABLE:
        return UNREACHABLE;
      default:
        return FAILED;
    }
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine command = ex.getCommandLine();
    StringBuilder message = new StringBuilder(oneLine(ex.getMessage()));
    if (ex instanceof UnmatchedArgumentException) {
      UnmatchedArgumentException unmatched = (UnmatchedArgumentException) ex;
      List<String> words = unmatched.getUnmatched();
      if (!command.getSubcommands().isEmpty()
          && !words.isEmpty()
          && !words.get(0).startsWith("-")) {
        message.setLength(0);
        message.append("unknown command '").append(words.get(0)).append('\'');
      }
      List<String> suggestions = unmatched.getSuggestions();
      if (!suggestions.isEmpty()) {
        message.append("; did you mean ").append(String.join(" or ", suggestions)).append('?');
      }
    }
    message.append(" (see: ").append(command.getCommandSpec().qualifiedName()).append(" --help)");
    report(command, ErrorCode.INVALID_ARGUMENT, message.toString());
    return USAGE;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
    if (ex instanceof ProtocolException) {
      ProtocolException failure = (ProtocolException) ex;
      report(command, failure.code(), oneLine(failure.getMessage()));
      return of(failure.code());
    }
    if (debug) {
      ex.printStackTrace(command.getErr());
    }
    report(
        command,
        ErrorCode.INTERNAL,
        "unexpected error: " + oneLine(String.valueOf(ex)) + " (set " + DEBUG_ENV + "=1 for details)");
    return FAILED;
  }

  private void report(CommandLine command, ErrorCode code, String message) {
    PrintWriter err = command.getErr();
    err.println("sentinel: " + message);
    err.flush();
    if (json) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("code", code.wireName());
      error.put("message", message);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", error);
      PrintWriter out = command.getOut();
      out.println(Json.writePretty(body));
      out.flush();
    }
  }

  private static boolean wantsJson(String[] args) {
    for (String arg : args) {
      if (arg.equals("--")) {
        return false;
      }
      if (arg.equals("--json")) {
        return true;
      }
    }
    return false;
  }

  private static String oneLine(String message) {
    if (message == null || message.isBlank()) {
      return "failed without a message";
    }
    return message.strip().replace("\r\n", "; ").replace('\n', ' ').replace('\r', ' ');
  }
}
