package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.logs.LogFiles;
import dev.sentinelzero.daemon.process.LaunchSpec;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a {@link ProcessSpec} into a {@link LaunchSpec}: splits the command line (or wraps it in
 * {@code /bin/sh -c}), finds the program on the definition's {@code PATH}, checks the working
 * directory, and builds the environment. Every check fails with an {@link
 * ErrorCode#INVALID_ARGUMENT} whose message names the problem and the fix. Stateless; called on the
 * supervisor thread both when a process is defined (so that bad input is refused before anything
 * is stored) and at every start (the file system may have changed since).
 */
final class LaunchPlanner {
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final String SHELL = "/bin/sh";

  private final Map<String, String> daemonEnvironment;
  private final LogFiles logFiles;

  LaunchPlanner(Map<String, String> daemonEnvironment, LogFiles logFiles) {
    this.daemonEnvironment = Map.copyOf(daemonEnvironment);
    this.logFiles = logFiles;
  }

  /** Checks everything about a definition that does not depend on the file system. */
  static void checkShape(ProcessSpec spec) throws ProtocolException {
    ProcessNames.check(spec.name());
    if (spec.argv() != null && spec.shell()) {
      throw invalid("--shell goes with a command line (cmd), not with a program and arguments (argv)");
    }
    if (spec.argv() != null && (spec.argv().isEmpty() || spec.argv().get(0).isEmpty())) {
      throw invalid("the command is empty: give a program to run");
    }
    if (spec.command() != null && spec.command().isBlank()) {
      throw invalid("the command is empty: give a program to run, e.g. --cmd \"python app.py\"");
    }
    for (String word : words(spec)) {
      if (word.indexOf('\0') >= 0) {
        throw invalid("the command contains a NUL character, which no program can receive");
      }
    }
    if (spec.cwd() != null && spec.cwd().indexOf('\0') >= 0) {
      throw invalid("the working directory contains a NUL character, which no path can hold");
    }
    if (spec.cwd() == null || !Path.of(spec.cwd()).isAbsolute()) {
      throw invalid("the working directory must be an absolute path, got \"" + spec.cwd() + "\"");
    }
    if (spec.path() != null && spec.path().indexOf('\0') >= 0) {
      // The child would see PATH cut at the NUL: refuse rather than run with part of it.
      throw invalid("the PATH given contains a NUL character; give directories separated by ':'");
    }
    for (Map.Entry<String, String> e : spec.env().entrySet()) {
      if (!ENV_KEY.matcher(e.getKey()).matches()) {
        throw invalid(
            "invalid environment variable name \""
                + e.getKey()
                + "\": use letters, digits and _, not starting with a digit");
      }
      if (e.getValue().indexOf('\0') >= 0) {
        throw invalid("the value of " + e.getKey() + " contains a NUL character");
      }
    }
  }

  /** The argument vector the definition asks for, before the program is looked up. */
  static List<String> words(ProcessSpec spec) throws ProtocolException {
    if (spec.argv() != null) {
      return spec.argv();
    }
    if (spec.shell()) {
      return List.of(SHELL, "-c", spec.command());
    }
    try {
      List<String> words = CommandWords.split(spec.command());
      if (words.isEmpty()) {
        throw invalid("the command is empty: give a program to run");
      }
      return words;
    } catch (CommandWords.SyntaxException e) {
      throw invalid(e.getMessage());
    }
  }

  /** The launch, with the program found and the directory checked against the file system now. */
  LaunchSpec plan(ProcessSpec spec) throws ProtocolException {
    checkShape(spec);
    List<String> argv = words(spec);
    Path cwd = Path.of(spec.cwd());
    if (!Files.isDirectory(cwd)) {
      throw invalid(
          Files.exists(cwd)
              ? "the working directory " + cwd + " is not a directory"
              : "the working directory " + cwd + " does not exist; create it or give another --cwd");
    }
    Map<String, String> env = environment(spec);
    Path program = findProgram(argv.get(0), cwd, env.get("PATH"));
    return new LaunchSpec(
        program,
        argv,
        env,
        cwd,
        logFiles.stdout(spec.name()),
        logFiles.stderr(spec.name()));
  }

  /** The daemon's environment, the client's PATH if it sent one, then the definition's variables. */
  Map<String, String> environment(ProcessSpec spec) {
    Map<String, String> env = new LinkedHashMap<>(daemonEnvironment);
    if (spec.path() != null && !spec.path().isEmpty()) {
      env.put("PATH", spec.path());
    }
    env.putAll(spec.env());
    // The marker a later daemon finds it by, if this daemon dies before recording its pid.
    env.put(dev.sentinelzero.daemon.process.MarkedProcesses.NAME, spec.name());
    return env;
  }

  /** Finds the program as execvp would: a name with a slash is a path, others are looked up on PATH. */
  static Path findProgram(String program, Path cwd, String path) throws ProtocolException {
    if (program.contains("/")) {
      Path candidate = cwd.resolve(program).normalize();
      if (!Files.exists(candidate)) {
        throw invalid("the program " + candidate + " does not exist");
      }
      checkRunnable(candidate);
      return candidate;
    }
    List<String> searched = new ArrayList<>();
    String searchPath = path == null || path.isEmpty() ? "/usr/bin:/bin" : path;
    for (String dir : searchPath.split(File.pathSeparator, -1)) {
      Path base = dir.isEmpty() ? cwd : cwd.resolve(dir);
      Path candidate = base.resolve(program);
      searched.add(base.toString());
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate.normalize();
      }
    }
    throw invalid(
        "the program \""
            + program
            + "\" was not found on PATH ("
            + String.join(":", searched)
            + "); give its full path or fix PATH");
  }

  private static void checkRunnable(Path candidate) throws ProtocolException {
    if (Files.isDirectory(candidate)) {
      throw invalid("the program " + candidate + " is a directory, not a program");
    }
    if (!Files.isExecutable(candidate)) {
      throw invalid(
          "the program " + candidate + " is not executable; run: chmod +x '" + candidate + "'");
    }
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
