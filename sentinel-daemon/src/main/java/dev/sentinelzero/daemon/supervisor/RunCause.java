package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.protocol.RunRecord;
import java.time.Instant;

/**
 * Why a run starts, as its history records it.
 *
 * @param reason {@code schedule}, {@code catch-up}, {@code manual}, {@code retry} or {@code daemon}
 * @param scheduledFor the fire time a scheduled run was started for, or null
 */
record RunCause(String reason, Instant scheduledFor) {
  static final RunCause MANUAL = new RunCause(RunRecord.MANUAL, null);
  static final RunCause RETRY = new RunCause(RunRecord.RETRY, null);
  static final RunCause DAEMON = new RunCause(RunRecord.DAEMON, null);
}
