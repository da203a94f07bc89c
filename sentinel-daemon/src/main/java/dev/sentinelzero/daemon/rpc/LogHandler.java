package dev.sentinelzero.daemon.rpc;

import dev.sentinelzero.daemon.logs.LogFiles;
import dev.sentinelzero.daemon.logs.LogFollower;
import dev.sentinelzero.daemon.logs.LogTail;
import dev.sentinelzero.daemon.supervisor.Supervisor;
import dev.sentinelzero.protocol.Args;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.LogLine;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@code logs}: the last lines of a process's output, and with {@code follow} the lines that come
 * after, streamed as {@code log} events until the client disconnects or the daemon stops.
 *
 * <p>The history shows each stream's last lines, stdout's first: the files carry no timestamps, so
 * lines of the two streams cannot be put back in order. While following, lines are sent in the
 * order they are read, polled every {@link #POLL_MILLIS} ms.
 */
public final class LogHandler implements Handler {
  static final long POLL_MILLIS = 100;
  static final int DEFAULT_TAIL = 20;
  static final int MAX_TAIL = 100_000;
  private static final long PARTIAL_FLUSH_NANOS = 500_000_000L;
  private static final int MAX_RESULT_CHARS = 900 * 1024;

  private final Supervisor supervisor;
  private final LogFiles files;
  private final LongSupplier ticker;

  public LogHandler(Supervisor supervisor, LogFiles files, LongSupplier ticker) {
    this.supervisor = supervisor;
    this.files = files;
    this.ticker = ticker;
  }

  @Override
  public void handle(Request request, Exchange exchange) throws ProtocolException, IOException {
    Args args = request.arguments();
    args.allowOnly(Set.of("name", "tail", "follow", "stream"));
    String name = args.requireString("name");
    int tail = (int) args.optLong("tail", 0, MAX_TAIL).orElse(DEFAULT_TAIL);
    boolean follow = args.bool("follow", false);
    String stream = args.optString("stream").orElse(null);
    if (stream != null && !stream.equals(LogLine.STDOUT) && !stream.equals(LogLine.STDERR)) {
      throw new ProtocolException(
          ErrorCode.INVALID_ARGUMENT, "argument \"stream\" must be \"stdout\" or \"stderr\"");
    }
    Futures.await(supervisor.list(name)); // not_found for an unknown name

    List<String> streams = new ArrayList<>();
    if (stream == null || stream.equals(LogLine.STDOUT)) {
      streams.add(LogLine.STDOUT);
    }
    if (stream == null || stream.equals(LogLine.STDERR)) {
      streams.add(LogLine.STDERR);
    }
    // Followers first, so the history ends exactly where following begins.
    List<LogFollower> followers = new ArrayList<>();
    List<LogLine> history = new ArrayList<>();
    for (String s : streams) {
      Path file = file(name, s);
      LogFollower follower = new LogFollower(file, PARTIAL_FLUSH_NANOS);
      followers.add(follower);
      for (String text : LogTail.lastLines(file, tail, follower.position())) {
        history.add(new LogLine(name, s, text));
      }
    }
    if (!follow) {
      List<LogLine> kept = LogTail.newestWithin(history, MAX_RESULT_CHARS, l -> l.text().length());
      List<Object> lines = new ArrayList<>(kept.size());
      for (LogLine line : kept) {
        lines.add(line.toJson());
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("lines", lines);
      result.put("truncated", kept.size() < history.size());
      exchange.ok(result);
      return;
    }
    exchange.beginStream();
    for (LogLine line : history) {
      exchange.event(LogLine.EVENT, line.toJson());
    }
    while (true) {
      for (int i = 0; i < followers.size(); i++) {
        for (String text : followers.get(i).poll(ticker.getAsLong())) {
          exchange.event(LogLine.EVENT, new LogLine(name, streams.get(i), text).toJson());
        }
      }
      if (exchange.clientGone()) {
        return;
      }
      if (exchange.awaitServerStop(POLL_MILLIS)) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ended", "the daemon is stopping");
        exchange.ok(result);
        return;
      }
    }
  }

  private Path file(String name, String stream) {
    return stream.equals(LogLine.STDOUT) ? files.stdout(name) : files.stderr(name);
  }
}
