package dev.sentinelzero.daemon.process;

import java.time.Instant;

/**
 * A process group leader this control knows: one it spawned (our child, reaped by the group reaper
 * once its group is gone) or one it adopted (not our child, never reaped here), with the marker of
 * its run and its start time, by which the processes of the run that left the group are found.
 *
 * <p>Created by the spawning or adopting thread; {@code exited} is set by the exit-watcher thread
 * (after the leader's listener has run) and read by the group-reaper thread. A leader stays known
 * until its group's termination completes, so that the termination still has its marker.
 *
 * @param mark null when the run's marker is unknown (an adopted process whose environment could not
 *     be read): then only its group is torn down
 * @param startTime null when it could not be read
 */
final class Leader {
  private final long pid;
  private final boolean ourChild;
  private final RunMark mark;
  private final Instant startTime;
  private volatile boolean exited;

  Leader(long pid, boolean ourChild, RunMark mark, Instant startTime) {
    this.pid = pid;
    this.ourChild = ourChild;
    this.mark = mark;
    this.startTime = startTime;
  }

  long pid() {
    return pid;
  }

  boolean ourChild() {
    return ourChild;
  }

  RunMark mark() {
    return mark;
  }

  Instant startTime() {
    return startTime;
  }

  boolean exited() {
    return exited;
  }

  void markExited() {
    exited = true;
  }
}
