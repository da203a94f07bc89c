package dev.sentinelzero.daemon.rpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sentinelzero.daemon.process.ProcessControl;
import dev.sentinelzero.daemon.process.ProcessControls;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FrameReader;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, "Hostile or careless clients", and issue 9's half-close: a real server on a real Unix
 * socket, with small limits so that each rule shows quickly, and the real process layer telling a
 * client's half-close from its close.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClientLimitsTest {
  @TempDir Path dir;
  private Path socket;
  private RpcServer server;
  private ProcessControl os;
  private final List<Client> clients = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  /** A raw client: writes bytes, reads parsed responses, can half-close. */
  private final class Client implements AutoCloseable {
    final SocketChannel channel;
    final FrameReader in;

    Client() throws IOException {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
      in =
          new FrameReader(
              new InputStream() {
                @Override
                public int read() throws IOException {
                  byte[] one = new byte[1];
                  return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                  return channel.read(ByteBuffer.wrap(b, off, len));
                }
              },
              Protocol.MAX_FRAME_BYTES * 2);
      clients.add(this);
    }

    void send(String text) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(text.getBytes(UTF_8));
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    }

    Response receive() throws Exception {
      String frame = in.next();
      assertThat(frame).as("a response before the server closed the connection").isNotNull();
      return Response.parse(frame);
    }

    /** Null once the server has closed the connection. */
    String next() throws IOException {
      return in.next();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  @BeforeEach
  void setUp() {
    socket = dir.resolve("rpc.sock");
    os = ProcessControls.create();
  }

  @AfterEach
  void tearDown() throws IOException {
    release.countDown();
    for (Client c : clients) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
    os.close();
  }

  private void start(RpcSettings settings) throws IOException {
    Dispatcher dispatcher =
        new Dispatcher()
            .register("ping", (request, exchange) -> exchange.ok(Map.of("pong", true)))
            .register(
                "hold",
                (request, exchange) -> {
                  try {
                    release.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  exchange.ok(Map.of());
                })
            .register(
                "chatty",
                (request, exchange) -> {
                  for (int i = 0; i < 100_000; i++) {
                    exchange.event("line", Map.of("text", "x".repeat(1000)));
                  }
                  exchange.ok(Map.of());
                })
            .register(
                "follow",
                (request, exchange) -> {
                  exchange.beginStream();
                  int n = 0;
                  while (!exchange.clientGone()) {
                    exchange.event("tick", Map.of("n", n++));
                    if (exchange.awaitServerStop(20)) {
                      exchange.ok(Map.of("ended", "the daemon is stopping"));
                      return;
                    }
                  }
                });
    server =
        RpcServer.start(
            socket,
            dispatcher,
            dir.resolve("daemon.log"),
            settings,
            new RpcServer.Peers(os::peerPid, os::peerHungUp),
            System::nanoTime);
  }

  private static RpcSettings settings(int max, int reserve, long idleMs, long readMs, long writeMs, long frames) {
    return new RpcSettings(max, reserve, idleMs, readMs, writeMs, frames);
  }

  private static final String PING = "{\"v\":1,\"id\":\"p\",\"cmd\":\"ping\"}\n";

  private static Response.Failure failure(Response response, ErrorCode code) {
    assertThat(response).isInstanceOf(Response.Failure.class);
    Response.Failure failure = (Response.Failure) response;
    assertThat(failure.code()).as(failure.message()).isEqualTo(code);
    return failure;
  }

  private void assertServes(Client client) throws Exception {
    client.send(PING);
    assertThat(client.receive()).isEqualTo(new Response.Ok("p", Map.of("pong", true)));
  }

  @ParameterizedTest(name = "U+{0}")
  @ValueSource(
      ints = {
        0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
        0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x3000, 0x205F, 0x85, 0xA0
      })
  void lineOfWhatJavaCallsBlank_getsOneAnswer(int codePoint) throws Exception {
    start(RpcSettings.DEFAULTS);
    Client client = new Client();
    String blank = new String(Character.toChars(codePoint));

    client.send(blank + "\n" + blank + blank + " \n" + PING);

    assertThat(failure(client.receive(), ErrorCode.INVALID_REQUEST).message()).doesNotContain("\n", "\u2028");
    failure(client.receive(), ErrorCode.INVALID_REQUEST);
    assertThat(client.receive()).isEqualTo(new Response.Ok("p", Map.of("pong", true)));
  }

  @Test
  void halfClosedClient_keepsReceivingItsStream_untilItCloses() throws Exception {
    start(RpcSettings.DEFAULTS);
    Client client = new Client();
    client.send("{\"v\":1,\"id\":\"f\",\"cmd\":\"follow\"}\n");
    assertThat(client.receive()).isInstanceOf(Response.Event.class);

    client.channel.shutdownOutput(); // what socat does once its input (echo) ends

    for (int i = 0; i < 20; i++) {
      assertThat(client.receive()).as("event %d after the half-close", i).isInstanceOf(Response.Event.class);
    }
    client.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
  }

  @Test
  void halfClosedClient_getsEveryPipelinedAnswer_thenTheServerCloses() throws Exception {
    start(RpcSettings.DEFAULTS);
    Client client = new Client();
    client.send(PING.repeat(50) + "{\"v\":1,\"id\":\"last\",\"cmd\":\"ping\"}");

    client.channel.shutdownOutput();

    for (int i = 0; i < 50; i++) {
      assertThat(client.receive()).isEqualTo(new Response.Ok("p", Map.of("pong", true)));
    }
    assertThat(client.receive()).isEqualTo(new Response.Ok("last", Map.of("pong", true)));
    assertThat(client.next()).as("end of stream once all is answered").isNull();
  }

  @Test
  void idleConnection_isClosedAfterTheIdleTimeout_withAReason() throws Exception {
    start(settings(16, 2, 300, 10_000, 10_000, 1 << 20));
    Client client = new Client();
    assertServes(client);

    Response.Failure bye = failure(client.receive(), ErrorCode.UNAVAILABLE);

    assertThat(bye.message()).contains("without a request", "SENTINEL_RPC_IDLE_TIMEOUT_MS");
    assertThat(client.next()).isNull();
  }

  @Test
  void slowRequest_isRefusedAfterTheReadTimeout_thoughItKeepsSendingBytes() throws Exception {
    start(settings(16, 2, 60_000, 400, 10_000, 1 << 20));
    Client client = new Client();
    client.send("{\"v\":1,");
    ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
    drip.scheduleAtFixedRate(
        () -> {
          try {
            client.send(" "); // a byte every 50 ms: never idle, never done
          } catch (IOException e) {
            // the server has shut its side: the answer is waiting
          }
        },
        0,
        50,
        TimeUnit.MILLISECONDS);
    try {
    Response.Failure failure = failure(client.receive(), ErrorCode.INVALID_REQUEST);
    assertThat(failure.message()).contains("did not arrive whole", "SENTINEL_RPC_READ_TIMEOUT_MS");
    } finally {
      drip.shutdownNow();
    }
  }

  @Test
  void atTheLimit_aNewcomerTakesThePlaceOfTheLongestIdle() throws Exception {
    start(settings(4, 1, 60_000, 60_000, 10_000, 1 << 20));
    List<Client> idle = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Client c = new Client();
      assertServes(c);
      idle.add(c);
    }

    Client newcomer = new Client();
    assertServes(newcomer);

    Response.Failure bye = failure(idle.get(0).receive(), ErrorCode.UNAVAILABLE);
    assertThat(bye.message()).contains("make room", "SENTINEL_RPC_MAX_CONNECTIONS");
    for (int i = 1; i < 4; i++) {
      assertServes(idle.get(i));
    }
  }

  @Test
  void streams_neverTakeTheReserve_soShortRequestsAreStillServed() throws Exception {
    start(settings(4, 2, 60_000, 60_000, 10_000, 1 << 20));
    for (int i = 0; i < 2; i++) {
      Client follower = new Client();
      follower.send("{\"v\":1,\"id\":\"f\",\"cmd\":\"follow\"}\n");
      assertThat(follower.receive()).isInstanceOf(Response.Event.class);
    }

    Client third = new Client();
    third.send("{\"v\":1,\"id\":\"f3\",\"cmd\":\"follow\"}\n");
    assertThat(failure(third.receive(), ErrorCode.UNAVAILABLE).message()).contains("too many streams");

    for (int i = 0; i < 5; i++) {
      assertServes(new Client()); // each newcomer takes the previous idle one's place
    }
  }

  @Test
  void whenEveryConnectionIsBusy_aNewcomerIsToldUnavailable() throws Exception {
    start(settings(2, 1, 60_000, 60_000, 10_000, 1 << 20));
    List<Client> busy = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Client c = new Client();
      c.send("{\"v\":1,\"id\":\"h\",\"cmd\":\"hold\"}\n");
      busy.add(c);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 2);

    Client newcomer = new Client();
    Response.Failure refused = failure(newcomer.receive(), ErrorCode.UNAVAILABLE);

    assertThat(refused.message()).contains("limit of 2 connections", "busy");
    release.countDown();
    for (Client c : busy) {
      assertThat(c.receive()).isEqualTo(new Response.Ok("h", Map.of()));
    }
    // Once their threads wait again (a moment after the answers), one of them makes room.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertServes(new Client()));
  }

  @Test
  void largeFrames_beyondTheSharedBound_areRefused_whileSmallOnesAreServed() throws Exception {
    start(settings(16, 2, 60_000, 60_000, 10_000, 1 << 20)); // 1 MiB for all large frames
    String big = "{\"v\":1,\"id\":\"big\",\"cmd\":\"ping\",\"args\":{\"pad\":\"" + "x".repeat(700_000) + "\"}}";
    Client first = new Client();
    first.send(big.substring(0, big.length() - 10)); // 700 KB held, not finished
    await().atMost(Duration.ofSeconds(10)).until(() -> server.largeFrameBytesInUse() > 600_000);

    Client second = new Client();
    second.send(big + "\n");
    Response.Failure refused = failure(second.receive(), ErrorCode.UNAVAILABLE);
    assertThat(refused.message()).contains("short of memory");
    assertServes(second);

    first.send(big.substring(big.length() - 10) + "\n");
    assertThat(first.receive()).isEqualTo(new Response.Ok("big", Map.of("pong", true)));
    assertServes(first);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.largeFrameBytesInUse() == 0);
  }

  @Test
  void clientThatDoesNotReadItsReplies_isClosedAfterTheWriteTimeout() throws Exception {
    start(settings(16, 2, 60_000, 60_000, 300, 1 << 20));
    Client greedy = new Client();
    greedy.send("{\"v\":1,\"id\":\"c\",\"cmd\":\"chatty\"}\n"); // 100 MB of replies, never read

    await().atMost(Duration.ofSeconds(20)).until(() -> server.openConnections() == 0);
    assertServes(new Client());
  }
}
