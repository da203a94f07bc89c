package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ProcessControl} over a {@link NativeOs}: spawns with posix_spawn, learns of exits on the
 * {@link ExitWatcher}'s thread, tears groups down and reaps on the {@link GroupReaper}'s thread,
 * and samples with {@link GroupSampler} on the caller's thread.
 *
 * <p>Threads and state: {@code leaders} (every spawned or adopted leader until its group's
 * termination completes) is a concurrent map, added to by spawning/adopting threads, marked by the
 * exit watcher, and removed from by the group reaper; {@code spawning} (run ids of spawns under
 * way) is a concurrent set written by spawning threads and read by the group reaper. Everything else here is immutable after
 * construction, apart from the flags {@code closed} and {@code peerPidFailureTold} and the atomic
 * run counter.
 */
final class NativeProcessControl implements ProcessControl {
  private static final Logger log = LoggerFactory.getLogger(NativeProcessControl.class);
  private static final Duration START_TOLERANCE = Duration.ofSeconds(2);

  private final NativeOs os;
  private final Map<Long, Leader> leaders = new ConcurrentHashMap<>();
  /** Run ids between posix_spawn and their leader's entry in {@code leaders}. */
  private final Set<String> spawning = ConcurrentHashMap.newKeySet();
  private final GroupSampler sampler;
  private final GroupReaper reaper;
  private final ExitWatcher watcher;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean peerPidFailureTold = new AtomicBoolean();
  /** Run ids are this prefix, random per control, and a counter: unique across daemon runs. */
  private final String runIdPrefix = Long.toHexString(new SecureRandom().nextLong() | 1L << 63);
  private final AtomicLong runCounter = new AtomicLong();

  NativeProcessControl(NativeOs os, LongSupplier nanoTicker) {
    this.os = os;
    this.sampler = new GroupSampler(nanoTicker);
    this.reaper = new GroupReaper(os, nanoTicker, leaders, spawning, sampler::forget);
    this.watcher = new ExitWatcher(os, this::leaderExited);
  }

  @Override
  public ChildProcess spawn(LaunchSpec spec, Consumer<ExitStatus> onExit) throws LaunchException {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(onExit, "onExit");
    ensureOpen();
    String runId = runIdPrefix + "." + runCounter.incrementAndGet();
    Map<String, String> environment = new HashMap<>(spec.environment());
    environment.put(MarkedProcesses.RUN_ID, runId);
    LaunchSpec marked =
        new LaunchSpec(
            spec.executable(), spec.argv(), environment, spec.cwd(), spec.stdout(), spec.stderr());
    spawning.add(runId); // before the child exists: a sweep must never take it for a stray
    int pid;
    try {
      pid = os.spawn(marked);
    } catch (LaunchException | RuntimeException e) {
      spawning.remove(runId);
      throw e;
    }
    Instant startTime = os.startTime(pid);
    RunMark mark =
        new RunMark(
        environment.get(MarkedProcesses.HOME_ID),
        environment.get(MarkedProcesses.NAME),
        runId,
        environment.containsKey(MarkedProcesses.HEALTH_CHECK));
    leaders.put((long) pid, new Leader(pid, true, mark, startTime));
    spawning.remove(runId);
    try {
      watcher.watch(pid, true, onExit);
    } catch (RuntimeException e) {
      // Never leave a child behind that nobody would notice ending.
      os.signalGroup(pid, os.signals().parse("KILL").number());
      os.reapBlocking(pid);
      leaders.remove((long) pid);
      int errno = e instanceof LastErrorException lee ? lee.getErrorCode() : 0;
      String reason = errno != 0 ? os.strerror(errno) : e.getMessage();
      throw new LaunchException(
          errno,
          "started "
              + spec.executable()
              + " but could not watch it for its exit ("
              + reason
              + "), so it was killed");
    }
    return new ChildProcess(pid, startTime);
  }

  @Override
  public boolean adopt(ChildProcess process, Consumer<ExitStatus> onExit) {
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(onExit, "onExit");
    ensureOpen();
    long pid = process.pid();
    if (pid < 2) {
      return false;
    }
    Instant startTime = os.startTime(pid);
    if (startTime == null || !os.isLive(pid) || !sameStart(process.startTime(), startTime)) {
      return false; // gone, or its pid now belongs to another process
    }
    // Its run's marker, from its environment: processes started by an earlier build carry no run
    // id, and then home and name stand for the run (RunMark#sameRun).
    List<String> environment = os.environment(pid);
    RunMark mark = environment == null ? null : RunMark.parse(environment);
    if (mark != null && mark.legacy() && mark.name() == null) {
      mark = null; // nothing to tell its run's processes by
    }
    Leader leader = new Leader(pid, false, mark, startTime);
    if (leaders.putIfAbsent(pid, leader) != null) {
      throw new IllegalStateException("process " + pid + " is already supervised");
    }
    try {
      if (watcher.watch(pid, false, onExit)) {
        return true;
      }
    } catch (RuntimeException e) {
      leaders.remove(pid, leader);
      throw e;
    }
    leaders.remove(pid, leader);
    return false;
  }

  @Override
  public boolean signalGroup(long pgid, Signal signal) {
    Objects.requireNonNull(signal, "signal");
    int error = os.signalGroup(pgid, signal.number());
    if (error == Errno.EPERM) {
      log.warn(
          "signal {} to process group {} was refused (EPERM): a member runs as another user",
          signal.name(),
          pgid);
      return true;
    }
    return error == 0;
  }

  @Override
  public CompletableFuture<Void> terminateGroup(long pgid, Signal first, long timeoutMs) {
    Objects.requireNonNull(first, "first");
    ensureOpen();
    return reaper.terminate(pgid, first, timeoutMs);
  }

  @Override
  public CompletableFuture<Void> terminateStrays(String homeId, Signal first, long timeoutMs) {
    Objects.requireNonNull(homeId, "homeId");
    Objects.requireNonNull(first, "first");
    ensureOpen();
    return reaper.terminateStrays(homeId, first, timeoutMs);
  }

  @Override
  public boolean belongsToWatchedRun(long pid) {
    List<String> environment = os.environment(pid);
    RunMark mark = environment == null ? null : RunMark.parse(environment);
    if (mark == null) {
      return false;
    }
    for (Leader leader : leaders.values()) {
      if (leader.pid() != pid && leader.mark() != null && leader.mark().sameRun(mark)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Signal signal(String nameOrNumber) {
    return os.signals().parse(nameOrNumber);
  }

  @Override
  public Map<Long, ResourceUsage> sample(Collection<Long> pgids) {
    Set<Long> groups = new LinkedHashSet<>(pgids);
    return sampler.sample(groups, os.liveMembers(groups));
  }

  @Override
  public Long peerPid(SocketChannel channel) {
    int fd = ChannelFds.of(channel);
    if (fd < 0) {
      return null;
    }
    long pid = os.peerPid(fd);
    if (pid < 0 && peerPidFailureTold.compareAndSet(false, true)) {
      log.debug("cannot read a client's pid: getsockopt failed: {}", os.strerror((int) -pid));
    }
    return pid > 0 ? pid : null;
  }

  @Override
  public Boolean peerHungUp(SocketChannel channel) {
    int fd = ChannelFds.of(channel);
    if (fd < 0) {
      return null;
    }
    int hungUp = os.peerHungUp(fd);
    if (hungUp < 0) {
      log.debug("cannot tell whether a client closed its connection: poll failed: {}", os.strerror(-hungUp));
      return null;
    }
    return hungUp == 1;
  }

  /**
   * Stops the group reaper, then the exit watcher (the reverse of their start), and reaps the
   * children whose exit was seen. Children still running are left running: a restarted daemon may
   * adopt them.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    reaper.close();
    watcher.close();
    int running = 0;
    for (Leader leader : leaders.values()) {
      if (leader.ourChild() && leader.exited()) {
        // Its exit was reported, so it is a zombie or about to be one (macOS reports the exit
        // first): a blocking wait returns at once, and never leaves the zombie behind.
        os.reapBlocking(leader.pid());
      } else if (leader.ourChild()) {
        running++;
      }
    }
    leaders.clear();
    if (running > 0) {
      log.info("process control closed; {} child process(es) left running", running);
    }
  }

  /**
   * On the exit-watcher thread, after the leader's own listener. The leader stays known (an
   * adopted one too, though there is nothing to reap) until its group's termination completes,
   * which its owner starts after every exit: the termination needs its run's marker.
   */
  private void leaderExited(long pid, ExitStatus status) {
    Leader leader = leaders.get(pid);
    if (leader != null) {
      leader.markExited();
    }
    reaper.leaderExited(pid);
  }

  /**
   * Whether two readings of a start time name the same process. On Linux the start time is boot
   * time plus ticks since boot, and the kernel recomputes the boot time from the wall clock, so a
   * clock step (or leap second) between two daemon runs shifts it; a small tolerance absorbs that.
   * A different process would need the same pid and a start within the tolerance.
   */
  private static boolean sameStart(Instant recorded, Instant now) {
    return recorded == null
        || Duration.between(recorded, now).abs().compareTo(START_TOLERANCE) <= 0;
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("process control is closed");
    }
  }
}
