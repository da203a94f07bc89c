package dev.sentinelzero.daemon.supervisor;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The states of a supervised process, as {@code status} shows them (lower case on the wire). */
enum ProcessState {
  /** Not running, by request (or never started). */
  STOPPED,
  /** Being spawned. */
  STARTING,
  /** Its process is alive. */
  RUNNING,
  /** A stop was sent; waiting for the whole process group to be gone. */
  STOPPING,
  /** Its process ended by itself with a success code. */
  EXITED,
  /** Its process ended; waiting for the restart policy's delay before starting it again. */
  BACKOFF,
  /**
   * Its process ended with a failure code or a signal, or could not be started, and the restart
   * policy does not (or no longer) start it again; with a cooldown, it is tried again later.
   */
  FAILED;

  /** States with a live process group that a stop must tear down. */
  static final Set<ProcessState> ACTIVE = EnumSet.of(STARTING, RUNNING, STOPPING);

  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
