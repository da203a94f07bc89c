package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FrameReader;
import dev.sentinelzero.protocol.FrameWriter;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in daemon inside the test JVM: listens on a Unix socket, records every request frame
 * and lets the test's handler answer with canned frames. Each connection gets its own thread.
 */
final class FakeServer implements AutoCloseable {
  /** Answers one request by writing frames to {@code out}. Runs on the connection's thread. */
  interface Handler {
    void handle(Map<String, Object> request, FrameWriter out) throws Exception;
  }

  private final Path socket;
  private final ServerSocketChannel server;
  private final Handler handler;
  private final List<Map<String, Object>> requests = new CopyOnWriteArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();

  private FakeServer(Path socket, Handler handler) throws IOException {
    this.socket = socket;
    this.handler = handler;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread acceptor = new Thread(this::acceptLoop, "fake-server-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on {@code <home>/sentinel.sock}, where the CLI looks for the daemon of that home. */
  static FakeServer start(Path home, Handler handler) throws IOException {
    return new FakeServer(home.resolve("sentinel.sock"), handler);
  }

  /** A handler that answers every request with the same result. */
  static Handler answering(Map<String, Object> result) {
    return (request, out) -> out.write(ok(request, result));
  }

  /** A handler that fails every request. */
  static Handler failing(ErrorCode code, String message) {
    return (request, out) -> out.write(new Response.Failure(request.get("id"), code, message));
  }

  static Response ok(Map<String, Object> request, Map<String, Object> result) {
    return new Response.Ok(request.get("id"), result);
  }

  /** The request frames received so far, parsed. */
  List<Map<String, Object>> requests() {
    return List.copyOf(requests);
  }

  /** Exceptions thrown by the handler: a test should find none. */
  List<Throwable> failures() {
    return List.copyOf(failures);
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      SocketChannel connection;
      try {
        connection = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Thread thread = new Thread(() -> serve(connection), "fake-server-connection");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void serve(SocketChannel connection) {
    try (connection) {
      FrameReader reader =
          new FrameReader(Channels.newInputStream(connection), Protocol.MAX_FRAME_BYTES);
      FrameWriter writer = new FrameWriter(Channels.newOutputStream(connection));
      String frame;
      while ((frame = reader.next()) != null) {
        Map<String, Object> request = Json.parseObject(frame);
        requests.add(request);
        handler.handle(request, writer);
      }
    } catch (IOException e) {
      // The client went away.
    } catch (Throwable t) {
      failures.add(t);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(socket);
  }
}
