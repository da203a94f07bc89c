package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import java.io.IOException;

/**
 * Answers one command. Called on the connection's thread; it must end the exchange with exactly
 * one {@link Exchange#ok} (after any number of events), or throw {@link ProtocolException} for an
 * error reply. An {@link IOException} means the client went away.
 */
@FunctionalInterface
public interface Handler {
  void handle(Request request, Exchange exchange) throws ProtocolException, IOException;
}
