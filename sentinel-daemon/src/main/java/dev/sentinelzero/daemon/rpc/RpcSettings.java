package dev.sentinelzero.daemon.rpc;

import java.util.Map;

/**
 * The limits the socket server puts on its clients, from the daemon's environment (README, "Daemon
 * settings"; docs/protocol.md, "Limits"). Values are checked once, at start.
 *
 * @param maxConnections connections open at once ({@code SENTINEL_RPC_MAX_CONNECTIONS})
 * @param reservedConnections of those, how many streams ({@code logs}/{@code events} with {@code
 *     follow}) may never take, so that short requests always find room ({@code
 *     SENTINEL_RPC_RESERVED_CONNECTIONS})
 * @param idleTimeoutMs how long a connection may wait without sending a request ({@code
 *     SENTINEL_RPC_IDLE_TIMEOUT_MS}); streams are exempt
 * @param readTimeoutMs how long a request may take to arrive whole once its first byte has ({@code
 *     SENTINEL_RPC_READ_TIMEOUT_MS})
 * @param writeTimeoutMs how long one reply may wait for a client that does not read it ({@code
 *     SENTINEL_RPC_WRITE_TIMEOUT_MS}); streams are exempt
 * @param largeFrameBytes frame bytes beyond each connection's first 16 KiB that all connections
 *     together may hold at once ({@code SENTINEL_RPC_LARGE_FRAME_BYTES})
 */
public record RpcSettings(
    int maxConnections,
    int reservedConnections,
    long idleTimeoutMs,
    long readTimeoutMs,
    long writeTimeoutMs,
    long largeFrameBytes) {

  public static final RpcSettings DEFAULTS =
      new RpcSettings(256, 8, 300_000, 10_000, 30_000, 16L << 20);

  public RpcSettings {
    if (maxConnections < 2 || maxConnections > 10_000) {
      throw new IllegalArgumentException(
          "SENTINEL_RPC_MAX_CONNECTIONS must be between 2 and 10000, got " + maxConnections);
    }
    if (reservedConnections < 1 || reservedConnections >= maxConnections) {
      throw new IllegalArgumentException(
          "SENTINEL_RPC_RESERVED_CONNECTIONS must be at least 1 and below SENTINEL_RPC_MAX_CONNECTIONS ("
              + maxConnections
              + "), got "
              + reservedConnections);
    }
    positive("SENTINEL_RPC_IDLE_TIMEOUT_MS", idleTimeoutMs);
    positive("SENTINEL_RPC_READ_TIMEOUT_MS", readTimeoutMs);
    positive("SENTINEL_RPC_WRITE_TIMEOUT_MS", writeTimeoutMs);
    if (largeFrameBytes < 0) {
      throw new IllegalArgumentException(
          "SENTINEL_RPC_LARGE_FRAME_BYTES must be 0 or more, got " + largeFrameBytes);
    }
  }

  /**
   * The settings in {@code env}, the defaults for those not set.
   *
   * @throws IllegalArgumentException naming the variable, for a value that is not a whole number
   *     in its range
   */
  public static RpcSettings fromEnvironment(Map<String, String> env) {
    return new RpcSettings(
        (int) number(env, "SENTINEL_RPC_MAX_CONNECTIONS", DEFAULTS.maxConnections),
        (int) number(env, "SENTINEL_RPC_RESERVED_CONNECTIONS", DEFAULTS.reservedConnections),
        number(env, "SENTINEL_RPC_IDLE_TIMEOUT_MS", DEFAULTS.idleTimeoutMs),
        number(env, "SENTINEL_RPC_READ_TIMEOUT_MS", DEFAULTS.readTimeoutMs),
        number(env, "SENTINEL_RPC_WRITE_TIMEOUT_MS", DEFAULTS.writeTimeoutMs),
        number(env, "SENTINEL_RPC_LARGE_FRAME_BYTES", DEFAULTS.largeFrameBytes));
  }

  /** How many streams may run at once: the connections less the reserve. */
  int maxStreams() {
    return maxConnections - reservedConnections;
  }

  private static long number(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(value.strip());
      if (n <= Integer.MAX_VALUE || name.endsWith("_MS") || name.endsWith("_BYTES")) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(
        name + " must be a whole number, got \"" + value + "\"; fix or unset it");
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be above 0, got " + value);
    }
  }
}
