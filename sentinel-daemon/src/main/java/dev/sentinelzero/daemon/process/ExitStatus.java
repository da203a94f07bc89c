package dev.sentinelzero.daemon.process;

/** How a process ended, as the operating system reported it. */
public sealed interface ExitStatus {
  /** It called exit (or returned from main) with this code. */
  record Exited(int code) implements ExitStatus {}

  /** A signal ended it. */
  record Killed(Signal signal, boolean coreDumped) implements ExitStatus {}

  /** It ended, but it was not our child, so its status cannot be read. */
  record Unknown() implements ExitStatus {}
}
