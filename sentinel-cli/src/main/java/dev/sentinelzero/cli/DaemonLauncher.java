package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.DaemonInfo;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the daemon JVM: in the background for {@code daemon start} and autostart, or as a child
 * in the foreground for {@code daemon run} (when the CLI JVM, not bin/sentinel, handles it).
 *
 * <p>The command is {@code <java.home>/bin/java <JVM_OPTIONS> -cp <daemon class path>
 * dev.sentinelzero.daemon.Main --home <home> daemon run [--detach]}. The home is always passed
 * explicitly, so the daemon and this CLI agree on it whatever the daemon's environment says. The
 * class path is {@link Context#daemonClasspath()} when set, else {@code
 * sentinel-daemon/target/sentinel-daemon.jar} in the repository this CLI was built in (its
 * manifest's Class-Path names the jars in {@code target/lib/}).
 */
final class DaemonLauncher {
  /**
   * The daemon's JVM: serial GC, a small initial heap, C1 only and a small code cache. Measured
   * (docs/performance.md): 61 MiB resident with no process and 78 MiB with 1,000, against 88 and
   * 213 MiB with the JVM's defaults; the daemon's live heap is about 10 MiB. The export lets the
   * daemon read a socket's descriptor, to record each client's pid in its transaction log
   * (without it the pid is left out). The same flags are in bin/sentinel for {@code daemon run}.
   */
  static final java.util.List<String> JVM_OPTIONS =
      java.util.List.of(
          "-XX:+UseSerialGC",
          "-Xms8m",
          "-Xmx128m",
          "-XX:TieredStopAtLevel=1",
          "-Xss512k",
          "-XX:ReservedCodeCacheSize=32m",
          "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");

  /** How long a starting daemon may take to answer {@code ping}. */
  static final long START_TIMEOUT_MS = 20_000;

  /** How long one {@code ping} may take. */
  static final long PING_TIMEOUT_MS = 2_000;

  /** How often a starting daemon is polled, in milliseconds. */
  private static final long POLL_MS = 50;

  private static final int STDERR_LINES_KEPT = 5;

  /** A daemon that answered {@code ping}: its info and the result as sent. */
  record Answer(DaemonInfo info, Map<String, Object> json) {}

  private final Connector connector;
  private final Context context;

  DaemonLauncher(Connector connector) {
    this.connector = connector;
    this.context = connector.context();
  }

  /** Pings a connected daemon. */
  static Answer ping(DaemonClient client) throws ProtocolException {
    Map<String, Object> json = client.call(Commands.PING, Map.of(), PING_TIMEOUT_MS);
    return new Answer(DaemonInfo.fromJson(json), json);
  }

  /**
   * Starts the daemon detached and returns once it answers {@code ping}. The daemon's stderr is
   * read meanwhile; when it exits first, its last lines are printed to {@code err}.
   */
  Answer startInBackground() throws ProtocolException {
    Process process = start(command(true), false);
    StderrTail tail = new StderrTail(process.getErrorStream());
    tail.start();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    ProtocolException lastFailure = null;
    while (true) {
      try {
        Answer answer = tryPing();
        if (answer != null) {
          return answer;
        }
      } catch (ProtocolException e) {
        if (e.code() != ErrorCode.UNAVAILABLE) {
          throw e; // the daemon answered, and said no
        }
        lastFailure = e; // the daemon may still be creating its directories
      }
      if (!process.isAlive()) {
        Answer answer = tryPingQuietly(); // another sentinel may have started one meanwhile
        if (answer != null) {
          return answer;
        }
        tail.awaitEnd();
        List<String> lines = tail.lines();
        PrintWriter err = connector.err();
        for (String line : lines) {
          err.println("sentinel: daemon: " + line);
        }
        err.flush();
        throw new ProtocolException(
            ErrorCode.UNAVAILABLE,
            "the daemon exited with code "
                + process.exitValue()
                + " before it answered"
                + (lines.isEmpty() ? "; see " + connector.logHint() : ""));
      }
      if (System.nanoTime() - deadline > 0) {
        if (lastFailure != null) {
          throw lastFailure;
        }
        throw new ProtocolException(
            ErrorCode.UNAVAILABLE,
            "the daemon (pid "
                + process.pid()
                + ") did not answer within "
                + Units.duration(START_TIMEOUT_MS)
                + "; see "
                + connector.logHint());
      }
      try {
        process.waitFor(POLL_MS, TimeUnit.MILLISECONDS); // a pause that ends early on exit
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProtocolException(ErrorCode.UNAVAILABLE, "interrupted while the daemon started");
      }
    }
  }

  /**
   * Runs the daemon as a child with this terminal, and returns its exit code. A shutdown hook
   * passes a ctrl-C or SIGTERM of this JVM on (SIGTERM) and waits for the daemon to finish.
   */
  int runInForeground() throws ProtocolException, InterruptedException {
    Process process = start(command(false), true);
    Thread hook = new Thread(new Stopper(process), "sentinel-daemon-stopper");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = process.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down already; the hook finds the daemon gone.
    }
    return code;
  }

  /** The daemon's command line. */
  List<String> command(boolean detach) throws ProtocolException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.add("-cp");
    command.add(classpath());
    command.add(context.daemonMainClass());
    command.add("--home");
    command.add(connector.paths().home().toString());
    command.add("daemon");
    command.add("run");
    if (detach) {
      command.add("--detach");
    }
    return command;
  }

  /** The daemon's class path, every entry absolute. */
  String classpath() throws ProtocolException {
    String configured = context.daemonClasspath();
    if (configured != null && !configured.isBlank()) {
      StringBuilder out = new StringBuilder();
      for (String entry : configured.split(File.pathSeparator)) {
        if (entry.isEmpty()) {
          continue;
        }
        if (out.length() > 0) {
          out.append(File.pathSeparatorChar);
        }
        out.append(context.cwd().resolve(entry).normalize());
      }
      return out.toString();
    }
    Path jar = besideThisCli();
    if (!Files.isRegularFile(jar)) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE,
          "cannot start the daemon: "
              + jar
              + " does not exist; build it with ./mvnw -DskipTests package (bin/sentinel does so"
              + " by itself)");
    }
    return jar.toString();
  }

  /**
   * {@code sentinel-daemon/target/sentinel-daemon.jar} of the repository this CLI runs from: this
   * class lives in {@code sentinel-cli/target/sentinel-cli.jar} or, in tests, {@code
   * sentinel-cli/target/classes}.
   */
  private static Path besideThisCli() throws ProtocolException {
    try {
      Path location =
          Path.of(DaemonLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path repo = location.getParent().getParent().getParent();
      return repo.resolve("sentinel-daemon").resolve("target").resolve("sentinel-daemon.jar");
    } catch (URISyntaxException | RuntimeException e) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE,
          "cannot find sentinel-daemon.jar beside this CLI (" + e + "); run it with bin/sentinel");
    }
  }

  private Process start(List<String> command, boolean foreground) throws ProtocolException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(context.env());
    builder.directory(new File("/")); // a daemon must not keep a directory busy
    if (foreground) {
      builder.inheritIO();
    } else {
      builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.redirectError(ProcessBuilder.Redirect.PIPE);
    }
    try {
      return builder.start();
    } catch (IOException e) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE, "cannot start the daemon (" + command.get(0) + "): " + e.getMessage());
    }
  }

  private Answer tryPing() throws ProtocolException {
    DaemonClient client = connector.tryConnect();
    if (client == null) {
      return null;
    }
    try (client) {
      return ping(client);
    } catch (ProtocolException e) {
      if (e.code() == ErrorCode.UNAVAILABLE) {
        return null; // listening, but not answering yet
      }
      throw e;
    }
  }

  private Answer tryPingQuietly() {
    try {
      return tryPing();
    } catch (ProtocolException e) {
      return null;
    }
  }

  /** Keeps the last lines the starting daemon wrote to stderr. Runs on its own thread. */
  private static final class StderrTail implements Runnable {
    private final InputStream in;
    private final Thread thread;
    private final ArrayDeque<String> lines = new ArrayDeque<>(); // guarded by itself

    StderrTail(InputStream in) {
      this.in = in;
      this.thread = new Thread(this, "sentinel-daemon-stderr");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    @Override
    public void run() {
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          synchronized (lines) {
            if (lines.size() == STDERR_LINES_KEPT) {
              lines.removeFirst();
            }
            lines.addLast(line);
          }
        }
      } catch (IOException e) {
        // The pipe broke: whatever was read is all there is.
      }
    }

    /** Waits a moment for the rest of the output of a daemon that has exited. */
    void awaitEnd() {
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    List<String> lines() {
      synchronized (lines) {
        return new ArrayList<>(lines);
      }
    }
  }

  /** The shutdown hook of {@link #runInForeground()}: SIGTERM to the daemon, then wait. */
  private static final class Stopper implements Runnable {
    private final Process process;

    Stopper(Process process) {
      this.process = process;
    }

    @Override
    public void run() {
      process.destroy();
      boolean interrupted = false;
      while (true) {
        try {
          process.waitFor();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
