package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * Exit notifications from one kqueue: an EVFILT_PROC / NOTE_EXIT knote per pid, and an EVFILT_USER
 * knote that {@link #wakeup} triggers. Written from xnu's {@code bsd/kern/kern_event.c} and {@code
 * sys/event.h}; not yet run on a Mac.
 *
 * <p>Facts from xnu this relies on: attaching to a process that is already a zombie fails with
 * ESRCH ({@code proc_find} skips zombies), which {@link #add} reports as false; NOTE_EXIT is
 * one-shot; NOTE_EXITSTATUS puts the wait(2) status in {@code data} (for the parent, and on macOS
 * 11+ for any process the caller may signal: {@link #register}); and NOTE_EXIT is posted
 * <em>before</em> the process becomes a zombie ({@code proc_exit} in {@code bsd/kern/kern_exit.c}),
 * so the status is taken from the event, since {@code waitid} may not see the exit yet, and the
 * zombie is reaped later, retrying while {@code waitpid(WNOHANG)} still finds none.
 *
 * <p>State: {@code events} and the timeout belong to the watcher thread; every other call uses its
 * own change buffer, so registrations from other threads need no lock.
 */
final class MacExitPoller implements ExitPoller {
  private static final int MAX_EVENTS = 64;
  private static final long WAKE_IDENT = 1; // EVFILT_USER idents are separate from pids

  private final MacLibc libc;
  private final MacOs os;
  private final int kq;
  private final Memory events = PosixOs.zeroed(MAX_EVENTS * MacLibc.KEVENT_SIZE);
  private final Memory timeout = PosixOs.zeroed(16); // struct timespec

  MacExitPoller(MacLibc libc, MacOs os) {
    this.libc = libc;
    this.os = os;
    this.kq = libc.kqueue();
    int error =
        change(WAKE_IDENT, MacLibc.EVFILT_USER, (short) (MacLibc.EV_ADD | MacLibc.EV_CLEAR), 0);
    if (error != 0) {
      os.closeQuietly(kq);
      throw new LastErrorException(error);
    }
  }

  @Override
  public boolean add(long pid, boolean ourChild) {
    short flags = (short) (MacLibc.EV_ADD | MacLibc.EV_ONESHOT);
    int error = register(notes -> change(pid, MacLibc.EVFILT_PROC, flags, notes));
    if (error == Errno.ESRCH) {
      return false;
    }
    if (error != 0) {
      throw new LastErrorException(error);
    }
    return true;
  }

  /**
   * Registers a NOTE_EXIT knote asking for the exit status too, and without it if the kernel
   * refuses the status. xnu's {@code filt_procattach} ({@code bsd/kern/kern_event.c}) allows
   * NOTE_EXITSTATUS for the parent, and on macOS 11 and later also for a caller that could send
   * the target SIGKILL ({@code cansignal}), which an adopted process of this user is; otherwise it
   * fails the knote with EACCES. So adopted processes report how they ended where the kernel
   * allows it.
   *
   * @param attach applies the registration with the given fflags, returning 0 or an error number
   * @return what the last attempt returned
   */
  static int register(java.util.function.IntUnaryOperator attach) {
    int error = attach.applyAsInt(MacLibc.NOTE_EXIT | MacLibc.NOTE_EXITSTATUS);
    if (error == Errno.EACCES) {
      error = attach.applyAsInt(MacLibc.NOTE_EXIT);
    }
    return error;
  }

  @Override
  public void await(int timeoutMillis, Sink sink) {
    Memory limit = null;
    if (timeoutMillis >= 0) {
      timeout.setLong(0, timeoutMillis / 1000);
      timeout.setLong(8, (timeoutMillis % 1000) * 1_000_000L);
      limit = timeout;
    }
    int count;
    try {
      count = libc.kevent(kq, null, 0, events, MAX_EVENTS, limit);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Errno.EINTR) {
        return;
      }
      throw e;
    }
    for (int i = 0; i < count; i++) {
      long base = (long) i * MacLibc.KEVENT_SIZE;
      short filter = events.getShort(base + 8);
      int fflags = events.getInt(base + 12);
      if (filter != MacLibc.EVFILT_PROC || (fflags & MacLibc.NOTE_EXIT) == 0) {
        continue; // the wakeup knote, or a stray event
      }
      long pid = events.getLong(base);
      int status =
          (fflags & MacLibc.NOTE_EXITSTATUS) != 0
              ? (int) (events.getLong(base + 16) & 0xffff)
              : NO_STATUS;
      sink.exited(pid, status);
    }
  }

  @Override
  public void wakeup() {
    change(WAKE_IDENT, MacLibc.EVFILT_USER, (short) 0, MacLibc.NOTE_TRIGGER);
  }

  @Override
  public void close() {
    os.closeQuietly(kq); // closing the kqueue drops all its knotes
    events.close();
    timeout.close();
  }

  /**
   * Applies one change, asking for no events back: with an empty event list xnu returns the
   * change's error as errno instead of queueing it, and does not wait for events. (EV_RECEIPT is
   * avoided on purpose: some xnu versions report data 0 in the receipt even when the change
   * failed.)
   *
   * @return 0 or the error number
   */
  private int change(long ident, short filter, short flags, int fflags) {
    try (Memory change = PosixOs.zeroed(MacLibc.KEVENT_SIZE)) {
      change.setLong(0, ident);
      change.setShort(8, filter);
      change.setShort(10, flags);
      change.setInt(12, fflags);
      libc.kevent(kq, change, 1, null, 0, null);
      return 0;
    } catch (LastErrorException e) {
      return e.getErrorCode();
    }
  }
}
