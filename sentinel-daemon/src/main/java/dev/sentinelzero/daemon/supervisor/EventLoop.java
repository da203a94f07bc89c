package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.daemon.store.StoreException;
import dev.sentinelzero.daemon.supervisor.Supervisor.Audit;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor thread, {@code sentinel-supervisor}, and the ways onto it: a request ({@link
 * #call}, {@link #callAsync}), a request's continuation ({@link #onLoop}), an event ({@link
 * #post}).
 *
 * <p>Each task runs in one SQLite transaction, committed before its future completes, so what a
 * client is told is on disk (a task that spawns commits early and goes on in a new transaction:
 * see {@code Supervisor.spawn}). A request carries its audit entry ({@link AuditTrail}) into that
 * transaction. While the supervisor shuts down, requests are refused with {@code unavailable};
 * continuations and events still run. A task that throws is logged and its future fails; the loop
 * goes on.
 *
 * <p>Threads: any thread may submit; the tasks, and with them the store's transactions, run on
 * the one thread this class owns, which it shuts down on {@link #close}.
 */
final class EventLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

  /** Work for the supervisor thread. */
  interface Task<T> {
    T run() throws ProtocolException;
  }

  private final ExecutorService executor;
  private final Store store;
  private final AuditTrail audits;
  private final BooleanSupplier shuttingDown;
  private final Runnable afterTask;

  /**
   * @param shuttingDown whether requests are refused; read on the supervisor thread
   * @param afterTask runs on the supervisor thread after each task's commit (whether the disk took
   *     it: {@link DiskWatch}); must not throw
   */
  EventLoop(Store store, AuditTrail audits, BooleanSupplier shuttingDown, Runnable afterTask) {
    this.store = store;
    this.audits = audits;
    this.shuttingDown = shuttingDown;
    this.afterTask = afterTask;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sentinel-supervisor");
              t.setDaemon(true);
              return t;
            });
  }

  /** Runs a request on the supervisor thread. */
  <T> CompletableFuture<T> call(Task<T> task) {
    return callAsync(() -> CompletableFuture.completedFuture(task.run()));
  }

  /** A request's continuation: runs even while shutting down. */
  <T> CompletableFuture<T> onLoop(Task<T> task) {
    return submit(() -> CompletableFuture.completedFuture(task.run()), false);
  }

  /** Runs a request on the supervisor thread; its future may complete later (a stop waits). */
  <T> CompletableFuture<T> callAsync(Task<CompletableFuture<T>> task) {
    return submit(task, true);
  }

  /**
   * Runs a task on the supervisor thread; its future may complete later.
   *
   * @param request whether it is a request: refused while shutting down, and it takes the calling
   *     thread's audit mark
   */
  <T> CompletableFuture<T> submit(Task<CompletableFuture<T>> task, boolean request) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Audit audit = request ? audits.take() : null;
    try {
      executor.execute(
          () -> {
            try {
              if (shuttingDown.getAsBoolean() && request) {
                throw new ProtocolException(
                    ErrorCode.UNAVAILABLE, "the daemon is shutting down; try again in a moment");
              }
              CompletableFuture<T> outcome;
              store.begin();
              try {
                long auditId = audit == null ? -1 : audits.pending(audit);
                try {
                  outcome = task.run();
                  if (audit != null) {
                    audits.outcome(auditId, audit, "ok");
                  }
                } catch (ProtocolException e) {
                  if (audit != null) {
                    audits.outcome(auditId, audit, e.code().wireName() + ": " + e.getMessage());
                  }
                  throw e;
                }
              } finally {
                // Before any reply: what the client is told is on disk, or (a full disk: the
                // store keeps the writes for later) the answer says it is not saved yet.
                store.commit();
                afterTask.run();
              }
              outcome
                  .whenComplete(
                      (v, e) -> {
                        if (e != null) {
                          result.completeExceptionally(e);
                        } else {
                          result.complete(v);
                        }
                      });
            } catch (ProtocolException | StoreException e) {
              result.completeExceptionally(e);
            } catch (RuntimeException | Error e) {
              log.error("supervisor task failed", e);
              result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(
          new ProtocolException(ErrorCode.UNAVAILABLE, "the daemon is shutting down"));
    }
    return result;
  }

  /** Queues an event from another thread (exit watcher, teardown, timer); never throws. */
  void post(Runnable event) {
    try {
      executor.execute(
          () -> {
            try {
              store.begin();
              try {
                event.run();
              } finally {
                store.commit();
                afterTask.run();
              }
            } catch (RuntimeException | Error e) {
              log.error("supervisor event failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("event after shutdown dropped");
    }
  }

  /** Lets queued tasks finish (5 s at most), then stops the thread. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }
}
