package dev.sentinelzero.daemon.logs;

import java.nio.file.Path;

/**
 * Where each process's output goes: {@code <logs>/<name>.out.log} and {@code <logs>/<name>.err.log}.
 * The child writes them itself (opened for it in append mode at spawn), so it never waits on the
 * daemon and keeps logging if the daemon goes away. Names are checked before they get here, so
 * they cannot leave the directory.
 */
public final class LogFiles {
  private final Path directory;

  public LogFiles(Path directory) {
    this.directory = directory;
  }

  public Path directory() {
    return directory;
  }

  public Path stdout(String name) {
    return directory.resolve(name + ".out.log");
  }

  public Path stderr(String name) {
    return directory.resolve(name + ".err.log");
  }
}
