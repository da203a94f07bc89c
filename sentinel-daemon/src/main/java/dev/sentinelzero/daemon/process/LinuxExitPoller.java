package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exit notifications from pidfds in one epoll set. {@code pidfd_open} (Linux 5.3) gives a
 * descriptor that becomes readable when the process has exited, including when it is already a
 * zombie at the time of opening, and that names this process, not whatever later reuses its pid. An
 * eventfd in the same set lets {@link #wakeup} interrupt {@code epoll_wait}.
 *
 * <p>State: {@code pidfds} is shared (added to by spawning threads, removed from by the watcher
 * thread); {@code events} belongs to the watcher thread. Registering with {@code epoll_ctl} while
 * another thread blocks in {@code epoll_wait} on the same set is supported by the kernel.
 */
final class LinuxExitPoller implements ExitPoller {
  private static final int MAX_EVENTS = 64;
  private static final long WAKEUP = -1L; // epoll data of the eventfd; pids are positive

  // struct epoll_event is packed on x86_64 (12 bytes, data at 4), naturally aligned elsewhere.
  private static final boolean PACKED = Platform.isIntel();
  private static final int EVENT_BYTES = PACKED ? 12 : 16;
  private static final int DATA_OFFSET = PACKED ? 4 : 8;

  private final LinuxLibc libc;
  private final LinuxOs os;
  private final int epollFd;
  private final int wakeFd;
  private final Memory events = PosixOs.zeroed(MAX_EVENTS * EVENT_BYTES);
  private final ConcurrentHashMap<Long, Integer> pidfds = new ConcurrentHashMap<>();

  LinuxExitPoller(LinuxLibc libc, LinuxOs os) {
    this.libc = libc;
    this.os = os;
    this.epollFd = libc.epoll_create1(LinuxLibc.EPOLL_CLOEXEC);
    try {
      this.wakeFd = libc.eventfd(0, LinuxLibc.EFD_CLOEXEC | LinuxLibc.EFD_NONBLOCK);
    } catch (LastErrorException e) {
      os.closeQuietly(epollFd);
      throw e;
    }
    register(wakeFd, WAKEUP);
  }

  @Override
  public boolean add(long pid, boolean ourChild) {
    int fd;
    try {
      fd = (int) libc.syscall(LinuxLibc.SYS_PIDFD_OPEN, (int) pid, 0);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Errno.ESRCH) {
        return false;
      }
      throw e;
    }
    if (pidfds.putIfAbsent(pid, fd) != null) {
      os.closeQuietly(fd);
      throw new IllegalStateException("pid " + pid + " is already being watched");
    }
    try {
      register(fd, pid);
    } catch (LastErrorException e) {
      pidfds.remove(pid);
      os.closeQuietly(fd);
      throw e;
    }
    return true;
  }

  @Override
  public void await(int timeoutMillis, Sink sink) {
    int count;
    try {
      count = libc.epoll_wait(epollFd, events, MAX_EVENTS, timeoutMillis < 0 ? -1 : timeoutMillis);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Errno.EINTR) {
        return;
      }
      throw e;
    }
    for (int i = 0; i < count; i++) {
      long data = events.getLong((long) i * EVENT_BYTES + DATA_OFFSET);
      if (data == WAKEUP) {
        drainWakeups();
        continue;
      }
      Integer fd = pidfds.remove(data);
      if (fd == null) {
        continue; // reported already
      }
      os.closeQuietly(fd); // closing the only reference also takes it out of the epoll set
      sink.exited(data, NO_STATUS);
    }
  }

  @Override
  public void wakeup() {
    try (Memory one = new Memory(8)) {
      one.setLong(0, 1);
      libc.write(wakeFd, one, 8);
    } catch (LastErrorException e) {
      // EAGAIN: the counter is saturated, so a wakeup is pending anyway
    }
  }

  @Override
  public void close() {
    pidfds.values().forEach(os::closeQuietly);
    pidfds.clear();
    os.closeQuietly(wakeFd);
    os.closeQuietly(epollFd);
    events.close();
  }

  private void drainWakeups() {
    try (Memory counter = new Memory(8)) {
      libc.read(wakeFd, counter, 8);
    } catch (LastErrorException e) {
      // EAGAIN: drained by an earlier event in the same batch
    }
  }

  private void register(int fd, long data) {
    try (Memory event = PosixOs.zeroed(EVENT_BYTES)) {
      event.setInt(0, LinuxLibc.EPOLLIN);
      event.setLong(DATA_OFFSET, data);
      libc.epoll_ctl(epollFd, LinuxLibc.EPOLL_CTL_ADD, fd, event);
    }
  }
}
