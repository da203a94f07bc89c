package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.DaemonInfo;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the daemon's main class, run in its own JVM by the launcher tests. It takes the
 * real daemon's arguments ({@code --home DIR daemon run [--detach]}), writes them and its pid into
 * the home, listens on {@code <home>/sentinel.sock} and answers {@code ping}, {@code daemon.status},
 * {@code list} and {@code daemon.stop}. With {@code FAKE_DAEMON_FAIL} set it writes two lines to
 * stderr and exits with 1 instead. It exits by itself after a minute, whatever happens.
 */
public final class FakeDaemon {
  private static final Instant STARTED = Instant.now();

  private FakeDaemon() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[1]);
    Files.createDirectories(home);
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(home.resolve("fake-daemon.args"), String.join(" ", args));
    Files.writeString(home.resolve("fake-daemon.pid"), Long.toString(ProcessHandle.current().pid()));
    if (System.getenv("FAKE_DAEMON_FAIL") != null) {
      System.err.println("fake daemon: starting");
      System.err.println("fake daemon: cannot open " + home.resolve("sentinel.db"));
      System.exit(1);
    }
    ScheduledExecutorService reaper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fake-daemon-reaper");
              t.setDaemon(true);
              return t;
            });
    reaper.schedule(() -> System.exit(2), 60, TimeUnit.SECONDS);

    Path socket = home.resolve("sentinel.sock");
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    System.err.println("fake daemon: ready");
    if (List.of(args).contains("--detach")) {
      System.out.close();
      System.err.close();
    }
    while (true) {
      SocketChannel connection = server.accept();
      Thread thread = new Thread(() -> serve(connection, home, socket), "fake-daemon-connection");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private static void serve(SocketChannel connection, Path home, Path socket) {
    try (connection) {
      FrameReader reader =
          new FrameReader(Channels.newInputStream(connection), Protocol.MAX_FRAME_BYTES);
      FrameWriter writer = new FrameWriter(Channels.newOutputStream(connection));
      String frame;
      while ((frame = reader.next()) != null) {
        Map<String, Object> request = Json.parseObject(frame);
        Object id = request.get("id");
        long pid = ProcessHandle.current().pid();
        switch ((String) request.get("cmd")) {
          case "ping":
          case "daemon.status":
            writer.write(new Response.Ok(id, info(home, socket, pid).toJson()));
            break;
          case "list":
            writer.write(new Response.Ok(id, Map.of("processes", List.of())));
            break;
          case "daemon.stop":
            writer.write(new Response.Ok(id, Map.of("stopping", true, "pid", pid)));
            Files.deleteIfExists(socket);
            System.exit(0);
            break;
          default:
            writer.write(new Response.Failure(id, ErrorCode.UNKNOWN_COMMAND, "fake: unknown"));
        }
      }
    } catch (IOException | RuntimeException | dev.sentinelzero.protocol.ProtocolException e) {
      // The client went away or sent nonsense; the tests look at what the CLI saw.
    }
  }

  private static DaemonInfo info(Path home, Path socket, long pid) {
    return new DaemonInfo(
        pid, "fake", Protocol.VERSION, STARTED, Instant.now().toEpochMilli() - STARTED.toEpochMilli(),
        home.toString(), socket.toString(), false, home.resolve("logs").toString(),
        home.resolve("sentinel.db").toString(), 0, 0);
  }
}
