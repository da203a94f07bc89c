package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.daemon.supervisor.Supervisor.Audit;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request audit trail: each state-changing request's entry in the transaction log (kind
 * {@code request}: the client's user and pid, the command, its arguments with secrets removed,
 * the outcome), written in the same transaction as the change the request makes.
 *
 * <p>How an entry reaches that transaction: a connection thread marks its next request ({@link
 * #mark}); when that thread submits the request, the supervisor takes the mark ({@link #take}),
 * and in the request's task writes the entry first, as {@code pending} (a task that spawns
 * commits early, and the entry must be in that commit), makes the change, then sets the outcome.
 *
 * <p>Threads: the mark is a thread-local, so each connection thread owns its own; entries are
 * written on the supervisor thread only, inside the task's transaction. Nothing else here changes.
 */
final class AuditTrail {
  /** The audit entry for the next request this (connection) thread submits. */
  private static final ThreadLocal<Audit> NEXT_AUDIT = new ThreadLocal<>();

  private final Store store;
  private final Clock clock;

  AuditTrail(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Marks the next request the calling thread submits as this audited one. */
  void mark(Audit audit) {
    NEXT_AUDIT.set(audit);
  }

  /**
   * Ends {@link #mark}: true if a request took the entry, false if none was submitted; either way
   * the mark is cleared.
   */
  boolean taken() {
    boolean taken = NEXT_AUDIT.get() == null;
    NEXT_AUDIT.remove();
    return taken;
  }

  /** The calling thread's mark, taken for the request it is submitting; null if none. */
  Audit take() {
    Audit audit = NEXT_AUDIT.get();
    if (audit != null) {
      NEXT_AUDIT.remove(); // taken: written with this request's change
    }
    return audit;
  }

  /** Writes a request's entry before its change, as {@code pending}. Returns its id. */
  long pending(Audit audit) {
    return append(audit, "pending");
  }

  /** Sets the outcome of an entry {@link #pending} wrote. */
  void outcome(long id, Audit audit, String outcome) {
    store.updateEvent(id, message(audit, outcome), data(audit, outcome));
  }

  /** Writes the entry of a request that never reached the supervisor (nothing was changed). */
  void refused(Audit audit, String outcome) {
    append(audit, outcome);
  }

  private long append(Audit audit, String outcome) {
    return store.appendEvent(
        clock.instant(), name(audit), "request", message(audit, outcome), data(audit, outcome));
  }

  private static String name(Audit audit) {
    Object name = audit.args().get("name");
    return name instanceof String ? (String) name : null;
  }

  private static String message(Audit audit, String outcome) {
    String name = name(audit);
    String who = audit.user() + (audit.pid() != null ? " (pid " + audit.pid() + ")" : "");
    return who + ": " + audit.command() + (name != null ? " " + name : "") + " -> " + outcome;
  }

  private static Map<String, Object> data(Audit audit, String outcome) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("user", audit.user());
    data.put("pid", audit.pid());
    data.put("command", audit.command());
    data.put("args", audit.args());
    data.put("outcome", outcome);
    return data;
  }
}
