package dev.sentinelzero.daemon.process;

/**
 * A process group leader this control knows: one it spawned (our child, reaped by the group reaper
 * once its group is gone) or one it adopted (not our child, never reaped here).
 *
 * <p>Created by the spawning or adopting thread; {@code exited} is set by the exit-watcher thread
 * (after the leader's listener has run) and read by the group-reaper thread.
 */
final class Leader {
  private final long pid;
  private final boolean ourChild;
  private volatile boolean exited;

  Leader(long pid, boolean ourChild) {
    this.pid = pid;
    this.ourChild = ourChild;
  }

  long pid() {
    return pid;
  }

  boolean ourChild() {
    return ourChild;
  }

  boolean exited() {
    return exited;
  }

  void markExited() {
    exited = true;
  }
}
