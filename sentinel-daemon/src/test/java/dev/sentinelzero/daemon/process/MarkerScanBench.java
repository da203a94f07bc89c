package dev.sentinelzero.daemon.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one pass of the teardown's marker scan (issue #9) with N marked processes alive:
 * run by bench/marker-scan.sh, not by the tests. Prints one JSON line per case: the median and
 * 90th percentile of REPS passes, in milliseconds.
 *
 * <ul>
 *   <li>{@code group_only}: the pass every teardown made before (stat files only);
 *   <li>{@code new_run}: a teardown of a run started just now (only processes started since it
 *       have their environment read: the common case, a crash loop's);
 *   <li>{@code all_marked}: every process's environment read (a run as old as all others, or the
 *       sweep of a daemon stop).
 * </ul>
 */
public final class MarkerScanBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    Path dir = Files.createTempDirectory("marker-scan");
    LinuxOs os = new LinuxOs();
    List<Long> pgids = new ArrayList<>();
    try (ProcessControl control = ProcessControls.create()) {
      Map<String, String> env =
          Map.of("PATH", "/usr/bin:/bin", MarkedProcesses.HOME_ID, "bench", MarkedProcesses.NAME, "p");
      for (int i = 0; i < n; i++) {
        ChildProcess child =
            control.spawn(
                new LaunchSpec(Path.of("/bin/sleep"), List.of("sleep", "100000"), env, dir,
                    dir.resolve("out.log"), dir.resolve("err.log")),
                status -> {});
        pgids.add(child.pgid());
      }
      ChildProcess last =
          control.spawn(
              new LaunchSpec(Path.of("/bin/sleep"), List.of("sleep", "100000"), env, dir,
                  dir.resolve("out.log"), dir.resolve("err.log")),
              status -> {});
      pgids.add(last.pgid());
      Instant lastStart = os.startTime(last.pid());
      int processes;
      try (var s = Files.list(Path.of("/proc"))) {
        processes = (int) s.filter(p -> p.getFileName().toString().matches("[0-9]+")).count();
      }
      Set<Long> group = Set.of(last.pgid());
      report("group_only", n, processes, reps, () -> os.scan(group, null));
      report("new_run", n, processes, reps, () -> os.scan(group, lastStart));
      report("all_marked", n, processes, reps, () -> {
        NativeOs.Table t = os.scan(group, Instant.EPOCH);
        if (t.marked().size() < n) {
          throw new IllegalStateException("found " + t.marked().size() + " marked of " + n);
        }
        return t;
      });
      List<CompletableFuture<Void>> ends = new ArrayList<>();
      for (long pgid : pgids) {
        ends.add(control.terminateGroup(pgid, control.signal("KILL"), 0));
      }
      CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }
  }

  private interface Pass {
    Object run();
  }

  private static void report(String name, int n, int processes, int reps, Pass pass) {
    pass.run(); // warm-up
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      pass.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    System.out.printf(
        "{\"case\":\"%s\",\"marked\":%d,\"processes\":%d,\"reps\":%d,\"median_ms\":%.2f,\"p90_ms\":%.2f}%n",
        name, n, processes, reps, ms[reps / 2], ms[(int) (reps * 0.9)]);
  }
}
