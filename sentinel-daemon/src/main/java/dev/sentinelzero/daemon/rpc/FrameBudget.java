package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.protocol.FrameReader;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound on large frames that all connections hold at once ({@link
 * RpcSettings#largeFrameBytes}): each connection's reader takes from it what its frame needs
 * beyond {@link FrameReader#SMALL_FRAME_BYTES} and gives it back once the frame is handled.
 * Lock-free; any connection's thread.
 */
final class FrameBudget implements FrameReader.Budget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  FrameBudget(long limit) {
    this.limit = limit;
  }

  @Override
  public boolean tryReserve(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  @Override
  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  long used() {
    return used.get();
  }
}
