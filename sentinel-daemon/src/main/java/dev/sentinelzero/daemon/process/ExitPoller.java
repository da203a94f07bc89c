package dev.sentinelzero.daemon.process;

/**
 * The kernel's exit notifications for a set of pids: pidfd + epoll on Linux, kqueue EVFILT_PROC on
 * macOS. Each registered pid is reported once and then forgotten. {@link #add} and {@link #wakeup}
 * may be called from any thread while the exit-watcher thread blocks in {@link #await}; {@link
 * #close} only after that thread has stopped.
 */
interface ExitPoller extends AutoCloseable {
  /** The raw-status argument of {@link Sink#exited} when the event carries no status. */
  int NO_STATUS = -1;

  /** Receives exits, on the thread that called {@link #await}. */
  interface Sink {
    /**
     * @param waitStatus the wait(2) status word if the kernel delivered it with the event (macOS,
     *     for our children), else {@link #NO_STATUS}
     */
    void exited(long pid, int waitStatus);
  }

  /**
   * Starts watching {@code pid}.
   *
   * @param ourChild whether it is our child (macOS then asks for its exit status with the event)
   * @return false if there is no such process to watch: it was reaped already, never existed, or
   *     (macOS) is already a zombie; no event will come for it
   * @throws com.sun.jna.LastErrorException on any other failure (e.g. EMFILE)
   */
  boolean add(long pid, boolean ourChild);

  /**
   * Blocks until at least one watched process exits, {@link #wakeup} is called, or the timeout
   * passes, and reports the exits to the sink.
   *
   * @param timeoutMillis how long to wait at most; negative for no limit
   */
  void await(int timeoutMillis, Sink sink);

  /** Makes a blocked or the next {@link #await} return soon. */
  void wakeup();

  /** Frees the kernel objects and native memory. */
  @Override
  void close();
}
