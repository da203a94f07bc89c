package dev.sentinelzero.daemon.rpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.DaemonInfo;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FrameReader;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Response;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daemon.stop} on a real socket, against a daemon whose stop the test decides: a process
 * that cannot be stopped cannot be made for real (root kills anything, and a process stuck in the
 * kernel cannot be produced on demand), so the outcome comes from the test. Issue 5: the reply
 * says which processes could not be stopped, so that {@code sentinel daemon stop} can fail.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DaemonHandlersTest {
  @TempDir Path dir;
  private RpcServer server;
  private final CompletableFuture<DaemonHandlers.StopOutcome> outcome = new CompletableFuture<>();
  private final CountDownLatch stopBegan = new CountDownLatch(1);
  private final CountDownLatch exited = new CountDownLatch(1);
  private final AtomicInteger stops = new AtomicInteger();
  private volatile Boolean keptRunning;

  private final DaemonHandlers.DaemonControl daemon =
      new DaemonHandlers.DaemonControl() {
        @Override
        public DaemonInfo info() throws ProtocolException {
          throw new ProtocolException(ErrorCode.UNAVAILABLE, "not in this test");
        }

        @Override
        public DaemonHandlers.StopOutcome stopProcesses(boolean keepRunning) {
          stops.incrementAndGet();
          keptRunning = keepRunning;
          stopBegan.countDown();
          return outcome.join();
        }

        @Override
        public void exit() {
          exited.countDown();
        }
      };

  @BeforeEach
  void setUp() throws Exception {
    Dispatcher dispatcher = new Dispatcher();
    new DaemonHandlers(daemon).registerAll(dispatcher);
    server = RpcServer.start(dir.resolve("rpc.sock"), dispatcher, dir.resolve("daemon.log"));
  }

  @AfterEach
  void tearDown() {
    outcome.complete(DaemonHandlers.StopOutcome.COMPLETE); // never leave a handler waiting
    server.close();
  }

  @Test
  void daemonStop_answersOnceEveryProcessIsStopped_thenExits() throws Exception {
    try (SocketChannel client = connect()) {
      send(client, "{\"v\":1,\"id\":1,\"cmd\":\"daemon.stop\"}");
      assertThat(stopBegan.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(exited.getCount()).as("exited before the processes were stopped").isEqualTo(1);

      outcome.complete(DaemonHandlers.StopOutcome.COMPLETE);
      Map<String, Object> result = ok(receive(client));

      assertThat(result)
          .containsEntry("stopping", true)
          .containsEntry("keep_running", false)
          .containsEntry("stopped_all", true)
          .containsEntry("not_stopped", List.of());
      assertThat(((Number) result.get("pid")).longValue()).isEqualTo(ProcessHandle.current().pid());
      assertThat(exited.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(keptRunning).isFalse();
    }
  }

  @Test
  void daemonStop_namesTheProcessesItCouldNotStop() throws Exception {
    outcome.complete(new DaemonHandlers.StopOutcome(false, Map.of("web", 4242L)));
    try (SocketChannel client = connect()) {
      send(client, "{\"v\":1,\"id\":1,\"cmd\":\"daemon.stop\",\"args\":{\"keep_running\":true}}");
      Map<String, Object> result = ok(receive(client));

      assertThat(result).containsEntry("stopped_all", false).containsEntry("keep_running", true);
      assertThat(result.get("not_stopped")).isEqualTo(List.of(Map.of("name", "web", "pgid", 4242)));
      assertThat(exited.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(keptRunning).isTrue();
    }
  }

  @Test
  void daemonStop_exitsEvenWhenTheClientLeftMeanwhile() throws Exception {
    try (SocketChannel client = connect()) {
      send(client, "{\"v\":1,\"id\":1,\"cmd\":\"daemon.stop\"}");
      assertThat(stopBegan.await(5, TimeUnit.SECONDS)).isTrue();
    }
    outcome.complete(DaemonHandlers.StopOutcome.COMPLETE);

    assertThat(exited.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void daemonStop_withAnUnknownArgument_isRefused_andStopsNothing() throws Exception {
    try (SocketChannel client = connect()) {
      send(client, "{\"v\":1,\"id\":1,\"cmd\":\"daemon.stop\",\"args\":{\"force\":true}}");
      Response response = receive(client);

      assertThat(response).isInstanceOf(Response.Failure.class);
      assertThat(((Response.Failure) response).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(stops).hasValue(0);
      assertThat(exited.getCount()).isEqualTo(1);
    }
  }

  private SocketChannel connect() throws Exception {
    return SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("rpc.sock")));
  }

  private static void send(SocketChannel client, String line) throws Exception {
    ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(UTF_8));
    while (bytes.hasRemaining()) {
      client.write(bytes);
    }
  }

  private static Response receive(SocketChannel client) throws Exception {
    String frame =
        new FrameReader(Channels.newInputStream(client), Protocol.MAX_FRAME_BYTES).next();
    assertThat(frame).as("an answer before the connection closed").isNotNull();
    return Response.parse(frame);
  }

  private static Map<String, Object> ok(Response response) {
    assertThat(response).as("%s", response).isInstanceOf(Response.Ok.class);
    return ((Response.Ok) response).result();
  }
}
