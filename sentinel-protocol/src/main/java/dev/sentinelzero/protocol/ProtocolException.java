package dev.sentinelzero.protocol;

/**
 * A failure with a stable {@link ErrorCode} and a message a person can act on. Thrown by decoding
 * and argument validation on either side, and carried to the client as an error response.
 */
public final class ProtocolException extends Exception {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
