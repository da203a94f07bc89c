package dev.sentinelzero.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A socket client's pid, read by the process layer from a real Unix-domain connection (issue 5:
 * the transaction log names the client's pid). The test JVM has the same {@code --add-exports} as
 * the daemon's (sentinel-daemon's pom). Client and server are both this JVM here; that the pid is
 * the other end's, not the daemon's own, is shown end to end (EventsEndToEndTest).
 */
@EnabledOnOs(OS.LINUX)
class PeerPidTest {
  @TempDir Path dir;
  private ProcessControl control;

  @BeforeEach
  void createControl() {
    control = ProcessControls.create();
  }

  @AfterEach
  void closeControl() {
    control.close();
  }

  @Test
  void peerPid_ofAnAcceptedConnection_isTheConnectingProcess() throws Exception {
    UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(address);
      try (SocketChannel client = SocketChannel.open(address);
          SocketChannel accepted = server.accept()) {
        assertThat(control.peerPid(accepted)).isEqualTo(ProcessHandle.current().pid());
      }
    }
  }

  @Test
  void peerPid_ofASocketWithoutAPeer_isNull() throws Exception {
    try (SocketChannel unconnected = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      assertThat(control.peerPid(unconnected)).isNull();
    }
  }

  @Test
  void channelFds_readsTheDescriptor_whenTheJvmExportsSunNioCh() throws Exception {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      int fd = ChannelFds.of(channel);

      assertThat(fd).isGreaterThan(2);
      assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString())
          .as("what /proc says descriptor %d is", fd)
          .startsWith("socket:[");
    }
  }
}
