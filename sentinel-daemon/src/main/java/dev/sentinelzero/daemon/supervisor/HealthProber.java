package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.protocol.HealthCheck;
import dev.sentinelzero.protocol.ProcessSpec;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one health check. Never called for a process without a check; never blocks the calling
 * (supervisor) thread: the result comes later, on another thread, and always comes, within the
 * check's timeout plus a little.
 */
interface HealthProber extends AutoCloseable {
  /** The outcome of one check: passed or not, and its output or error (trimmed). */
  record Result(boolean passed, String output) {}

  CompletableFuture<Result> probe(ProcessSpec spec, HealthCheck check);

  @Override
  void close();
}
