package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.process.ChildProcess;
import dev.sentinelzero.daemon.process.ExitStatus;
import dev.sentinelzero.daemon.process.LaunchException;
import dev.sentinelzero.daemon.process.LaunchSpec;
import dev.sentinelzero.daemon.process.ProcessControl;
import dev.sentinelzero.daemon.process.ResourceUsage;
import dev.sentinelzero.daemon.process.Signal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A process layer whose children exist only on paper: the test decides when each exits and when
 * each group is gone. Thread-safe, like the real one.
 */
final class FakeProcessControl implements ProcessControl {
  final AtomicLong nextPid = new AtomicLong(1000);
  final Map<Long, Consumer<ExitStatus>> listeners = new ConcurrentHashMap<>();
  final Map<Long, CompletableFuture<Void>> teardowns = new ConcurrentHashMap<>();
  final List<LaunchSpec> launches = java.util.Collections.synchronizedList(new ArrayList<>());
  final List<String> signals = java.util.Collections.synchronizedList(new ArrayList<>());
  volatile LaunchException nextFailure;
  /** Pids that {@link #adopt} finds alive. */
  final java.util.Set<Long> adoptable = ConcurrentHashMap.newKeySet();

  @Override
  public boolean adopt(ChildProcess process, Consumer<ExitStatus> onExit) {
    if (!adoptable.contains(process.pid())) {
      return false;
    }
    listeners.put(process.pid(), onExit);
    return true;
  }

  @Override
  public ChildProcess spawn(LaunchSpec spec, Consumer<ExitStatus> onExit) throws LaunchException {
    LaunchException failure = nextFailure;
    if (failure != null) {
      nextFailure = null;
      throw failure;
    }
    long pid = nextPid.incrementAndGet();
    launches.add(spec);
    listeners.put(pid, onExit);
    return new ChildProcess(pid, null);
  }

  /** The leader of {@code pid} exits. */
  void exit(long pid, ExitStatus status) {
    Consumer<ExitStatus> listener = listeners.remove(pid);
    if (listener == null) {
      throw new IllegalStateException("pid " + pid + " has no live leader");
    }
    listener.accept(status);
  }

  /** The group of {@code pid} is gone (and its leader reaped). */
  void groupGone(long pid) {
    teardowns.get(pid).complete(null);
  }

  boolean terminating(long pid) {
    return teardowns.containsKey(pid);
  }

  @Override
  public boolean signalGroup(long pgid, Signal signal) {
    signals.add(pgid + ":" + signal.name());
    return true;
  }

  @Override
  public CompletableFuture<Void> terminateGroup(long pgid, Signal first, long timeoutMs) {
    signals.add(pgid + ":" + first.name());
    return teardowns.computeIfAbsent(pgid, p -> new CompletableFuture<>());
  }

  @Override
  public Signal signal(String nameOrNumber) {
    String name = nameOrNumber.toUpperCase().replaceFirst("^SIG", "");
    switch (name) {
      case "TERM":
        return new Signal("TERM", 15);
      case "INT":
        return new Signal("INT", 2);
      case "KILL":
        return new Signal("KILL", 9);
      case "HUP":
        return new Signal("HUP", 1);
      default:
        throw new IllegalArgumentException("unknown signal " + nameOrNumber);
    }
  }

  /** What {@link #sample} reports, per pgid. */
  final Map<Long, ResourceUsage> usage = new ConcurrentHashMap<>();

  @Override
  public Map<Long, ResourceUsage> sample(Collection<Long> pgids) {
    Map<Long, ResourceUsage> out = new java.util.HashMap<>();
    for (Long pgid : pgids) {
      if (usage.containsKey(pgid)) {
        out.put(pgid, usage.get(pgid));
      }
    }
    return out;
  }

  @Override
  public void close() {}
}
