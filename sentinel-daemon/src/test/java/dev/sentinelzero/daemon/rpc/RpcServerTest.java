package dev.sentinelzero.daemon.rpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.daemon.store.StoreException;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FrameReader;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real server on a real Unix socket, with handlers written for each test. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RpcServerTest {
  @TempDir Path dir;
  private Path socket;
  private Path daemonLog;
  private Dispatcher dispatcher;
  private RpcServer server;
  private final CountDownLatch handlerEnded = new CountDownLatch(1);
  private final CountDownLatch streaming = new CountDownLatch(1);

  /** One client connection: writes raw lines, reads parsed responses. */
  private final class Client implements AutoCloseable {
    final SocketChannel channel;
    final OutputStream out;
    final FrameReader in;

    Client() throws IOException {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
      out = Channels.newOutputStream(channel);
      in = new FrameReader(Channels.newInputStream(channel), Protocol.MAX_FRAME_BYTES);
    }

    void send(String line) throws IOException {
      sendBytes((line + "\n").getBytes(UTF_8));
    }

    void sendBytes(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    Response receive() throws Exception {
      String frame = in.next();
      assertThat(frame).as("a response before the server closed the connection").isNotNull();
      return Response.parse(frame);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    socket = dir.resolve("rpc.sock");
    daemonLog = dir.resolve("daemon.log");
    dispatcher =
        new Dispatcher()
            .register("ping", (request, exchange) -> exchange.ok(Map.of("pong", true)))
            .register(
                "refuse",
                (request, exchange) -> {
                  throw new ProtocolException(ErrorCode.NOT_FOUND, "no process named web");
                })
            .register(
                "crash",
                (request, exchange) -> {
                  throw new IllegalStateException("boom");
                })
            .register(
                "store",
                (request, exchange) -> {
                  throw new StoreException("cannot save web: disk full", null);
                })
            .register("silent", (request, exchange) -> {})
            .register(
                "count",
                (request, exchange) -> {
                  for (int i = 1; i <= 3; i++) {
                    exchange.event("tick", Map.of("n", i));
                  }
                  exchange.ok(Map.of("total", 3));
                })
            .register(
                "follow",
                (request, exchange) -> {
                  exchange.event("started", Map.of());
                  streaming.countDown();
                  try {
                    while (!exchange.clientGone()) {
                      if (exchange.awaitServerStop(10)) {
                        exchange.ok(Map.of("ended", "the daemon is stopping"));
                        return;
                      }
                    }
                  } finally {
                    handlerEnded.countDown();
                  }
                });
    server = RpcServer.start(socket, dispatcher, daemonLog);
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void start_createsSocketReadableOnlyByItsOwner() throws Exception {
    assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void answersRequest_echoingItsId() throws Exception {
    try (Client client = new Client()) {
      client.send("{\"v\":1,\"id\":\"a1\",\"cmd\":\"ping\"}");
      client.send("{\"v\":1,\"id\":42,\"cmd\":\"ping\"}");

      assertThat(client.receive()).isEqualTo(new Response.Ok("a1", Map.of("pong", true)));
      assertThat(client.receive()).isEqualTo(new Response.Ok(42, Map.of("pong", true)));
    }
  }

  private static Response.Failure failure(Response response, Object id, ErrorCode code) {
    assertThat(response).isInstanceOf(Response.Failure.class);
    Response.Failure failure = (Response.Failure) response;
    assertThat(failure.id()).isEqualTo(id);
    assertThat(failure.code()).isEqualTo(code);
    return failure;
  }

  @Test
  void answersBadFramesWithErrors_andKeepsTheConnection() throws Exception {
    try (Client client = new Client()) {
      client.send("{not json");
      client.send("[1,2]");
      client.sendBytes(new byte[] {'{', (byte) 0xFF, '}', '\n'});
      client.send("x".repeat(Protocol.MAX_FRAME_BYTES + 1));
      client.send("{\"v\":1,\"id\":\"7\"}");
      client.send("");
      client.send("   ");
      client.send("{\"v\":1,\"id\":\"8\",\"cmd\":\"ping\"}");

      assertThat(failure(client.receive(), null, ErrorCode.INVALID_REQUEST).message())
          .startsWith("malformed JSON");
      assertThat(failure(client.receive(), null, ErrorCode.INVALID_REQUEST).message())
          .contains("got an array");
      assertThat(failure(client.receive(), null, ErrorCode.INVALID_REQUEST).message())
          .contains("UTF-8");
      failure(client.receive(), null, ErrorCode.FRAME_TOO_LARGE);
      assertThat(failure(client.receive(), "7", ErrorCode.INVALID_REQUEST).message())
          .contains("\"cmd\"");
      // The empty line goes unanswered; a line of spaces is a (bad) request like any other.
      assertThat(failure(client.receive(), null, ErrorCode.INVALID_REQUEST).message())
          .contains("only spaces");
      assertThat(client.receive()).isEqualTo(new Response.Ok("8", Map.of("pong", true)));
    }
  }

  @Test
  void answersVersionCommandAndHandlerErrors_withTheRequestId() throws Exception {
    try (Client client = new Client()) {
      client.send("{\"v\":2,\"id\":\"1\",\"cmd\":\"ping\"}");
      client.send("{\"v\":1,\"id\":\"2\",\"cmd\":\"nope\"}");
      client.send("{\"v\":1,\"id\":\"3\",\"cmd\":\"refuse\"}");

      failure(client.receive(), "1", ErrorCode.UNSUPPORTED_VERSION);
      failure(client.receive(), "2", ErrorCode.UNKNOWN_COMMAND);
      assertThat(client.receive())
          .isEqualTo(new Response.Failure("3", ErrorCode.NOT_FOUND, "no process named web"));
    }
  }

  @Test
  void turnsHandlerFailuresIntoInternalErrors_andKeepsServing() throws Exception {
    try (Client client = new Client()) {
      client.send("{\"v\":1,\"id\":\"1\",\"cmd\":\"crash\"}");
      client.send("{\"v\":1,\"id\":\"2\",\"cmd\":\"store\"}");
      client.send("{\"v\":1,\"id\":\"3\",\"cmd\":\"silent\"}");
      client.send("{\"v\":1,\"id\":\"4\",\"cmd\":\"ping\"}");

      assertThat(failure(client.receive(), "1", ErrorCode.INTERNAL).message())
          .contains("IllegalStateException", daemonLog.toString());
      assertThat(failure(client.receive(), "2", ErrorCode.INTERNAL).message())
          .isEqualTo("cannot save web: disk full");
      assertThat(failure(client.receive(), "3", ErrorCode.INTERNAL).message())
          .contains("no reply", daemonLog.toString());
      assertThat(client.receive().isFinal()).isTrue();
    }
  }

  @Test
  void sendsStreamEventsBeforeTheFinalReply() throws Exception {
    try (Client client = new Client()) {
      client.send("{\"v\":1,\"id\":\"s\",\"cmd\":\"count\"}");

      for (int i = 1; i <= 3; i++) {
        assertThat(client.receive()).isEqualTo(new Response.Event("s", "tick", Map.of("n", i)));
      }
      assertThat(client.receive()).isEqualTo(new Response.Ok("s", Map.of("total", 3)));
    }
  }

  @Test
  void servesConnectionsIndependently() throws Exception {
    try (Client first = new Client();
        Client second = new Client()) {
      first.send("{\"v\":1,\"id\":\"f\",\"cmd\":\"follow\"}");
      assertThat(first.receive()).isEqualTo(new Response.Event("f", "started", Map.of()));

      second.send("{\"v\":1,\"id\":\"p\",\"cmd\":\"ping\"}");

      assertThat(second.receive()).isEqualTo(new Response.Ok("p", Map.of("pong", true)));
    }
  }

  @Test
  void beginStopping_endsStreamingRequestWithAFinalReply() throws Exception {
    try (Client client = new Client()) {
      client.send("{\"v\":1,\"id\":\"f\",\"cmd\":\"follow\"}");
      assertThat(client.receive()).isEqualTo(new Response.Event("f", "started", Map.of()));

      server.beginStopping();

      assertThat(client.receive())
          .isEqualTo(new Response.Ok("f", Map.of("ended", "the daemon is stopping")));
    }
  }

  @Test
  void clientGone_endsStreamingRequestWhenTheClientHangsUp() throws Exception {
    Client client = new Client();
    client.send("{\"v\":1,\"id\":\"f\",\"cmd\":\"follow\"}");
    assertThat(streaming.await(5, TimeUnit.SECONDS)).isTrue();

    client.close();

    assertThat(handlerEnded.await(5, TimeUnit.SECONDS)).as("the handler saw the client go").isTrue();
  }

  @Test
  void close_removesTheSocketFile() {
    server.close();

    assertThat(socket).doesNotExist();
  }
}
