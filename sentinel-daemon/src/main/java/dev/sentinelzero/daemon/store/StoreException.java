package dev.sentinelzero.daemon.store;

/** The database could not do what was asked; the message says what is wrong and what to do. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
