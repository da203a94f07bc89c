package dev.sentinelzero.daemon;

import static org.awaitility.Awaitility.await;

import dev.sentinelzero.protocol.FrameReader;
import dev.sentinelzero.protocol.FrameWriter;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import dev.sentinelzero.protocol.Response;
import dev.sentinelzero.protocol.SentinelPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real daemon in its own JVM on a temporary home, for end-to-end tests: started from the test
 * class path with the same entry point launchd uses, stopped with SIGTERM. Its log is printed
 * when {@link #dumpLog} is called (tests call it on failure).
 */
final class RunningDaemon implements AutoCloseable {
  final Path home;
  final SentinelPaths paths;
  private Process process;
  private final Path output;
  private boolean exportNio = true;
  private List<String> jvmFlags = List.of();
  private Map<String, String> environment = Map.of();

  private RunningDaemon(Path home) throws ProtocolException {
    this(home, home.resolveSibling(home.getFileName() + "-daemon.out"));
  }

  private RunningDaemon(Path home, Path output) throws ProtocolException {
    this.home = home;
    this.paths = SentinelPaths.resolve(home.toString(), Map.of(), false, Path.of("/nonexistent"));
    this.output = output;
  }

  static RunningDaemon start(Path home) throws Exception {
    RunningDaemon d = new RunningDaemon(home);
    d.launch();
    return d;
  }

  /** A daemon whose stdout and stderr go to {@code output} (not next to a home on a small disk). */
  static RunningDaemon start(Path home, Path output) throws Exception {
    RunningDaemon d = new RunningDaemon(home, output);
    d.launch();
    return d;
  }

  /** What the daemon printed on its stdout and stderr. */
  String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * A daemon with these environment variables (daemon settings) and JVM flags, e.g. the {@code
   * -Xmx128m} that DaemonLauncher and bin/sentinel give it.
   */
  static RunningDaemon start(Path home, Map<String, String> environment, String... jvmFlags)
      throws Exception {
    RunningDaemon d = new RunningDaemon(home);
    d.environment = Map.copyOf(environment);
    d.jvmFlags = List.of(jvmFlags);
    d.launch();
    return d;
  }

  /**
   * A daemon whose JVM lacks the {@code --add-exports} that DaemonLauncher and bin/sentinel give
   * it, as when someone starts it with a plain {@code java -cp}: it cannot read clients' pids.
   */
  static RunningDaemon startWithoutNioExport(Path home) throws Exception {
    RunningDaemon d = new RunningDaemon(home);
    d.exportNio = false;
    d.launch();
    return d;
  }

  /** Command line of a daemon on this home; the test class path holds the daemon's classes. */
  List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.addAll(jvmFlags);
    if (exportNio) {
      cmd.add("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"); // as DaemonLauncher: client pids
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.sentinelzero.daemon.Main");
    cmd.add("--home");
    cmd.add(home.toString());
    cmd.add("daemon");
    cmd.add("run");
    return cmd;
  }

  void launch() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    pb.environment().remove("SENTINEL_HOME");
    pb.environment().put("SENTINEL_SAMPLE_INTERVAL_MS", "200");
    pb.environment().putAll(environment);
    process = pb.start();
    try {
      awaitAnswer();
    } catch (RuntimeException | Error e) {
      process.destroyForcibly(); // never leave a daemon behind a failed start
      throw e;
    }
  }

  private void awaitAnswer() {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "the daemon exited with " + process.exitValue() + ": " + Files.readString(output));
              }
              try (Client c = client()) {
                return c.call("ping", Map.of()) instanceof Response.Ok;
              } catch (IOException e) {
                return false;
              }
            });
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  /** SIGTERM, then waits for the JVM to exit; returns its exit code. */
  int stop() throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return process == null ? 0 : process.exitValue();
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the daemon did not stop within 60 s");
    }
    return process.exitValue();
  }

  /** SIGTERM and start a new daemon on the same home. */
  void restart() throws Exception {
    stop();
    launch();
  }

  String log() {
    try {
      return Files.readString(paths.daemonLog()) + "\n--- stdout/stderr ---\n" + Files.readString(output);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  Client client() throws IOException {
    return new Client(paths.socket());
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  /** A raw protocol client: what a script with socat would do. */
  static final class Client implements AutoCloseable {
    private static final AtomicLong ids = new AtomicLong();
    final SocketChannel channel;
    final FrameReader in;
    final FrameWriter out;

    Client(Path socket) throws IOException {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
      // Not Channels.newInputStream/newOutputStream: those hold the channel's blocking lock while
      // a read blocks, so another thread could not write meanwhile (pipelining tests do).
      in =
          new FrameReader(
              new java.io.InputStream() {
                @Override
                public int read() throws IOException {
                  byte[] one = new byte[1];
                  return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                  return channel.read(java.nio.ByteBuffer.wrap(b, off, len));
                }
              },
              Protocol.MAX_FRAME_BYTES * 2);
      out =
          new FrameWriter(
              new java.io.OutputStream() {
                @Override
                public void write(int b) throws IOException {
                  write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                  java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
                  while (buf.hasRemaining()) {
                    channel.write(buf);
                  }
                }
              });
    }

    Response call(String cmd, Map<String, Object> args) throws IOException {
      out.write(Request.of("t" + ids.incrementAndGet(), cmd, args));
      return next();
    }

    void sendRaw(String text) throws IOException {
      channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    void sendRaw(byte[] bytes) throws IOException {
      channel.write(java.nio.ByteBuffer.wrap(bytes));
    }

    Response next() throws IOException {
      String frame = in.next();
      if (frame == null) {
        throw new IOException("the daemon closed the connection");
      }
      try {
        return Response.parse(frame);
      } catch (ProtocolException e) {
        throw new UncheckedIOException(new IOException(e.getMessage()));
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
