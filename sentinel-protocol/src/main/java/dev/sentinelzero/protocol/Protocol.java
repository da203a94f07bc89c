package dev.sentinelzero.protocol;

/** Constants of the wire protocol; see docs/protocol.md. */
public final class Protocol {
  /** The protocol version this build speaks. A request with another version is refused. */
  public static final int VERSION = 1;

  /** Largest frame (one line, without its newline) either side accepts, in bytes. */
  public static final int MAX_FRAME_BYTES = 1 << 20;

  private Protocol() {}
}
