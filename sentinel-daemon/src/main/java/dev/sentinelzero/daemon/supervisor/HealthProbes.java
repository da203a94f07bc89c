package dev.sentinelzero.daemon.supervisor;

import dev.sentinelzero.daemon.logs.LogFiles;
import dev.sentinelzero.daemon.process.ChildProcess;
import dev.sentinelzero.daemon.process.ExitStatus;
import dev.sentinelzero.daemon.process.LaunchException;
import dev.sentinelzero.daemon.process.LaunchSpec;
import dev.sentinelzero.daemon.process.ProcessControl;
import dev.sentinelzero.protocol.HealthCheck;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real checks. A {@code cmd} check is spawned like the process itself (no shell unless asked,
 * the definition's directory, environment and PATH), in its own process group, with its output
 * in {@code <logs>/<name>.health.log} (rewritten each time); on timeout its group is killed; it is
 * always reaped. {@code tcp} and {@code http} checks run on two {@code sentinel-health-N} threads
 * with the timeout as their socket timeouts.
 */
final class HealthProbes implements HealthProber {
  private static final int MAX_OUTPUT = 1024;

  private final ProcessControl os;
  private final LaunchPlanner planner;
  private final LogFiles logFiles;
  private final Timer timer;
  private final ExecutorService network;
  /** Process groups of {@code cmd} checks still running; killed on close. */
  private final java.util.Set<Long> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

  HealthProbes(ProcessControl os, LaunchPlanner planner, LogFiles logFiles, Timer timer) {
    this.os = os;
    this.planner = planner;
    this.logFiles = logFiles;
    this.timer = timer;
    AtomicInteger n = new AtomicInteger();
    this.network =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "sentinel-health-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public CompletableFuture<Result> probe(ProcessSpec spec, HealthCheck check) {
    switch (check.kind()) {
      case HealthCheck.TCP:
        return CompletableFuture.supplyAsync(() -> tcp(check), network);
      case HealthCheck.HTTP:
        return CompletableFuture.supplyAsync(() -> http(check), network);
      default:
        return command(spec, check);
    }
  }

  private CompletableFuture<Result> command(ProcessSpec spec, HealthCheck check) {
    CompletableFuture<Result> result = new CompletableFuture<>();
    Path output = logFiles.directory().resolve(spec.name() + ".health.log");
    LaunchSpec launch;
    try {
      ProcessSpec probe =
          new ProcessSpec(
              spec.name(),
              check.target(),
              null,
              check.shell(),
              spec.cwd(),
              spec.env(),
              spec.path(),
              "KILL",
              0);
      LaunchSpec planned = planner.plan(probe);
      java.util.Map<String, String> env = new java.util.HashMap<>(planned.environment());
      env.put(dev.sentinelzero.daemon.process.MarkedProcesses.HEALTH_CHECK, "1");
      launch = new LaunchSpec(planned.executable(), planned.argv(), env, planned.cwd(), output, output);
      Files.write(
          output,
          new byte[0],
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
      Files.setPosixFilePermissions(output, PosixFilePermissions.fromString("rw-------"));
    } catch (ProtocolException | IOException e) {
      result.complete(new Result(false, "cannot run the check: " + e.getMessage()));
      return result;
    }
    ChildProcess child;
    try {
      child =
          os.spawn(
              launch,
              status -> {
                boolean passed = status instanceof ExitStatus.Exited && ((ExitStatus.Exited) status).code() == 0;
                String text = tail(output);
                if (!passed && text.isEmpty()) {
                  text = status instanceof ExitStatus.Exited
                      ? "exited with code " + ((ExitStatus.Exited) status).code()
                      : "ended by a signal";
                }
                result.complete(new Result(passed, text));
              });
    } catch (LaunchException e) {
      result.complete(new Result(false, "cannot run the check: " + e.getMessage()));
      return result;
    }
    running.add(child.pgid());
    Timer.Cancellable deadline =
        timer.schedule(
            check.timeoutMs(),
            () ->
                result.complete(
                    new Result(false, "timed out after " + Restarts.humanMillis(check.timeoutMs()))));
    // Whatever happens, the check's group is killed (a timed-out check too) and its leader reaped.
    result.whenComplete(
        (r, e) -> {
          deadline.cancel();
          os.terminateGroup(child.pgid(), os.signal("KILL"), 0)
              .whenComplete((v, err) -> running.remove(child.pgid()));
        });
    return result;
  }

  private static Result tcp(HealthCheck check) {
    String target = check.target();
    int colon = target.lastIndexOf(':');
    String host = target.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = Integer.parseInt(target.substring(colon + 1));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, check.timeoutMs()));
      return new Result(true, "connected to " + target);
    } catch (IOException e) {
      return new Result(false, "cannot connect to " + target + ": " + e.getMessage());
    }
  }

  private static Result http(HealthCheck check) {
    HttpURLConnection connection = null;
    try {
      connection = (HttpURLConnection) new URL(check.target()).openConnection();
      int timeout = (int) Math.min(Integer.MAX_VALUE, check.timeoutMs());
      connection.setConnectTimeout(timeout);
      connection.setReadTimeout(timeout);
      connection.setInstanceFollowRedirects(false);
      connection.setRequestProperty("User-Agent", "sentinel-health-check");
      int code = connection.getResponseCode();
      boolean passed = code >= 200 && code < 400;
      return new Result(passed, "HTTP " + code + " from " + check.target());
    } catch (IOException | IllegalArgumentException e) {
      return new Result(false, "GET " + check.target() + " failed: " + e.getMessage());
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
    }
  }

  private static String tail(Path output) {
    try {
      byte[] bytes = Files.readAllBytes(output);
      int from = Math.max(0, bytes.length - MAX_OUTPUT);
      return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** Kills the checks still running (the daemon is stopping) and waits briefly for them to go. */
  @Override
  public void close() {
    network.shutdownNow();
    java.util.List<CompletableFuture<Void>> ends = new java.util.ArrayList<>();
    for (Long pgid : running) {
      ends.add(os.terminateGroup(pgid, os.signal("KILL"), 0));
    }
    try {
      CompletableFuture.allOf(ends.toArray(new CompletableFuture<?>[0])).get(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // the daemon is stopping: what is left is killed already and init reaps it
    }
  }
}
