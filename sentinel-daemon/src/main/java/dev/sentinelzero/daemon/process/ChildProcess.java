package dev.sentinelzero.daemon.process;

import java.time.Instant;

/**
 * A process spawned by {@link ProcessControl#spawn}: the leader of its own process group.
 *
 * @param pid its process id, which is also its process group id
 * @param startTime when the operating system says it started (used with the pid to recognise the
 *     same process later: a reused pid has another start time), or null if it could not be read
 */
public record ChildProcess(long pid, Instant startTime) {
  public long pgid() {
    return pid;
  }
}
