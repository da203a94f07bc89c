package dev.sentinelzero.daemon.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Turns a {@code posix_spawn} error number into a message that names the thing that is wrong and
 * says what to do. One errno has several causes (ENOENT: the program, its #! interpreter, the
 * working directory or an output file's directory is missing), so the file system is inspected
 * after the failure to tell which. Called on the spawning thread.
 */
final class LaunchFailures {
  private LaunchFailures() {}

  /**
   * Why an output file may not be opened, checked before the spawn; null when it may. A symbolic
   * link at the path is refused (dangling or not: the child's output would land in, or create, the
   * link's target, which may be anyone's file); the open itself carries O_NOFOLLOW too, so a link
   * planted after this check fails the spawn with ELOOP rather than being followed. A path too long
   * for the platform is refused because macOS's {@code posix_spawn_file_actions_addopen} copies it
   * with {@code strlcpy} into a {@code PATH_MAX} (1024) byte field and would silently open a
   * truncated path (xnu {@code libsyscall/wrappers/spawn/posix_spawn.c}, {@code psfao_path} in
   * {@code bsd/sys/spawn_internal.h}).
   *
   * @param maxBytes the longest path the platform takes, in bytes without the NUL
   */
  static String refuseOutput(Path output, int maxBytes) {
    Path path = output.toAbsolutePath();
    int bytes = NativeStrings.cString(path).length - 1;
    if (bytes > maxBytes) {
      return "the output file path "
          + path
          + " is "
          + bytes
          + " bytes long; this system opens paths of at most "
          + maxBytes
          + " bytes: use a shorter home or logs directory (SENTINEL_HOME) or a shorter --name";
    }
    if (Files.isSymbolicLink(path)) {
      return "the output file "
          + path
          + " is a symbolic link; output is never written through a link: remove it (rm "
          + path
          + ") and start again";
    }
    return null;
  }

  static String describe(
      int errno, LaunchSpec spec, int eagain, int eloop, IntFunction<String> strerror) {
    Path program = spec.executable();
    Path cwd = spec.cwd();
    switch (errno) {
      case Errno.ENOENT:
        if (!Files.exists(program)) {
          return "program not found: "
              + program
              + " (check the path; to let a shell search PATH, use --shell)";
        }
        if (!Files.isDirectory(cwd)) {
          return "working directory does not exist: " + cwd;
        }
        Path interpreter = interpreter(program);
        if (interpreter != null && !Files.exists(interpreter)) {
          return program
              + " names the interpreter "
              + interpreter
              + " in its #! line, and that does not exist: fix the #! line or install it";
        }
        for (Path output : List.of(spec.stdout(), spec.stderr())) {
          Path dir = output.toAbsolutePath().getParent();
          if (dir != null && !Files.isDirectory(dir)) {
            return "cannot create output file " + output + ": directory " + dir + " does not exist";
          }
        }
        return "cannot start " + program + ": no such file or directory (ENOENT)";
      case Errno.EACCES:
        if (Files.isDirectory(program)) {
          return program + " is a directory, not a program";
        }
        if (!Files.isExecutable(program)) {
          return program
              + " is not executable (permission denied): make it executable (chmod +x), or use"
              + " --shell to run it through a shell";
        }
        if (!Files.isDirectory(cwd) || !Files.isExecutable(cwd)) {
          return "working directory " + cwd + " is not accessible (permission denied)";
        }
        for (Path output : List.of(spec.stdout(), spec.stderr())) {
          if (Files.exists(output) && !Files.isWritable(output)) {
            return "cannot open output file " + output + ": permission denied";
          }
        }
        return "permission denied starting "
            + program
            + " (EACCES): check the permissions of its directories, its #! interpreter, and"
            + " whether its file system is mounted noexec";
      case Errno.ENOEXEC:
        return program + " is not in an executable format: add a #! line or use --shell";
      case Errno.E2BIG:
        return "the arguments and environment of "
            + program
            + " are too large for the system (E2BIG): pass fewer or shorter arguments or"
            + " environment variables";
      case Errno.ENOMEM:
        return "not enough memory to start " + program + " (ENOMEM)";
      case Errno.ENOTDIR:
        return "a part of the path "
            + program
            + " or of the working directory "
            + cwd
            + " is not a directory (ENOTDIR)";
      case Errno.EISDIR:
        return "an output file is a directory: " + spec.stdout() + " or " + spec.stderr();
      case Errno.ETXTBSY:
        return program
            + " is open for writing by another process (ETXTBSY): start it again once it is"
            + " fully written";
      default:
        if (errno == eloop) {
          for (Path output : List.of(spec.stdout(), spec.stderr())) {
            if (Files.isSymbolicLink(output)) {
              return "the output file "
                  + output.toAbsolutePath()
                  + " is a symbolic link (it appeared while starting); output is never written"
                  + " through a link: remove it and start again";
            }
          }
          return "cannot start "
              + program
              + ": too many levels of symbolic links in its path or its working directory (ELOOP)";
        }
        if (errno == eagain) {
          return "cannot start "
              + program
              + ": the process limit for this user is reached (EAGAIN): stop some processes or"
              + " raise the limit (ulimit -u)";
        }
        return "cannot start " + program + ": " + strerror.apply(errno) + " (errno " + errno + ")";
    }
  }

  /** The interpreter named by the program's {@code #!} line, or null if it has none. */
  private static Path interpreter(Path program) {
    try (BufferedReader reader = Files.newBufferedReader(program, StandardCharsets.ISO_8859_1)) {
      char[] head = new char[256];
      int n = reader.read(head);
      if (n < 3 || head[0] != '#' || head[1] != '!') {
        return null;
      }
      String line = new String(head, 2, n - 2).lines().findFirst().orElse("").strip();
      String first = line.split("[ \t]", 2)[0];
      return first.isEmpty() ? null : Path.of(first);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
