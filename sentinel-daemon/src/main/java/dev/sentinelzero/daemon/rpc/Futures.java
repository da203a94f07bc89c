package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.daemon.store.StoreException;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Waits for a supervisor future on a connection thread, unwrapping its failure. */
final class Futures {
  private Futures() {}

  static <T> T await(CompletableFuture<T> future) throws ProtocolException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProtocolException(ErrorCode.UNAVAILABLE, "the daemon is shutting down");
    } catch (CancellationException e) {
      throw new ProtocolException(ErrorCode.UNAVAILABLE, "the request was cancelled");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof ProtocolException) {
        throw (ProtocolException) cause;
      }
      if (cause instanceof StoreException) {
        throw (StoreException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IllegalStateException(cause);
    }
  }
}
