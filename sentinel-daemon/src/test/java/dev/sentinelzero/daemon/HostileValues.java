package dev.sentinelzero.daemon;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * What a careless or hostile client sends (issue 12): extreme, empty, NUL, huge, negative and
 * wrong-type values for every argument of every command, and frames mutated byte by byte. Used by
 * the protocol's property tests against a real daemon.
 */
final class HostileValues {
  private HostileValues() {}

  /** Each command with its arguments (nested objects as "outer.inner"), from docs/protocol.md. */
  static final Map<String, List<String>> COMMANDS = new LinkedHashMap<>();

  /** A request that each command accepts, so that one bad value reaches its deepest check. */
  static final Map<String, Map<String, Object>> VALID = new LinkedHashMap<>();

  static {
    List<String> process =
        List.of(
            "name", "cmd", "argv", "shell", "cwd", "env", "path", "stop_signal", "stop_timeout_ms",
            "replace", "restart", "health", "limits", "restart.mode", "restart.success_exit_codes",
            "restart.retries", "restart.min_uptime_ms", "restart.delay_ms", "restart.backoff",
            "restart.backoff_factor", "restart.max_delay_ms", "restart.jitter", "restart.cooldown_ms",
            "health.kind", "health.target", "health.shell", "health.interval_ms", "health.timeout_ms",
            "health.retries", "health.start_period_ms", "health.action", "limits.max_memory_bytes",
            "limits.max_cpu_percent", "limits.limit_for_ms", "limits.action", "env.KEY", "env.");
    COMMANDS.put("ping", List.of("x"));
    COMMANDS.put("daemon.status", List.of("x"));
    COMMANDS.put("daemon.stop", List.of("keep_running")); // only non-boolean values: see below
    COMMANDS.put("start", process);
    List<String> schedule = new ArrayList<>(process);
    schedule.addAll(
        List.of(
            "schedule", "schedule.cron", "schedule.every_ms", "schedule.at", "schedule.tz",
            "schedule.overlap", "schedule.catch_up", "schedule.catch_up_window_ms"));
    COMMANDS.put("schedule", schedule);
    for (String c : List.of("stop", "restart", "remove", "list", "status", "schedule.list",
        "schedule.enable", "schedule.disable", "schedule.remove", "schedule.run")) {
      COMMANDS.put(c, List.of("name"));
    }
    COMMANDS.put("restart-policy", List.of("name", "restart", "restart.retries", "restart.delay_ms",
        "restart.max_delay_ms", "restart.jitter", "restart.backoff_factor", "restart.mode"));
    COMMANDS.put("health", List.of("name", "health", "health.kind", "health.target", "health.interval_ms"));
    COMMANDS.put("limits", List.of("name", "limits", "limits.max_memory_bytes", "limits.max_cpu_percent"));
    COMMANDS.put("logs", List.of("name", "tail", "stream", "follow"));
    COMMANDS.put("upcoming", List.of("name", "count"));
    COMMANDS.put("history", List.of("name", "limit"));
    COMMANDS.put("events", List.of("name", "since", "limit", "follow"));

    Map<String, Object> start = new LinkedHashMap<>();
    start.put("name", "fuzz");
    start.put("argv", List.of("/bin/true"));
    start.put("cwd", "/tmp");
    start.put("replace", true);
    start.put("restart", new LinkedHashMap<>(Map.of("mode", "never")));
    VALID.put("start", start);
    Map<String, Object> sched = new LinkedHashMap<>(start);
    sched.put("name", "fuzzjob");
    sched.put("schedule", new LinkedHashMap<>(Map.of("every_ms", 3_600_000)));
    VALID.put("schedule", sched);
    VALID.put("restart-policy", new LinkedHashMap<>(Map.of("name", "fuzz", "restart", new LinkedHashMap<>(Map.of("retries", 3)))));
    VALID.put("health", new LinkedHashMap<>(Map.of("name", "fuzz", "health", new LinkedHashMap<>(Map.of("kind", "tcp", "target", "localhost:9")))));
    VALID.put("limits", new LinkedHashMap<>(Map.of("name", "fuzz", "limits", new LinkedHashMap<>(Map.of("max_memory_bytes", 1 << 30)))));
    VALID.put("logs", new LinkedHashMap<>(Map.of("name", "fuzz")));
    VALID.put("history", new LinkedHashMap<>(Map.of("name", "fuzz")));
  }

  /** Values no argument should take, and a few it should. */
  static final List<Object> FIXED =
        Arrays.asList(
            "", " ", "\u0000", "a\u0000b", "/tmp\u0000/x", "\u000b", "\u000c", "\u001c\u001f", "\u2028",
            "\u3000", "\r\n", "\u001b[31mred", "\uFFFF", "\uD800", "😀", "x".repeat(70_000),
            "../../../../etc/passwd", "/", "/nonexistent", "-", "--help", "sigterm ", " TERM", "KILL",
            "SIGSTOP", "0", "-1", "65", "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z", "2026-02-30T25:61", "http://[::1", "http://", "https://:0/",
            "http://localhost:99999/", "localhost:0", ":80", "host:", "* * * * * * *", "@reboot",
            "Mars/Olympus", "GMT+99", 0, -1, 1, 99, 100_001, Integer.MIN_VALUE, Integer.MAX_VALUE,
            Long.MIN_VALUE, Long.MAX_VALUE, BigInteger.TWO.pow(70), BigInteger.TWO.pow(70).negate(),
            1.5, -0.0, 1e308, -1e308, 4.9e-324, true, false, List.of(), List.of(""),
            List.of("\u0000"), Arrays.asList("a", null), List.of(1, 2), Map.of(), Map.of("", ""),
            Map.of("A\u0000", "b"), Map.of("KEY", "v\u0000"), Map.of("1BAD", "v"), Map.of("K", 1),
            nested(40), nested(70));

  /** {@link #FIXED} mostly, and random strings, numbers and nulls. */
  static Arbitrary<Object> values() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of(FIXED)),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s)),
        Tuple.of(1, Arbitraries.strings().all().ofMaxLength(20).map(s -> (Object) s)),
        Tuple.of(1, Arbitraries.longs().map(n -> (Object) n)),
        Tuple.of(1, Arbitraries.doubles().map(d -> (Object) d)),
        Tuple.of(1, Arbitraries.just((Object) "x").injectNull(0.5)));
  }

  private static Object nested(int depth) {
    Object v = "leaf";
    for (int i = 0; i < depth; i++) {
      v = Map.of("a", v);
    }
    return v;
  }

  /** A command, one of its arguments, and a hostile value for it. */
  record Poke(String command, String argument, Object value) {
    /** The request's arguments: the command's valid ones, with this argument set to the value. */
    @SuppressWarnings("unchecked")
    Map<String, Object> args() {
      Map<String, Object> args = deepCopy(VALID.getOrDefault(command, Map.of()));
      if (command.equals("start") || command.equals("schedule")) {
        args.put("name", command.equals("start") ? "fuzz-" + Math.abs(argument.hashCode() % 7) : "fuzzjob");
      }
      int dot = argument.indexOf('.');
      if (dot < 0) {
        args.put(argument, value);
      } else {
        String outer = argument.substring(0, dot);
        Object inner = args.get(outer);
        Map<String, Object> sub = inner instanceof Map ? (Map<String, Object>) inner : new LinkedHashMap<>();
        sub.put(argument.substring(dot + 1), value);
        args.put(outer, sub);
      }
      if (args.get("cmd") != null && args.get("argv") != null) {
        args.remove("argv");
      }
      return args;
    }

    /** True when the request might be obeyed and not answered at once (a stream, a stop). */
    boolean couldLinger() {
      boolean streams = argument.equals("follow") && Boolean.TRUE.equals(value);
      boolean stopsDaemon = command.equals("daemon.stop") && (value == null || value instanceof Boolean);
      return streams || stopsDaemon;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<String, Object> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      Object v = e.getValue();
      out.put(e.getKey(), v instanceof Map ? deepCopy((Map<String, Object>) v) : v);
    }
    return out;
  }

  static Arbitrary<Poke> pokes() {
    Arbitrary<String> command = Arbitraries.of(List.copyOf(COMMANDS.keySet()));
    return command.flatMap(
        c ->
            Combinators.combine(Arbitraries.of(COMMANDS.get(c)), values())
                .as((argument, value) -> new Poke(c, argument, value))
                .filter(p -> !p.couldLinger()));
  }

  /** Bytes a client might send instead of the frame it meant: inserted, dropped, replaced. */
  static Arbitrary<byte[]> mutatedFrame(byte[] valid) {
    Arbitrary<Integer> position = Arbitraries.integers().between(0, valid.length);
    Arbitrary<byte[]> insert =
        Arbitraries.of(
            new byte[] {0}, new byte[] {'\n'}, new byte[] {'\r'}, new byte[] {0x0b}, new byte[] {(byte) 0xff},
            new byte[] {(byte) 0xc3}, new byte[] {(byte) 0xe2, (byte) 0x80, (byte) 0xa8}, new byte[] {'"'},
            new byte[] {'{'}, new byte[] {'}'}, new byte[] {'['}, new byte[] {','}, new byte[] {'\\'},
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {' '}, new byte[] {'1', 'e', '9', '9', '9'});
    Arbitrary<byte[]> one =
        Combinators.combine(position, insert, Arbitraries.integers().between(0, 3))
            .as(
                (at, bytes, kind) -> {
                  int pos = Math.min(at, valid.length);
                  byte[] out;
                  switch (kind) {
                    case 0: // insert
                      out = new byte[valid.length + bytes.length];
                      System.arraycopy(valid, 0, out, 0, pos);
                      System.arraycopy(bytes, 0, out, pos, bytes.length);
                      System.arraycopy(valid, pos, out, pos + bytes.length, valid.length - pos);
                      return out;
                    case 1: // drop one byte
                      if (valid.length == 0 || pos == valid.length) {
                        return valid.clone();
                      }
                      out = new byte[valid.length - 1];
                      System.arraycopy(valid, 0, out, 0, pos);
                      System.arraycopy(valid, pos + 1, out, pos, valid.length - pos - 1);
                      return out;
                    case 2: // cut here
                      return Arrays.copyOf(valid, pos);
                    default: // replace one byte
                      out = valid.clone();
                      if (pos < out.length) {
                        out[pos] = bytes[0];
                      }
                      return out;
                  }
                });
    return one;
  }
}
