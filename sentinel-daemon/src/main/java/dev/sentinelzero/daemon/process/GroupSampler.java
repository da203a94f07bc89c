package dev.sentinelzero.daemon.process;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import oshi.SystemInfo;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * Resource use per process group through OSHI: resident memory and kernel+user CPU time of each
 * live member, summed. CPU percent is the growth of the group's CPU time since its previous sample
 * divided by the wall time in between (from the injected ticker), times 100: a busy loop reads
 * about 100. A member's previous reading is used only if its start time is unchanged, since OSHI
 * does not notice a reused pid; a member new since the last sample counts with all its CPU time.
 *
 * <p>OSHI costs 220-290 ms to set up, so its {@code OperatingSystem} is created on first use and
 * kept; each member's {@code OSProcess} is kept too, and refreshed with {@code updateAttributes}.
 * Thread-safe: every method is synchronized on this object, which guards all state.
 */
final class GroupSampler {
  private record MemberReading(OSProcess process, long startTime, long cpuMillis) {}

  private record GroupReading(long tickerNanos, Map<Long, MemberReading> members) {}

  private final LongSupplier ticker;
  private OperatingSystem operatingSystem; // created lazily; guarded by this
  private final Map<Long, GroupReading> previous = new HashMap<>(); // guarded by this

  GroupSampler(LongSupplier ticker) {
    this.ticker = ticker;
  }

  /**
   * @param pgids the groups asked for
   * @param members the live members of those groups, from one process-table scan
   */
  synchronized Map<Long, ResourceUsage> sample(
      Collection<Long> pgids, Map<Long, List<Long>> members) {
    Map<Long, ResourceUsage> usage = new LinkedHashMap<>();
    for (long pgid : pgids) {
      List<Long> pids = members.get(pgid);
      if (pids == null || pids.isEmpty()) {
        previous.remove(pgid);
        continue;
      }
      GroupReading before = previous.get(pgid);
      long now = ticker.getAsLong();
      Map<Long, MemberReading> readings = new HashMap<>();
      long cpuDeltaMillis = 0;
      long residentBytes = 0;
      for (long pid : pids) {
        MemberReading earlier = before == null ? null : before.members().get(pid);
        MemberReading reading = read(pid, earlier);
        if (reading == null) {
          continue; // ended since the scan
        }
        readings.put(pid, reading);
        residentBytes += reading.process().getResidentSetSize();
        boolean sameProcess = earlier != null && earlier.startTime() == reading.startTime();
        cpuDeltaMillis += reading.cpuMillis() - (sameProcess ? earlier.cpuMillis() : 0);
      }
      if (readings.isEmpty()) {
        previous.remove(pgid);
        continue;
      }
      Double cpuPercent = null;
      if (before != null && now - before.tickerNanos() > 0) {
        double wallMillis = (now - before.tickerNanos()) / 1_000_000.0;
        cpuPercent = Math.max(0, cpuDeltaMillis) * 100.0 / wallMillis;
      }
      previous.put(pgid, new GroupReading(now, readings));
      usage.put(pgid, new ResourceUsage(cpuPercent, residentBytes, readings.size()));
    }
    return usage;
  }

  /** Drops what is remembered about a group (its termination completed). */
  synchronized void forget(long pgid) {
    previous.remove(pgid);
  }

  private MemberReading read(long pid, MemberReading earlier) {
    OSProcess process = null;
    if (earlier != null && earlier.process().updateAttributes()) {
      process = earlier.process();
    }
    if (process == null) {
      process = operatingSystem().getProcess((int) pid);
      if (process == null) {
        return null;
      }
    }
    return new MemberReading(
        process, process.getStartTime(), process.getKernelTime() + process.getUserTime());
  }

  private OperatingSystem operatingSystem() {
    if (operatingSystem == null) {
      operatingSystem = new SystemInfo().getOperatingSystem();
    }
    return operatingSystem;
  }
}
