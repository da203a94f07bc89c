package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.DaemonInfo;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.SentinelPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Finds the daemon of a home and connects to it, starting it first when none runs (as PM2 does)
 * unless {@code SENTINEL_NO_AUTOSTART=1}.
 *
 * <p>"Not running" means: the socket's directory or the socket file does not exist, or nobody
 * listens on it (a stale socket left by a crash). Before connecting, the socket's directory must
 * belong to this user and be closed to others: a socket planted in someone else's directory would
 * otherwise receive our requests, environment values included.
 */
final class Connector {
  private final Context context;
  private final String homeOverride;
  private final PrintWriter err;
  private SentinelPaths paths;

  /**
   * @param homeOverride {@code --home}, or null
   * @param err where the note about an autostarted daemon goes
   */
  Connector(Context context, String homeOverride, PrintWriter err) {
    this.context = context;
    this.homeOverride = homeOverride;
    this.err = err;
  }

  /** The home, socket and log paths this CLI uses, resolved once. */
  SentinelPaths paths() throws ProtocolException {
    if (paths == null) {
      paths =
          SentinelPaths.resolve(
              homeOverride,
              context.env(),
              SentinelPaths.isMac(System.getProperty("os.name")),
              Path.of(System.getProperty("user.home")));
    }
    return paths;
  }

  Context context() {
    return context;
  }

  PrintWriter err() {
    return err;
  }

  /** A connection to the running daemon, or null when none is running. */
  DaemonClient tryConnect() throws ProtocolException {
    Path socket = paths().socket();
    Path dir = socket.getParent();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try {
      SentinelPaths.checkPrivateDirectory(dir);
    } catch (ProtocolException e) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE, "will not connect to " + socket + ": " + e.getMessage());
    }
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try {
      return DaemonClient.connect(socket);
    } catch (ConnectException e) {
      return null; // a socket file nobody listens on: left behind by a daemon that died
    } catch (IOException e) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE, "cannot connect to the daemon at " + socket + ": " + e.getMessage());
    }
  }

  /** A connection to the daemon, started first when it is not running and autostart is on. */
  DaemonClient connect() throws ProtocolException {
    DaemonClient client = tryConnect();
    if (client != null) {
      return client;
    }
    if (!context.autostart()) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE,
          "the daemon is not running ("
              + Context.NO_AUTOSTART_ENV
              + "=1 keeps commands from starting it); start it with: "
              + startHint());
    }
    DaemonInfo info = new DaemonLauncher(this).startInBackground().info();
    err.println("sentinel: started the daemon (pid " + info.pid() + ")");
    err.flush();
    client = tryConnect();
    if (client == null) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE,
          "the daemon (pid " + info.pid() + ") started but stopped answering; see " + logHint());
    }
    return client;
  }

  /** The command that starts this daemon, with {@code --home} when it was given. */
  String startHint() {
    return homeOverride == null
        ? "sentinel daemon start"
        : "sentinel --home '" + homeOverride + "' daemon start";
  }

  String logHint() {
    try {
      return paths().daemonLog().toString();
    } catch (ProtocolException e) {
      return "the daemon's log";
    }
  }
}
