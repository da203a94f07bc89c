package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: a daemon at its connection limit answers {@code unavailable} and closes without
 * reading the request; the CLI, whose request write then fails ("Broken pipe"), prints the
 * daemon's answer and exits 3.
 */
class RefusedConnectionTest {
  @TempDir Path home;

  @Test
  void requestRefusedBeforeItWasRead_printsTheDaemonsAnswer_notBrokenPipe() throws Exception {
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    String refusal =
        Json.write(
                new Response.Failure(
                        null,
                        ErrorCode.UNAVAILABLE,
                        "the daemon is at its limit of 256 connections (SENTINEL_RPC_MAX_CONNECTIONS), all busy; try again shortly")
                    .toJson())
            + "\n";
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(home.resolve("sentinel.sock")));
      Thread refuser =
          new Thread(
              () -> {
                try (SocketChannel c = server.accept()) {
                  c.write(ByteBuffer.wrap(refusal.getBytes(StandardCharsets.UTF_8)));
                  c.shutdownInput(); // what the daemon's refusal amounts to: nothing more is read
                } catch (IOException e) {
                  // the test fails on the CLI's output instead
                }
              },
              "refuser");
      refuser.start();

      // A request larger than the socket's buffer: its write cannot finish before the close.
      Cli.Result r =
          Cli.run(
              Cli.context(home),
              "start", "--name", "web", "--cwd", "/tmp", "--env", "BIG=" + "x".repeat(600_000), "--", "/bin/true");

      assertThat(r.exit()).as("%s", r).isEqualTo(ExitCodes.UNREACHABLE);
      assertThat(r.err()).contains("limit of 256 connections").doesNotContain("Broken pipe");
      refuser.join(10_000);
    }
  }
}
