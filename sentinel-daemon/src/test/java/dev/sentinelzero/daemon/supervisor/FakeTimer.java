package dev.sentinelzero.daemon.supervisor;

import java.util.ArrayList;
import java.util.List;

/** A timer that runs nothing by itself: the test fires the scheduled tasks. Thread-safe. */
final class FakeTimer implements Timer {
  static final class Task {
    final long delayMs;
    final Runnable run;
    volatile boolean cancelled;

    Task(long delayMs, Runnable run) {
      this.delayMs = delayMs;
      this.run = run;
    }
  }

  private final List<Task> tasks = new ArrayList<>();

  @Override
  public synchronized Cancellable schedule(long delayMs, Runnable task) {
    Task t = new Task(delayMs, task);
    tasks.add(t);
    return () -> t.cancelled = true;
  }

  /** Tasks scheduled and not cancelled, oldest first. */
  synchronized List<Task> pending() {
    List<Task> out = new ArrayList<>();
    for (Task t : tasks) {
      if (!t.cancelled) {
        out.add(t);
      }
    }
    return out;
  }

  /** All tasks ever scheduled. */
  synchronized List<Task> all() {
    return new ArrayList<>(tasks);
  }

  /** Runs the oldest pending task (as the real timer would when its delay passed). */
  void fireNext() {
    Task t;
    synchronized (this) {
      t = pending().get(0);
      tasks.remove(t);
    }
    t.run.run();
  }

  @Override
  public void close() {}
}
