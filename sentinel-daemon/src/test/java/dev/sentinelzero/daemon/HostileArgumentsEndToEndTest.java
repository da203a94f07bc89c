package dev.sentinelzero.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every argument of every command, each with every value of {@link HostileValues#FIXED} (issue
 * 12: extreme, empty, NUL, huge, negative, wrong-type values): each gets one typed answer, never
 * {@code internal}; the daemon still serves after them all, and its log holds no raw control
 * character. The random side of the same hunt is {@link ProtocolPropertiesEndToEndTest}.
 */
class HostileArgumentsEndToEndTest {
  @TempDir Path tmp;

  @Test
  void everyHostileValueOfEveryArgument_getsATypedAnswer() throws Exception {
    try (RunningDaemon daemon = RunningDaemon.start(tmp.resolve("home"));
        RunningDaemon.Client c = daemon.client()) {
      SoftAssertions soft = new SoftAssertions();
      int requests = 0;
      for (Map.Entry<String, List<String>> command : HostileValues.COMMANDS.entrySet()) {
        for (String argument : command.getValue()) {
          for (Object value : HostileValues.FIXED) {
            HostileValues.Poke poke = new HostileValues.Poke(command.getKey(), argument, value);
            if (poke.couldLinger()) {
              continue;
            }
            Response r = c.call(poke.command(), poke.args());
            requests++;
            soft.assertThat(r.isFinal()).as("%s", poke).isTrue();
            if (r instanceof Response.Failure) {
              Response.Failure f = (Response.Failure) r;
              soft.assertThat(f.code())
                  .as("%s %s=%s -> %s", poke.command(), argument, abbreviated(value), f.message())
                  .isNotEqualTo(ErrorCode.INTERNAL);
            }
          }
        }
      }
      soft.assertAll();
      assertThat(requests).isGreaterThan(5_000);
      try (RunningDaemon.Client fresh = daemon.client()) {
        assertThat(fresh.call("ping", Map.of())).isInstanceOf(Response.Ok.class);
      }
      List<String> controls = new ArrayList<>();
      byte[] log = Files.readAllBytes(daemon.paths.daemonLog());
      for (int i = 0; i < log.length; i++) {
        int b = log[i] & 0xff;
        if (b < 0x20 && b != '\n' && b != '\t' || b == 0x7f) {
          controls.add(String.format("0x%02x at %d", b, i));
        }
      }
      assertThat(controls).as("raw control bytes in daemon.log").isEmpty();
    }
  }

  private static String abbreviated(Object value) {
    String s = String.valueOf(value);
    return s.length() > 60 ? s.substring(0, 60) + "...(" + s.length() + ")" : s;
  }
}
