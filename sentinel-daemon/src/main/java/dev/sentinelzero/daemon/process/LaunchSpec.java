package dev.sentinelzero.daemon.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything {@link ProcessControl#spawn} needs, already resolved and checked by the caller.
 *
 * @param executable absolute path of the program to execute
 * @param argv the argument vector, {@code argv[0]} first (usually the program as the user named it)
 * @param environment the complete environment of the child
 * @param cwd absolute working directory
 * @param stdout file the child's stdout is appended to (created 0600 if missing)
 * @param stderr file the child's stderr is appended to (created 0600 if missing)
 */
public record LaunchSpec(
    Path executable,
    List<String> argv,
    Map<String, String> environment,
    Path cwd,
    Path stdout,
    Path stderr) {
  public LaunchSpec {
    argv = List.copyOf(argv);
    environment = Map.copyOf(environment);
  }
}
