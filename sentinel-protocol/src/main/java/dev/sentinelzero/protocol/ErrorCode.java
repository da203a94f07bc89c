package dev.sentinelzero.protocol;

import java.util.Locale;

/**
 * The stable error codes of the protocol. Their wire names (lower snake case) never change; the
 * CLI maps them to exit codes in one place.
 */
public enum ErrorCode {
  /** The frame is not a well-formed request: bad JSON, missing or mistyped envelope field. */
  INVALID_REQUEST,
  /** The request's protocol version is not one this daemon speaks. */
  UNSUPPORTED_VERSION,
  /** The command name is not known. */
  UNKNOWN_COMMAND,
  /** An argument is missing, of the wrong type or out of range. */
  INVALID_ARGUMENT,
  /** The named process (or other object) does not exist. */
  NOT_FOUND,
  /** The request conflicts with existing state (for example, the name is taken). */
  CONFLICT,
  /** The frame is longer than {@link Protocol#MAX_FRAME_BYTES}. */
  FRAME_TOO_LARGE,
  /** The program could not be started (for example, it is not in an executable format). */
  LAUNCH_FAILED,
  /** The client is not allowed to use this daemon (another user's connection). */
  FORBIDDEN,
  /** The daemon is shutting down or at its connection limit; try again. */
  UNAVAILABLE,
  /** A bug or an unexpected failure inside the daemon; its log has the details. */
  INTERNAL;

  /** The code as written on the wire, e.g. {@code not_found}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The code for a wire name; unknown names (from a newer daemon) map to {@link #INTERNAL}. */
  public static ErrorCode fromWire(String wireName) {
    for (ErrorCode code : values()) {
      if (code.wireName().equals(wireName)) {
        return code;
      }
    }
    return INTERNAL;
  }
}
