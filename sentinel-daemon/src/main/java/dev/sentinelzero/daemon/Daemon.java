package dev.sentinelzero.daemon;

import dev.sentinelzero.daemon.logs.LogFiles;
import dev.sentinelzero.daemon.process.ProcessControl;
import dev.sentinelzero.daemon.process.ProcessControls;
import dev.sentinelzero.daemon.rpc.DaemonHandlers;
import dev.sentinelzero.daemon.rpc.Dispatcher;
import dev.sentinelzero.daemon.rpc.LogHandler;
import dev.sentinelzero.daemon.rpc.ProcessHandlers;
import dev.sentinelzero.daemon.rpc.RpcServer;
import dev.sentinelzero.daemon.store.Store;
import dev.sentinelzero.daemon.supervisor.Supervisor;
import dev.sentinelzero.protocol.Commands;
import dev.sentinelzero.protocol.DaemonInfo;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Protocol;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.SentinelPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring: builds the daemon's parts in start order and closes them in reverse.
 *
 * <p>Start: directories (0700) -> the home's lock (one daemon per home) -> logging -> the store ->
 * the process layer -> the supervisor (restores definitions, starts those that should run) -> the
 * socket server. Stop (SIGTERM, SIGINT, or {@code daemon.stop}, all through the JVM's shutdown
 * hook): the supervisor stops every process and refuses new requests -> the socket server ends
 * its connections and removes the socket -> the supervisor's thread ends -> the process layer ->
 * the store -> the lock -> logging is flushed. {@code daemon.stop} does the first step itself, on
 * its connection's thread, so that its reply can say whether every process stopped; then it exits
 * through the hook, which finds that step done.
 *
 * <p>Threads: the parts are built on the main thread before the socket accepts anything, and
 * closed by the shutdown hook's thread. How stopping the processes ended is computed once, by
 * whichever comes first of {@code daemon.stop}'s connection thread and the hook, under {@code
 * stopLock}.
 */
public final class Daemon implements DaemonHandlers.DaemonControl {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);
  /** Longest the shutdown waits for every process group to be gone before giving up on them. */
  private static final Duration SHUTDOWN_BOUND = Duration.ofMinutes(10);

  private final SentinelPaths paths;
  private final Clock clock;
  private final Instant startedAt;
  private final long startNanos;
  private final String version;
  private FileChannel lockChannel;
  private FileLock lock;
  private Store store;
  private ProcessControl os;
  private Supervisor supervisor;
  private RpcServer rpc;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Object stopLock = new Object();
  /** How stopping the processes ended, once it has; guarded by {@code stopLock}. */
  private DaemonHandlers.StopOutcome stopOutcome;
  /**
   * Whether the shutdown leaves the processes running: set by {@code daemon.stop} with {@code
   * keep_running}, or for every stop (SIGTERM included) by {@code SENTINEL_KEEP_RUNNING=1}.
   */
  private volatile boolean keepRunning = "1".equals(System.getenv("SENTINEL_KEEP_RUNNING"));

  private Daemon(SentinelPaths paths, Clock clock) {
    this.paths = paths;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.startNanos = System.nanoTime();
    this.version = readVersion();
  }

  /** Thrown when the daemon cannot start; the message is for the user, as one line. */
  static final class StartupException extends Exception {
    StartupException(String message) {
      super(message);
    }
  }

  /**
   * Runs a daemon in the foreground until it is stopped. Returns the process exit code.
   *
   * @param detach started by {@code sentinel daemon start}: leave the terminal's session, and close
   *     the standard streams once the socket answers
   */
  static int run(SentinelPaths paths, boolean detach) {
    if (detach) {
      dev.sentinelzero.daemon.process.Detach.newSession();
    }
    Daemon daemon = new Daemon(paths, dev.sentinelzero.daemon.schedule.SystemZone.live());
    try {
      daemon.start(detach);
    } catch (StartupException e) {
      System.err.println("sentinel: " + e.getMessage());
      daemon.close();
      return 1;
    } catch (Exception e) {
      System.err.println("sentinel: the daemon could not start: " + e.getMessage());
      log.error("start-up failed", e);
      daemon.close();
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(daemon::close, "sentinel-shutdown"));
    System.err.flush();
    if (detach) {
      dev.sentinelzero.daemon.process.Detach.closeStandardStreams();
    }
    daemon.awaitStop();
    return 0;
  }

  /** Events older than this are pruned: {@code SENTINEL_EVENTS_MAX_AGE_DAYS}, default 30. */
  private long eventsMaxAgeMs;

  /** At most this many events are kept: {@code SENTINEL_EVENTS_MAX_COUNT}, default 100,000. */
  private long eventsMaxCount;

  /**
   * The newest events kept of each process (and of the daemon): {@code
   * SENTINEL_EVENTS_MAX_PER_PROCESS}, default 1,000.
   */
  private int eventsPerProcess;

  /** How often processes with resource limits are sampled: {@code SENTINEL_SAMPLE_INTERVAL_MS}. */
  private long sampleIntervalMs;

  private dev.sentinelzero.daemon.supervisor.LimitSampler sampler;

  private static long positiveSetting(String name, long fallback) throws StartupException {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new StartupException(
        name + " must be a whole number above 0, got \"" + value + "\"; fix or unset it");
  }

  private void start(boolean detach) throws Exception {
    eventsMaxAgeMs = positiveSetting("SENTINEL_EVENTS_MAX_AGE_DAYS", 30) * 24 * 3600 * 1000;
    eventsMaxCount = positiveSetting("SENTINEL_EVENTS_MAX_COUNT", 100_000);
    eventsPerProcess =
        (int) Math.min(Integer.MAX_VALUE, positiveSetting("SENTINEL_EVENTS_MAX_PER_PROCESS", Store.EVENTS_PER_PROCESS));
    sampleIntervalMs = positiveSetting("SENTINEL_SAMPLE_INTERVAL_MS", 2_000);
    dev.sentinelzero.daemon.rpc.RpcSettings rpcSettings;
    try {
      rpcSettings = dev.sentinelzero.daemon.rpc.RpcSettings.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage());
    }
    Directories.preparePrivate(paths.home());
    Directories.preparePrivate(paths.logs());
    if (paths.socketRelocated()) {
      Directories.preparePrivate(paths.socket().getParent());
    }
    acquireLock();
    String level = System.getenv().getOrDefault("SENTINEL_LOG_LEVEL", "info");
    DaemonLogging.configure(paths.daemonLog(), !detach && System.console() != null, level);
    log.info(
        "sentinel daemon {} starting: pid {}, home {}, socket {}{}",
        version,
        ProcessHandle.current().pid(),
        paths.home(),
        paths.socket(),
        paths.socketRelocated() ? " (moved out of the home: its path is too long for a socket)" : "");

    Path nativeDir = paths.home().resolve("native");
    Directories.preparePrivate(nativeDir);
    dev.sentinelzero.daemon.store.SqliteLibrary.useDirectory(nativeDir);
    store = Store.open(paths.database(), clock);
    store.keepEventsPerProcess(eventsPerProcess);
    os = ProcessControls.create();
    LogFiles logFiles = new LogFiles(paths.logs());
    supervisor =
        new Supervisor(
            os,
            store,
            logFiles,
            childEnvironment(),
            clock,
            System::nanoTime,
            dev.sentinelzero.daemon.supervisor.Timer.system(),
            () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    supervisor.daemonEvent("daemon " + version + " started, pid " + ProcessHandle.current().pid());
    supervisor.restore().get();
    dev.sentinelzero.protocol.DiskStatus disk = supervisor.diskStatus().get();
    if (!dev.sentinelzero.protocol.DiskStatus.OK.equals(disk.state())) {
      // Said where the user looks: here (daemon start prints it), in daemon.log and daemon status.
      System.err.println("sentinel: warning: " + disk.message());
      log.warn("starting on a full disk: {}", disk.message());
    }
    supervisor.keepEventsFor(eventsMaxAgeMs, eventsMaxCount);
    sampler = new dev.sentinelzero.daemon.supervisor.LimitSampler(supervisor, sampleIntervalMs);

    Dispatcher dispatcher = new Dispatcher();
    new DaemonHandlers(this).registerAll(dispatcher);
    new ProcessHandlers(supervisor, os).registerAll(dispatcher);
    dispatcher.register(Commands.LOGS, new LogHandler(supervisor, logFiles, System::nanoTime));
    dispatcher.register(Commands.EVENTS, new dev.sentinelzero.daemon.rpc.EventsHandler(paths.database()));
    rpc =
        RpcServer.start(
            paths.socket(),
            dispatcher,
            paths.daemonLog(),
            rpcSettings,
            new RpcServer.Peers(os::peerPid, os::peerHungUp),
            System::nanoTime);
    log.info("listening on {}", paths.socket());
  }

  /**
   * The environment every supervised process starts from: the daemon's own, plus the home's
   * marker ({@link dev.sentinelzero.daemon.process.MarkedProcesses}).
   */
  private java.util.Map<String, String> childEnvironment() {
    java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.put(dev.sentinelzero.daemon.process.MarkedProcesses.HOME_ID, homeId(paths.home()));
    return env;
  }

  private static String homeId(Path home) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(home.toString().getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void acquireLock() throws IOException, StartupException {
    Path file = paths.lockFile();
    lockChannel =
        FileChannel.open(
            file,
            java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    lock = lockChannel.tryLock();
    if (lock == null) {
      String holder = "";
      try {
        holder = Files.readString(file, StandardCharsets.UTF_8).trim();
      } catch (IOException ignored) {
        // the pid is only for the message
      }
      lockChannel.close();
      lockChannel = null;
      throw new StartupException(
          "a daemon is already running for "
              + paths.home()
              + (holder.isEmpty() ? "" : " (pid " + holder + ")")
              + "; stop it with: sentinel daemon stop");
    }
    // The pid, for the message above; the lock itself is what counts (the kernel drops it when
    // this process dies, however it dies). Keep the channel open: closing any descriptor of the
    // file would drop the lock.
    try {
      lockChannel.truncate(0);
      lockChannel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    } catch (IOException e) {
      // A full disk: the pid is only for a message, and a daemon must start on a full disk.
    }
  }

  @Override
  public DaemonInfo info() throws ProtocolException {
    int[] counts;
    dev.sentinelzero.protocol.DiskStatus disk;
    try {
      counts = supervisor.counts().get(10, TimeUnit.SECONDS);
      disk = supervisor.diskStatus().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProtocolException(ErrorCode.UNAVAILABLE, "the daemon is shutting down");
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      throw new ProtocolException(ErrorCode.UNAVAILABLE, "the daemon is busy shutting down");
    }
    return new DaemonInfo(
        ProcessHandle.current().pid(),
        version,
        Protocol.VERSION,
        startedAt,
        (System.nanoTime() - startNanos) / 1_000_000,
        paths.home().toString(),
        paths.socket().toString(),
        paths.socketRelocated(),
        paths.logs().toString(),
        paths.database().toString(),
        counts[0],
        counts[1],
        disk);
  }

  @Override
  public DaemonHandlers.StopOutcome stopProcesses(boolean keepRunning) {
    synchronized (stopLock) {
      if (keepRunning) {
        this.keepRunning = true;
      }
      if (stopOutcome == null) {
        stopOutcome = stopAll();
      }
      return stopOutcome;
    }
  }

  /**
   * Tells streaming requests to end, then stops every process (or, keeping them running, waits
   * for the stops under way) within {@link #SHUTDOWN_BOUND}.
   */
  private DaemonHandlers.StopOutcome stopAll() {
    if (rpc != null) {
      rpc.beginStopping();
    }
    if (supervisor == null) {
      return DaemonHandlers.StopOutcome.COMPLETE;
    }
    supervisor.daemonEvent(
        "daemon stopping" + (keepRunning ? ", leaving its processes running" : ""));
    Exception failure;
    try {
      supervisor.shutdown(keepRunning).get(SHUTDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
      return unsaved(DaemonHandlers.StopOutcome.COMPLETE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = e;
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      failure = e;
    }
    java.util.Map<String, Long> left = java.util.Map.of();
    try {
      left = supervisor.unstoppedGroups().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
    log.error(
        "not every process could be stopped; they may still be running: {}",
        left.isEmpty() ? "(unknown)" : left,
        failure);
    return unsaved(new DaemonHandlers.StopOutcome(false, java.util.Map.copyOf(left)));
  }

  /**
   * Tries once more to save what waits for space (a full disk), and says in the stop's answer
   * what is lost if that fails: stopping itself never needs the disk.
   */
  private DaemonHandlers.StopOutcome unsaved(DaemonHandlers.StopOutcome outcome) {
    try {
      if (supervisor.saveNow().get(10, TimeUnit.SECONDS)) {
        return outcome;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      log.warn("cannot save the last changes: {}", e.getMessage());
    }
    return outcome.withWarning(
        "the disk is full: the latest changes could not be saved and are lost with this daemon"
            + " (the next one may start again a process that was stopped); free some space in "
            + paths.home() + " before starting it");
  }

  @Override
  public void exit() {
    Thread t = new Thread(() -> System.exit(0), "sentinel-stop-request");
    t.setDaemon(false);
    t.start();
  }

  private void awaitStop() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Graceful shutdown, in reverse start order. Runs once; later calls return at once. */
  void close() {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    try {
      log.info("stopping");
      stopProcesses(false); // at once when daemon.stop has done it already
      closeQuietly(sampler, "sampler");
      closeQuietly(rpc, "socket server");
      closeQuietly(supervisor, "supervisor");
      closeQuietly(os, "process layer");
      closeQuietly(store, "store");
      if (lock != null) {
        try {
          lock.release();
          lockChannel.close();
        } catch (IOException e) {
          log.warn("cannot release the lock: {}", e.getMessage());
        }
      }
      log.info("stopped");
    } finally {
      DaemonLogging.flushAndStop();
      stopped.countDown();
    }
  }

  private static void closeQuietly(AutoCloseable part, String what) {
    if (part == null) {
      return;
    }
    try {
      part.close();
    } catch (Exception e) {
      log.warn("closing the {} failed: {}", what, e.getMessage());
    }
  }

  private static String readVersion() {
    try (InputStream in = Daemon.class.getResourceAsStream("/sentinel-daemon.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
