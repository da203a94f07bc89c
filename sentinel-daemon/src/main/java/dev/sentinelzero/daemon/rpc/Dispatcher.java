package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** Routes a request to the handler of its command, after checking its protocol version. */
public final class Dispatcher {
  private final Map<String, Handler> handlers = new TreeMap<>();

  public Dispatcher register(String command, Handler handler) {
    handlers.put(command, handler);
    return this;
  }

  void dispatch(Request request, Exchange exchange) throws ProtocolException, IOException {
    if (request.version() != Protocol.VERSION) {
      throw new ProtocolException(
          ErrorCode.UNSUPPORTED_VERSION,
          "protocol version "
              + request.version()
              + " is not supported; this daemon speaks version "
              + Protocol.VERSION
              + " (is the CLI from another build? run: sentinel daemon stop, then try again)");
    }
    Handler handler = handlers.get(request.command());
    if (handler == null) {
      throw new ProtocolException(
          ErrorCode.UNKNOWN_COMMAND,
          "unknown command \""
              + request.command()
              + "\"; commands are: "
              + String.join(", ", handlers.keySet()));
    }
    handler.handle(request, exchange);
  }
}
