package dev.sentinelzero.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where a daemon keeps its state and where its socket is: the one rule both the daemon (which
 * creates them) and the CLI (which connects) follow, so it lives with the protocol.
 *
 * <p>The home is {@code --home}, else {@code $SENTINEL_HOME}, else on macOS {@code
 * ~/Library/Application Support/SentinelZero} (logs in {@code ~/Library/Logs/SentinelZero}) and on
 * Linux {@code ${XDG_STATE_HOME:-~/.local/state}/sentinel}. The socket is {@code
 * <home>/sentinel.sock} unless that path is longer than the platform allows (106 bytes on Linux,
 * 102 on macOS, as the JDK counts), in which case it moves to a short private per-user directory:
 * {@code $XDG_RUNTIME_DIR/sentinel/} on Linux when set, else {@code /tmp/sentinel-<uid>/}, named
 * after a hash of the home so that each home keeps its own socket.
 *
 * @param home the state directory: database, lock file
 * @param logs the logs directory: the daemon's log and every process's output
 * @param socket the Unix socket
 * @param socketRelocated whether the socket moved out of the home because the path was too long
 */
public record SentinelPaths(Path home, Path logs, Path socket, boolean socketRelocated) {

  public static final String HOME_ENV = "SENTINEL_HOME";
  static final int LINUX_SOCKET_PATH_LIMIT = 106;
  static final int MACOS_SOCKET_PATH_LIMIT = 102;

  public Path database() {
    return home.resolve("sentinel.db");
  }

  public Path lockFile() {
    return home.resolve("daemon.lock");
  }

  public Path daemonLog() {
    return logs.resolve("daemon.log");
  }

  /** Paths for this user and machine; {@code homeOverride} is {@code --home}, or null. */
  public static SentinelPaths forCurrentUser(String homeOverride) throws ProtocolException {
    return resolve(
        homeOverride,
        System.getenv(),
        isMac(System.getProperty("os.name")),
        Path.of(System.getProperty("user.home")));
  }

  /** The rule itself, with every input explicit so that it can be tested. */
  public static SentinelPaths resolve(
      String homeOverride, Map<String, String> env, boolean mac, Path userHome)
      throws ProtocolException {
    Path home;
    Path logs;
    String fromEnv = env.get(HOME_ENV);
    if (homeOverride != null) {
      home = absoluteDir(homeOverride, "--home");
      logs = home.resolve("logs");
    } else if (fromEnv != null) {
      home = absoluteDir(fromEnv, HOME_ENV);
      logs = home.resolve("logs");
    } else if (mac) {
      home = userHome.resolve("Library/Application Support/SentinelZero");
      logs = userHome.resolve("Library/Logs/SentinelZero");
    } else {
      String state = env.get("XDG_STATE_HOME");
      Path base =
          state != null && !state.isEmpty() && Path.of(state).isAbsolute()
              ? Path.of(state)
              : userHome.resolve(".local/state");
      home = base.resolve("sentinel");
      logs = home.resolve("logs");
    }
    Path socket = home.resolve("sentinel.sock");
    int limit = mac ? MACOS_SOCKET_PATH_LIMIT : LINUX_SOCKET_PATH_LIMIT;
    if (byteLength(socket) <= limit) {
      return new SentinelPaths(home, logs, socket, false);
    }
    Path runtime = runtimeDirectory(env, mac);
    Path relocated = runtime.resolve(shortHash(home) + ".sock");
    if (byteLength(relocated) > limit) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT,
          "no socket path fits the "
              + limit
              + "-byte limit: both "
              + socket
              + " and "
              + relocated
              + " are too long; set "
              + HOME_ENV
              + " to a shorter directory");
    }
    return new SentinelPaths(home, logs, relocated, true);
  }

  /**
   * Checks that {@code dir} belongs to the current user and that nobody else can enter it. The CLI
   * checks the socket's directory before it sends anything (a planted socket would otherwise see
   * its requests); the daemon checks every directory it uses.
   *
   * @throws ProtocolException with a message that says what is wrong and how to fix it
   */
  public static void checkPrivateDirectory(Path dir) throws ProtocolException {
    try {
      String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
      String me = System.getProperty("user.name");
      if (!owner.equals(me)) {
        throw new ProtocolException(
            ErrorCode.INVALID_ARGUMENT,
            dir + " belongs to " + owner + ", not to " + me + "; remove it or choose another home");
      }
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
      for (PosixFilePermission p : perms) {
        if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
          throw new ProtocolException(
              ErrorCode.INVALID_ARGUMENT,
              dir + " can be entered by other users; run: chmod 700 '" + dir + "'");
        }
      }
    } catch (IOException e) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "cannot check " + dir + ": " + e.getMessage());
    }
  }

  public static boolean isMac(String osName) {
    return osName != null && osName.toLowerCase(Locale.ROOT).startsWith("mac");
  }

  private static Path runtimeDirectory(Map<String, String> env, boolean mac) {
    String xdg = env.get("XDG_RUNTIME_DIR");
    if (!mac && xdg != null && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "sentinel");
    }
    return Path.of("/tmp", "sentinel-" + new com.sun.security.auth.module.UnixSystem().getUid());
  }

  private static Path absoluteDir(String value, String source) throws ProtocolException {
    if (value.isBlank()) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, source + " is empty; give it a directory path, or unset it");
    }
    if (value.indexOf('\0') >= 0) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, source + " contains a NUL character; give a plain path");
    }
    return Path.of(value).toAbsolutePath().normalize();
  }

  private static int byteLength(Path path) {
    return path.toString().getBytes(StandardCharsets.UTF_8).length;
  }

  private static String shortHash(Path home) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(home.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
