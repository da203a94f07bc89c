package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.protocol.DiskStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Whether the daemon can write its files, and what it does while it cannot (issue 12). After every
 * supervisor task it reads the store's health: while writes wait in memory for space it has the
 * store try them again every second ({@link Store#retry}), and while the store's reserve is used
 * up, every 10 s, to make it again. It words what {@code daemon status}, a process's {@code
 * status} and the answer to a change say about the disk; the logs' file system (where the
 * processes' output goes, straight from them) is looked at when one of those is asked for.
 *
 * <p>Thread: the supervisor thread, but for {@link #unsavedWarning}, which any thread may read.
 */
final class DiskWatch {
  static final long RETRY_MS = 1_000;
  static final long RESERVE_RETRY_MS = 10_000;
  /** A logs file system with less free space than this is full: output is being lost. */
  static final long LOGS_FULL_BYTES = 64 * 1024;

  private final Store store;
  private final Timer timer;
  private final Consumer<Runnable> post;
  private final Path logs;
  private final LongSupplier ticker;
  private Timer.Cancellable retry;
  /** The logs' free space, read at most once a second (a status of 1,000 processes asks 1,000 times). */
  private Long logsFree;
  private long logsFreeAt;
  private boolean logsFreeRead;
  /** What the answer to a change says while writes wait for space, else null. */
  private volatile String unsaved;

  /**
   * @param post queues a task on the supervisor thread (in a transaction of its own)
   * @param logs the directory the processes' log files are in
   * @param ticker monotonic nanoseconds
   */
  DiskWatch(Store store, Timer timer, Consumer<Runnable> post, Path logs, LongSupplier ticker) {
    this.store = store;
    this.timer = timer;
    this.post = post;
    this.logs = logs;
    this.ticker = ticker;
  }

  /** After each task's commit: notes whether everything is saved and plans the next retry. */
  void afterTask() {
    Store.Health h = store.health();
    unsaved =
        h.saving()
            ? null
            : "the disk is full: this change is made but not saved yet (" + h.unsaved()
                + " changes wait in memory for space in " + h.directory()
                + "); it is saved once space is freed, and lost if the daemon is killed before";
    if (retry == null && (!h.saving() || h.reserveInUse())) {
      retry =
          timer.schedule(
              h.saving() ? RESERVE_RETRY_MS : RETRY_MS,
              () ->
                  post.accept(
                      () -> {
                        retry = null;
                        store.retry();
                      }));
    }
  }

  /** While writes wait for space: what the answer to a change adds; else null. Any thread. */
  String unsavedWarning() {
    return unsaved;
  }

  /** What a process's status says about the disk, or null. */
  String warningFor(String name, boolean active) {
    List<String> out = new ArrayList<>();
    int waiting = store.unsavedOf(name);
    if (waiting > 0) {
      out.add("its latest changes are not saved: the disk is full (" + waiting + " wait in memory)");
    }
    Long free = active ? logsFree() : null;
    if (free != null && free < LOGS_FULL_BYTES) {
      out.add("its log files are on a full file system (" + logs + ", " + bytes(free) + " free): its output is being lost");
    }
    return out.isEmpty() ? null : String.join("; ", out);
  }

  /** The disk as {@code daemon status} shows it. */
  DiskStatus report() {
    Store.Health h = store.health();
    Long free = usable(h.directory());
    Long logsFree = logsFree();
    boolean logsFull = logsFree != null && logsFree < LOGS_FULL_BYTES;
    String state;
    List<String> words = new ArrayList<>();
    if (!h.saving()) {
      state = DiskStatus.FULL;
      words.add(
          (h.readOnly() ? "the daemon started on a full disk, its database open read-only; " : "")
              + "the disk is full: it refuses writes since " + time(h.since()) + " (" + h.error() + "); " + h.unsaved()
              + " changes wait in memory and are lost if the daemon is killed before they are saved;"
              + " free some space in " + h.directory());
    } else if (h.reserveInUse() && h.lastRefusal() != null) {
      state = DiskStatus.LOW;
      words.add(
          "the disk was full at " + time(h.lastRefusal()) + " and the daemon used up its reserve;"
              + " free some space in " + h.directory());
    } else {
      state = DiskStatus.OK;
    }
    if (logsFull) {
      state = DiskStatus.FULL;
      words.add(
          "the file system of the logs (" + logs + ") is full (" + bytes(logsFree)
              + " free): the processes' output and the daemon's log are being lost");
    }
    if (words.isEmpty()) {
      words.add((free == null ? "?" : bytes(free)) + " free in " + h.directory());
    }
    return new DiskStatus(
        state,
        String.join("; ", words),
        h.since(),
        h.unsaved(),
        h.lostEvents() + h.lostRuns(),
        free,
        logsFree,
        h.readOnly(),
        h.reserveInUse());
  }

  private Long logsFree() {
    long now = ticker.getAsLong();
    if (!logsFreeRead || now - logsFreeAt > 1_000_000_000L) {
      logsFree = usable(logs);
      logsFreeAt = now;
      logsFreeRead = true;
    }
    return logsFree;
  }

  private static Long usable(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String time(Instant at) {
    return at == null ? "?" : at.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    if (n < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
    }
    return String.format(Locale.ROOT, "%.1f GiB", n / 1073741824.0);
  }
}
