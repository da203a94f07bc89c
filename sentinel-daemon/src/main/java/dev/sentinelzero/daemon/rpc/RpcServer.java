package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.daemon.store.StoreException;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.FrameReader;
import dev.sentinelzero.protocol.FrameWriter;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import dev.sentinelzero.protocol.Response;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Unix-socket server: accepts connections, checks that each comes from the daemon's own user,
 * and runs each connection on its own thread ({@code sentinel-rpc-N}), reading newline-delimited
 * request frames and writing their replies in order.
 *
 * <p>A bad frame (malformed JSON, too long, not UTF-8, a wrong envelope) gets an error reply and
 * the connection goes on; a handler's failure becomes an {@code internal} error reply and a log
 * entry; nothing a client sends can stop the server or affect other connections.
 *
 * <p>Security: the socket's directory is 0700 and owned by the daemon's user (checked by the
 * daemon before binding), the socket itself is chmod 600 after bind, and every accepted connection
 * is checked with {@code SO_PEERCRED}: another user's connection is refused. The client's pid, read
 * once per connection where the platform allows (see {@link #start(Path, Dispatcher, Path,
 * Function)}), goes with each of its requests into the transaction log.
 *
 * <p>Threads: {@code sentinel-rpc-accept} owns the server channel; each connection thread owns its
 * channel. {@link #close} is called once, by the daemon's shutdown.
 */
public final class RpcServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RpcServer.class);
  static final int MAX_CONNECTIONS = 256;

  private final Path socket;
  private final Dispatcher dispatcher;
  private final UserPrincipal owner;
  private final Path daemonLog;
  private final ServerSocketChannel server;
  private final ExecutorService connections;
  private final Thread acceptor;
  private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final Function<SocketChannel, Long> peerPid;

  private RpcServer(
      Path socket,
      Dispatcher dispatcher,
      UserPrincipal owner,
      Path daemonLog,
      ServerSocketChannel server,
      Function<SocketChannel, Long> peerPid) {
    this.socket = socket;
    this.dispatcher = dispatcher;
    this.owner = owner;
    this.daemonLog = daemonLog;
    this.server = server;
    this.peerPid = peerPid;
    AtomicInteger n = new AtomicInteger();
    this.connections =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "sentinel-rpc-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::acceptLoop, "sentinel-rpc-accept");
    this.acceptor.setDaemon(true);
  }

  /**
   * Binds the socket (its directory must already be private) and starts accepting. A stale socket
   * file is removed first: the caller holds the home's lock, so no live daemon owns it.
   */
  public static RpcServer start(Path socket, Dispatcher dispatcher, Path daemonLog) throws IOException {
    return start(socket, dispatcher, daemonLog, channel -> null);
  }

  /**
   * As {@link #start(Path, Dispatcher, Path)}, recording each client's pid (for the transaction
   * log) as {@code peerPid} reads it from a new connection, on that connection's thread; null
   * where it cannot be read.
   */
  public static RpcServer start(
      Path socket, Dispatcher dispatcher, Path daemonLog, Function<SocketChannel, Long> peerPid)
      throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket), 64);
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
    }
    UserPrincipal owner = Files.getOwner(socket.getParent());
    RpcServer rpc = new RpcServer(socket, dispatcher, owner, daemonLog, server, peerPid);
    rpc.acceptor.start();
    return rpc;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.warn("accept failed: {}", e.getMessage());
        continue;
      }
      try {
        if (!slots.tryAcquire()) {
          refuse(channel, ErrorCode.UNAVAILABLE, "too many connections (" + MAX_CONNECTIONS + "); try again");
          continue;
        }
        open.add(channel);
        connections.execute(
            () -> {
              try {
                serve(channel);
              } finally {
                open.remove(channel);
                slots.release();
                closeQuietly(channel);
              }
            });
      } catch (RuntimeException e) {
        log.error("cannot hand a connection to a thread", e);
        closeQuietly(channel);
      }
    }
  }

  private void serve(SocketChannel channel) {
    String user = "?";
    try {
      UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
      if (peer != null) {
        user = peer.user().getName();
      }
      if (peer != null && !peer.user().equals(owner)) {
        log.warn("refused a connection from user {}", peer.user().getName());
        refuse(channel, ErrorCode.FORBIDDEN, "this daemon belongs to " + owner.getName());
        return;
      }
    } catch (UnsupportedOperationException e) {
      // The socket's 0700 directory and 0600 mode still keep other users out.
    } catch (IOException e) {
      log.warn("cannot read the peer's credentials: {}", e.getMessage());
      return;
    }
    Long pid = null;
    try {
      pid = peerPid.apply(channel);
    } catch (RuntimeException e) {
      log.warn("cannot read the client's pid", e); // the request is served all the same
    }
    FrameReader in = new FrameReader(Channels.newInputStream(channel), Protocol.MAX_FRAME_BYTES);
    FrameWriter out = new FrameWriter(Channels.newOutputStream(channel));
    try {
      while (true) {
        String frame;
        try {
          frame = in.next();
        } catch (FrameReader.FrameTooLarge e) {
          out.write(new Response.Failure(null, ErrorCode.FRAME_TOO_LARGE, e.getMessage()));
          continue;
        } catch (FrameReader.MalformedFrame e) {
          out.write(new Response.Failure(null, ErrorCode.INVALID_REQUEST, e.getMessage()));
          continue;
        }
        if (frame == null) {
          return;
        }
        if (frame.isBlank()) {
          continue;
        }
        handleFrame(frame, channel, out, user, pid);
      }
    } catch (IOException e) {
      log.debug("connection ended: {}", e.getMessage());
    }
  }

  private void handleFrame(
      String frame, SocketChannel channel, FrameWriter out, String user, Long pid)
      throws IOException {
    Object id = null;
    Request request = null;
    try {
      Map<String, Object> json = Json.parseObject(frame);
      Object rawId = json.get("id");
      id = rawId instanceof String || rawId instanceof Number ? rawId : null;
      request = Request.fromJson(json);
      Exchange exchange = new Exchange(id, out, channel, stopping, user, pid);
      dispatcher.dispatch(request, exchange);
      if (!exchange.finished() && !exchange.clientGone()) {
        log.error("handler of {} returned without a reply", request.command());
        out.write(new Response.Failure(id, ErrorCode.INTERNAL, "the daemon sent no reply; see " + daemonLog));
      }
    } catch (ProtocolException e) {
      out.write(Response.Failure.of(id, e));
    } catch (StoreException e) {
      log.error("{} failed in the store", request == null ? "request" : request.command(), e);
      out.write(new Response.Failure(id, ErrorCode.INTERNAL, e.getMessage()));
    } catch (IOException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      log.error("{} failed", request == null ? "request" : request.command(), e);
      out.write(
          new Response.Failure(
              id,
              ErrorCode.INTERNAL,
              "internal error (" + e.getClass().getSimpleName() + "); the daemon log has details: " + daemonLog));
    }
  }

  private static void refuse(SocketChannel channel, ErrorCode code, String message) {
    try {
      new FrameWriter(Channels.newOutputStream(channel)).write(new Response.Failure(null, code, message));
    } catch (IOException ignored) {
      // the client is gone anyway
    } finally {
      closeQuietly(channel);
    }
  }

  /** Tells streaming handlers to end; they send their final reply within their poll delay. */
  public void beginStopping() {
    stopping.countDown();
  }

  /** Stops accepting, ends every connection, and removes the socket file. */
  @Override
  public void close() {
    beginStopping();
    closeQuietly(server);
    connections.shutdown();
    try {
      // Streaming handlers send their final message within one poll (100 ms); idle connections
      // sit in a read and are closed after that.
      if (!connections.awaitTermination(250, TimeUnit.MILLISECONDS)) {
        open.forEach(RpcServer::closeQuietly);
        connections.shutdownNow();
        connections.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("cannot remove {}: {}", socket, e.getMessage());
    }
  }

  private static void closeQuietly(java.nio.channels.Channel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
