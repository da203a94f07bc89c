package dev.sentinelzero.daemon.process;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread, {@code sentinel-exit-watcher}, that learns of every watched process's exit from the
 * kernel ({@link ExitPoller}) and calls its listener exactly once. There is no polling interval:
 * the thread sleeps in {@code epoll_wait}/{@code kevent} until an exit or a wakeup.
 *
 * <p>For our own child the status is read with {@code waitid(..., WNOWAIT)}, which leaves the
 * zombie in place (the group reaper reaps it later), or taken from the event where the kernel
 * delivers it (macOS). Should the status not be readable yet (on macOS NOTE_EXIT precedes the
 * zombie state), the pid is retried after 1, 2, 4 ... 64 ms: the only timed wait here, and only
 * while such a pid exists. For a process that is not our child the status is the one the event
 * carried (macOS 11+), else {@link ExitStatus.Unknown}.
 *
 * <p>Threads and state: {@code watches} and {@code goneBeforeWatch} are concurrent, written by
 * whichever thread calls {@link #watch} and consumed by the watcher thread; {@code retries} and
 * {@code retryDelayMillis} belong to the watcher thread. Listeners and the after-exit hook run on
 * the watcher thread, in that order, once per watch.
 */
final class ExitWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExitWatcher.class);
  static final String THREAD_NAME = "sentinel-exit-watcher";
  private static final int MAX_RETRY_DELAY_MILLIS = 64;

  /** Called on the watcher thread after the watch's own listener. */
  interface AfterExit {
    void exited(long pid, ExitStatus status);
  }

  private record Watch(long pid, boolean ourChild, Consumer<ExitStatus> listener) {}

  private final NativeOs os;
  private final ExitPoller poller;
  private final AfterExit afterExit;
  private final ConcurrentHashMap<Long, Watch> watches = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Long> goneBeforeWatch = new ConcurrentLinkedQueue<>();
  private final Set<Long> retries = new LinkedHashSet<>(); // watcher thread only
  private int retryDelayMillis = 1; // watcher thread only
  private final Thread thread;
  private volatile boolean closed;

  ExitWatcher(NativeOs os, AfterExit afterExit) {
    this.os = os;
    this.afterExit = afterExit;
    this.poller = os.openExitPoller();
    this.thread = new Thread(this::run, THREAD_NAME);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Starts watching {@code pid}; its listener will be called once, on the watcher thread, possibly
   * before this method returns.
   *
   * @param ourChild true for a child of this JVM: its status is read, and a child that has already
   *     ended is still reported
   * @return false if the process is not our child and does not exist any more (no call will come)
   * @throws IllegalStateException if the pid is already watched or the watcher is closed
   * @throws com.sun.jna.LastErrorException if the kernel refuses (e.g. out of descriptors)
   */
  boolean watch(long pid, boolean ourChild, Consumer<ExitStatus> listener) {
    if (closed) {
      throw new IllegalStateException("the exit watcher is closed");
    }
    Watch watch = new Watch(pid, ourChild, listener);
    if (watches.putIfAbsent(pid, watch) != null) {
      throw new IllegalStateException("pid " + pid + " is already watched");
    }
    boolean registered;
    try {
      registered = poller.add(pid, ourChild);
    } catch (RuntimeException e) {
      watches.remove(pid, watch);
      throw e;
    }
    if (!registered) {
      if (!ourChild) {
        watches.remove(pid, watch);
        return false;
      }
      goneBeforeWatch.add(pid); // a zombie already (macOS): let the watcher thread read it
      poller.wakeup();
    }
    return true;
  }

  /** Stops the thread (waiting up to 5 s) and frees the poller. Listeners are not called after. */
  @Override
  public void close() {
    closed = true;
    poller.wakeup();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("{} did not stop within 5 s; leaving its native resources allocated", THREAD_NAME);
      return;
    }
    poller.close();
  }

  private void run() {
    int failures = 0;
    while (!closed) {
      try {
        poller.await(retries.isEmpty() ? -1 : retryDelayMillis, this::onExit);
        Long gone;
        while ((gone = goneBeforeWatch.poll()) != null) {
          onExit(gone, ExitPoller.NO_STATUS);
        }
        retryPending();
        failures = 0;
      } catch (Throwable t) {
        failures++;
        log.error("{}: an iteration failed ({} in a row); continuing", THREAD_NAME, failures, t);
        if (failures >= 3) {
          // A persistent native failure: do not spin at full speed while it lasts.
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(1000, 10L * failures)));
        }
      }
    }
  }

  private void onExit(long pid, int waitStatus) {
    Watch watch = watches.get(pid);
    if (watch == null) {
      log.warn("exit event for pid {}, which is not watched", pid);
      return;
    }
    ExitStatus status = statusOf(watch, waitStatus);
    if (status == null) {
      retries.add(pid);
      return;
    }
    report(watch, status);
  }

  private void retryPending() {
    if (retries.isEmpty()) {
      retryDelayMillis = 1;
      return;
    }
    List<Long> due = new ArrayList<>(retries);
    retries.clear();
    for (long pid : due) {
      Watch watch = watches.get(pid);
      if (watch == null) {
        continue;
      }
      ExitStatus status = os.peekExit(pid);
      if (status == null) {
        retries.add(pid);
      } else {
        report(watch, status);
      }
    }
    retryDelayMillis =
        retries.isEmpty() ? 1 : Math.min(MAX_RETRY_DELAY_MILLIS, retryDelayMillis * 2);
  }

  private ExitStatus statusOf(Watch watch, int waitStatus) {
    return statusOf(watch.ourChild(), waitStatus, os::decodeWaitStatus, () -> os.peekExit(watch.pid()));
  }

  /**
   * How a watched process ended: the status the event carried, if any (our child; on macOS 11+
   * an adopted process too); else for our child what {@code waitid} says (null: not yet, retry),
   * and for any other process {@link ExitStatus.Unknown}. A pure decision; watcher thread.
   */
  static ExitStatus statusOf(
      boolean ourChild,
      int waitStatus,
      java.util.function.IntFunction<ExitStatus> decode,
      java.util.function.Supplier<ExitStatus> peek) {
    if (waitStatus != ExitPoller.NO_STATUS) {
      ExitStatus decoded = decode.apply(waitStatus);
      if (decoded != null) {
        return decoded;
      }
    }
    return ourChild ? peek.get() : new ExitStatus.Unknown();
  }

  private void report(Watch watch, ExitStatus status) {
    watches.remove(watch.pid(), watch);
    try {
      watch.listener().accept(status);
    } catch (RuntimeException e) {
      log.error("exit listener for pid {} failed", watch.pid(), e);
    }
    try {
      afterExit.exited(watch.pid(), status);
    } catch (RuntimeException e) {
      log.error("after-exit handling for pid {} failed", watch.pid(), e);
    }
  }
}
