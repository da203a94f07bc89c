package dev.sentinelzero.daemon.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DispatcherTest {
  private final List<String> handled = new ArrayList<>();
  private final Dispatcher dispatcher =
      new Dispatcher()
          .register("ping", (request, exchange) -> handled.add("ping " + request.id()))
          .register("list", (request, exchange) -> handled.add("list " + request.id()));

  @Test
  void dispatch_routesRequestToTheHandlerOfItsCommand() throws Exception {
    dispatcher.dispatch(Request.of("1", "list", Map.of()), null);
    dispatcher.dispatch(Request.of("2", "ping", Map.of()), null);

    assertThat(handled).containsExactly("list 1", "ping 2");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 2, 99})
  void dispatch_refusesOtherProtocolVersions_beforeLookingAtTheCommand(int version) {
    Request request = new Request(version, "1", "no-such-command", Map.of());

    ProtocolException e =
        catchThrowableOfType(ProtocolException.class, () -> dispatcher.dispatch(request, null));

    assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    assertThat(e.getMessage())
        .startsWith("protocol version " + version + " is not supported; this daemon speaks version 1");
    assertThat(handled).isEmpty();
  }

  @Test
  void dispatch_refusesUnknownCommand_listingKnownOnesSorted() {
    ProtocolException e =
        catchThrowableOfType(
            ProtocolException.class, () -> dispatcher.dispatch(Request.of("1", "stats", Map.of()), null));

    assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_COMMAND);
    assertThat(e.getMessage()).isEqualTo("unknown command \"stats\"; commands are: list, ping");
  }

  @Test
  void dispatch_passesOnTheHandlersRefusal() {
    dispatcher.register(
        "fail",
        (request, exchange) -> {
          throw new ProtocolException(ErrorCode.NOT_FOUND, "no process named web");
        });

    ProtocolException e =
        catchThrowableOfType(
            ProtocolException.class, () -> dispatcher.dispatch(Request.of("1", "fail", Map.of()), null));

    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
  }
}
