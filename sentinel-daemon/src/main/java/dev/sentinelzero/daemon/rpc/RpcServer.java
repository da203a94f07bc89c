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
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
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
 * entry; nothing a client sends can stop the server or affect other connections. Every line but an
 * empty one gets exactly one final answer.
 *
 * <p>Limits on clients ({@link RpcSettings}; the rules are {@link ConnectionTable}'s): a bounded
 * number of connections, of which a reserve is never taken by streams; a newcomer at the limit
 * takes the place of the connection that has waited longest for its client; idle, read and write
 * timeouts, enforced by {@code sentinel-rpc-timeouts}; and a bound on the memory that large frames
 * of all connections hold together ({@link FrameBudget}), beyond which a large frame is refused
 * with {@code unavailable} while small ones go on.
 *
 * <p>A client's half-close (it shut down its writing side, as {@code socat} does when its input
 * ends) is not a disconnect: the requests read before it are all answered, and a stream goes on
 * until it ends or the client closes ({@link Exchange#clientGone}).
 *
 * <p>Security: the socket's directory is 0700 and owned by the daemon's user (checked by the
 * daemon before binding), the socket itself is chmod 600 after bind, and every accepted connection
 * is checked with {@code SO_PEERCRED}: another user's connection is refused. The client's pid, read
 * once per connection where the platform allows, goes with each of its requests into the
 * transaction log.
 *
 * <p>Threads: {@code sentinel-rpc-accept} owns the server channel and admits connections; each
 * connection thread owns its channel's reading and writing; {@code sentinel-rpc-timeouts} ends
 * connections whose time is up (by shutting their input, which wakes their thread, or closing a
 * channel whose write hangs). {@link #close} is called once, by the daemon's shutdown.
 */
public final class RpcServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RpcServer.class);
  /** At most one warning a minute about clients being turned away or timed out. */
  private static final long NOTE_EVERY_NANOS = 60_000_000_000L;

  /** How the server learns about its clients from the operating system. */
  public record Peers(
      Function<SocketChannel, Long> pid, Function<SocketChannel, Boolean> hungUp) {
    /** Neither the pid nor a half-close can be told. */
    public static final Peers UNKNOWN = new Peers(channel -> null, channel -> null);
  }

  private final Path socket;
  private final Dispatcher dispatcher;
  private final UserPrincipal owner;
  private final Path daemonLog;
  private final ServerSocketChannel server;
  private final ExecutorService connections;
  private final Thread acceptor;
  private final Thread watcher;
  private final RpcSettings settings;
  private final ConnectionTable table;
  private final FrameBudget budget;
  private final LongSupplier ticker;
  private final Peers peers;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicLong numbers = new AtomicLong();
  /** The ticker's reading when the last note was logged; any thread, compare-and-set. */
  private final AtomicLong lastNote = new AtomicLong();
  private final AtomicLong turnedAway = new AtomicLong();

  private RpcServer(
      Path socket,
      Dispatcher dispatcher,
      UserPrincipal owner,
      Path daemonLog,
      ServerSocketChannel server,
      RpcSettings settings,
      Peers peers,
      LongSupplier ticker) {
    this.socket = socket;
    this.dispatcher = dispatcher;
    this.owner = owner;
    this.daemonLog = daemonLog;
    this.server = server;
    this.settings = settings;
    this.peers = peers;
    this.ticker = ticker;
    this.table = new ConnectionTable(settings);
    this.budget = new FrameBudget(settings.largeFrameBytes());
    this.lastNote.set(ticker.getAsLong() - NOTE_EVERY_NANOS);
    this.connections =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "sentinel-rpc-" + numbers.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::acceptLoop, "sentinel-rpc-accept");
    this.acceptor.setDaemon(true);
    this.watcher = new Thread(this::watchTimeouts, "sentinel-rpc-timeouts");
    this.watcher.setDaemon(true);
  }

  /**
   * Binds the socket (its directory must already be private) with the default limits and starts
   * accepting. A stale socket file is removed first: the caller holds the home's lock, so no live
   * daemon owns it.
   */
  public static RpcServer start(Path socket, Dispatcher dispatcher, Path daemonLog) throws IOException {
    return start(socket, dispatcher, daemonLog, RpcSettings.DEFAULTS, Peers.UNKNOWN, System::nanoTime);
  }

  /**
   * As {@link #start(Path, Dispatcher, Path)}, with these limits, learning each client's pid (for
   * the transaction log) and whether a client that ended its input has closed or only half-closed
   * through {@code peers}, on the connection's thread.
   *
   * @param ticker monotonic nanoseconds, for the timeouts
   */
  public static RpcServer start(
      Path socket,
      Dispatcher dispatcher,
      Path daemonLog,
      RpcSettings settings,
      Peers peers,
      LongSupplier ticker)
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
    RpcServer rpc =
        new RpcServer(socket, dispatcher, owner, daemonLog, server, settings, peers, ticker);
    rpc.acceptor.start();
    rpc.watcher.start();
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
        Connection connection = new Connection(numbers.get(), channel, ticker);
        ConnectionTable.Admission admission = table.admit(connection, ticker.getAsLong());
        if (admission instanceof ConnectionTable.Refused) {
          note("refused a connection: " + ((ConnectionTable.Refused) admission).message());
          refuse(channel, ErrorCode.UNAVAILABLE, ((ConnectionTable.Refused) admission).message());
          continue;
        }
        Connection evicted = ((ConnectionTable.Admitted) admission).evicted();
        if (evicted != null) {
          note(
              "at the limit of "
                  + settings.maxConnections()
                  + " connections (SENTINEL_RPC_MAX_CONNECTIONS): closing the ones that waited longest for their clients to make room");
          evicted.wake();
        }
        try {
          connections.execute(
              () -> {
                try {
                  serve(connection);
                } finally {
                  table.remove(connection);
                  connection.close();
                }
              });
        } catch (RuntimeException e) {
          table.remove(connection);
          throw e;
        }
      } catch (RuntimeException e) {
        log.error("cannot hand a connection to a thread", e);
        closeQuietly(channel);
      }
    }
  }

  /** Ends connections whose time is up, every tenth of the shortest timeout (10 ms to 1 s). */
  private void watchTimeouts() {
    long shortest =
        Math.min(settings.idleTimeoutMs(), Math.min(settings.readTimeoutMs(), settings.writeTimeoutMs()));
    long period = Math.max(10, Math.min(1000, shortest / 10));
    try {
      while (!closed.await(period, TimeUnit.MILLISECONDS)) {
        try {
          List<ConnectionTable.Expired> expired = table.expired(ticker.getAsLong());
          for (ConnectionTable.Expired e : expired) {
            log.debug(
                "ending connection {}: {}",
                e.connection().number,
                e.connection().farewell() == null ? "" : e.connection().farewell().message());
            if (e.closeNow()) {
              e.connection().close();
            } else {
              e.connection().wake();
            }
          }
          if (!expired.isEmpty()) {
            note(expired.size() + " connection(s) timed out; e.g. " + expired.get(0).connection().farewell().message());
          }
        } catch (RuntimeException e) {
          log.error("the connection timeout check failed; it goes on", e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A warning, at most once a minute (a flood of clients must not flood the log). */
  private void note(String what) {
    long now = ticker.getAsLong();
    long last = lastNote.get();
    turnedAway.incrementAndGet();
    if (now - last >= NOTE_EVERY_NANOS && lastNote.compareAndSet(last, now)) {
      long count = turnedAway.getAndSet(0);
      log.warn("{} ({} such event(s) in the last minute; the next are held back for a minute)", what, count);
    }
  }

  private void serve(Connection connection) {
    SocketChannel channel = connection.channel;
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
      pid = peers.pid().apply(channel);
    } catch (RuntimeException e) {
      log.warn("cannot read the client's pid", e); // the request is served all the same
    }
    FrameReader in = new FrameReader(connection.input(), Protocol.MAX_FRAME_BYTES, budget, ticker);
    connection.reader(in);
    FrameWriter out = new FrameWriter(connection.output());
    Exchange.Line line = new Exchange.Line(connection, out, table, stopping, peers.hungUp(), settings);
    try {
      while (true) {
        connection.enter(Connection.Phase.WAITING);
        String frame;
        try {
          frame = in.next();
        } catch (FrameReader.FrameTooLarge e) {
          out.write(new Response.Failure(null, ErrorCode.FRAME_TOO_LARGE, e.getMessage()));
          continue;
        } catch (FrameReader.FrameRefused e) {
          note("refused a large request: " + e.getMessage());
          out.write(new Response.Failure(null, ErrorCode.UNAVAILABLE, e.getMessage()));
          continue;
        } catch (FrameReader.MalformedFrame e) {
          out.write(new Response.Failure(null, ErrorCode.INVALID_REQUEST, e.getMessage()));
          continue;
        }
        if (frame == null || connection.farewell() != null) {
          break; // the client's input ended, or the server is ending the connection
        }
        if (frame.isEmpty()) {
          continue; // only an empty line goes unanswered: every other line is a request
        }
        connection.enter(Connection.Phase.HANDLING);
        try {
          handleFrame(frame, line, user, pid);
        } finally {
          table.endStream(connection);
        }
      }
      Connection.Farewell farewell = connection.farewell();
      if (farewell != null && channel.isOpen()) {
        out.write(new Response.Failure(null, farewell.code(), farewell.message()));
      }
    } catch (IOException e) {
      log.debug("connection ended: {}", e.getMessage());
    } finally {
      in.releaseFrame();
    }
  }

  private void handleFrame(String frame, Exchange.Line line, String user, Long pid)
      throws IOException {
    Object id = null;
    Request request = null;
    FrameWriter out = line.out();
    try {
      Map<String, Object> json = Json.parseObject(frame);
      Object rawId = json.get("id");
      id = rawId instanceof String || rawId instanceof Number ? rawId : null;
      request = Request.fromJson(json);
      Exchange exchange = new Exchange(id, line, user, pid);
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

  /**
   * Answers a connection that will not be served, and closes it. Written straight to a fresh
   * socket (its send buffer is empty, so this does not block). A client whose request write then
   * fails (the socket is closed) still finds this answer to read.
   */
  private static void refuse(SocketChannel channel, ErrorCode code, String message) {
    try {
      byte[] bytes =
          (Json.write(new Response.Failure(null, code, message).toJson()) + "\n")
              .getBytes(StandardCharsets.UTF_8);
      channel.write(ByteBuffer.wrap(bytes));
      channel.shutdownOutput();
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

  /** Connections open now, those being ended included (for tests and the daemon's status). */
  int openConnections() {
    return table.size();
  }

  /** Frame bytes that large frames hold now. */
  long largeFrameBytesInUse() {
    return budget.used();
  }

  /** Stops accepting, ends every connection, and removes the socket file. */
  @Override
  public void close() {
    beginStopping();
    closed.countDown();
    closeQuietly(server);
    connections.shutdown();
    try {
      // Streaming handlers send their final message within one poll (100 ms); idle connections
      // sit in a read and are closed after that.
      if (!connections.awaitTermination(250, TimeUnit.MILLISECONDS)) {
        table.forEach(Connection::close);
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
