package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RequestTest {

  @Test
  void fromJson_readsFullEnvelope() throws Exception {
    Request request =
        Request.fromJson(
            Json.parseObject("{\"v\":1,\"id\":\"7\",\"cmd\":\"status\",\"args\":{\"name\":\"web\"}}"));

    assertThat(request.version()).isEqualTo(1);
    assertThat(request.id()).isEqualTo("7");
    assertThat(request.command()).isEqualTo("status");
    assertThat(request.args()).isEqualTo(Map.of("name", "web"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"v\":1,\"id\":\"abc\",\"cmd\":\"ping\"}      | abc",
        "{\"v\":1,\"id\":\"\",\"cmd\":\"ping\"}         | ''",
      })
  void fromJson_acceptsStringIds(String frame, String id) throws Exception {
    assertThat(Request.fromJson(Json.parseObject(frame)).id()).isEqualTo(id);
  }

  @ParameterizedTest
  @MethodSource("integerIds")
  void fromJson_acceptsIntegerIds(String literal, Object id) throws Exception {
    Request request =
        Request.fromJson(Json.parseObject("{\"v\":1,\"id\":" + literal + ",\"cmd\":\"ping\"}"));

    assertThat(request.id()).isEqualTo(id);
  }

  static Stream<Arguments> integerIds() {
    return Stream.of(
        Arguments.of("0", 0),
        Arguments.of("42", 42),
        Arguments.of("-1", -1),
        Arguments.of("5000000000", 5_000_000_000L));
  }

  @Test
  void fromJson_treatsMissingArgsAsEmpty() throws Exception {
    Request absent = Request.fromJson(Json.parseObject("{\"v\":1,\"id\":1,\"cmd\":\"ping\"}"));
    Request explicitNull =
        Request.fromJson(Json.parseObject("{\"v\":1,\"id\":1,\"cmd\":\"ping\",\"args\":null}"));

    assertThat(absent.args()).isEmpty();
    assertThat(explicitNull.args()).isEmpty();
  }

  @Test
  void fromJson_leavesVersionCheckToTheDispatcher() throws Exception {
    Request request = Request.fromJson(Json.parseObject("{\"v\":2,\"id\":1,\"cmd\":\"ping\"}"));

    assertThat(request.version()).isEqualTo(2);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // missing or mistyped id
        "{\"v\":1,\"cmd\":\"ping\"}                              | \"id\"",
        "{\"v\":1,\"id\":null,\"cmd\":\"ping\"}                  | \"id\"",
        "{\"v\":1,\"id\":1.5,\"cmd\":\"ping\"}                   | \"id\"",
        "{\"v\":1,\"id\":true,\"cmd\":\"ping\"}                  | \"id\"",
        "{\"v\":1,\"id\":[1],\"cmd\":\"ping\"}                   | \"id\"",
        "{\"v\":1,\"id\":{},\"cmd\":\"ping\"}                    | \"id\"",
        "{\"v\":1,\"id\":123456789012345678901234,\"cmd\":\"ping\"} | \"id\"",
        // missing or mistyped v
        "{\"id\":\"1\",\"cmd\":\"ping\"}                         | \"v\"",
        "{\"v\":\"1\",\"id\":\"1\",\"cmd\":\"ping\"}             | \"v\"",
        "{\"v\":1.0,\"id\":\"1\",\"cmd\":\"ping\"}               | \"v\"",
        "{\"v\":null,\"id\":\"1\",\"cmd\":\"ping\"}              | \"v\"",
        "{\"v\":5000000000,\"id\":\"1\",\"cmd\":\"ping\"}        | \"v\"",
        // missing or mistyped cmd
        "{\"v\":1,\"id\":\"1\"}                                  | \"cmd\"",
        "{\"v\":1,\"id\":\"1\",\"cmd\":\"\"}                     | \"cmd\"",
        "{\"v\":1,\"id\":\"1\",\"cmd\":7}                        | \"cmd\"",
        "{\"v\":1,\"id\":\"1\",\"cmd\":[\"ping\"]}               | \"cmd\"",
        // mistyped args
        "{\"v\":1,\"id\":\"1\",\"cmd\":\"ping\",\"args\":[]}     | \"args\"",
        "{\"v\":1,\"id\":\"1\",\"cmd\":\"ping\",\"args\":\"x\"}  | \"args\"",
        "{\"v\":1,\"id\":\"1\",\"cmd\":\"ping\",\"args\":1}      | \"args\"",
        // unknown envelope field
        "{\"v\":1,\"id\":\"1\",\"cmd\":\"ping\",\"extra\":1}     | \"extra\"",
        "{\"v\":1,\"id\":\"1\",\"cmd\":\"ping\",\"ARGS\":{}}     | \"ARGS\"",
      })
  void fromJson_refusesBadEnvelope_namingTheField(String frame, String field) throws Exception {
    Map<String, Object> json = Json.parseObject(frame);

    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Request.fromJson(json));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(e.getMessage()).contains(field);
  }

  @Test
  void fromJson_unknownFieldMessage_listsTheFieldsARequestHas() throws Exception {
    Map<String, Object> json = Json.parseObject("{\"v\":1,\"id\":\"1\",\"cmd\":\"ping\",\"x\":1}");

    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Request.fromJson(json));

    assertThat(e.getMessage()).contains("\"v\"", "\"id\"", "\"cmd\"", "\"args\"");
  }

  @ParameterizedTest
  @MethodSource("requests")
  void toJson_thenFromJson_roundTripsOverTheWire(Request request) throws Exception {
    String frame = Json.write(request.toJson());

    assertThat(frame).doesNotContain("\n");
    assertThat(Request.fromJson(Json.parseObject(frame))).isEqualTo(request);
  }

  static Stream<Request> requests() {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("name", "web");
    args.put("tail", 20);
    args.put("follow", true);
    args.put("argv", List.of("python3", "-m", "http.server"));
    args.put("env", Map.of("PORT", "8080"));
    return Stream.of(
        Request.of("1", Commands.PING, null),
        Request.of(7, Commands.LIST, Map.of()),
        Request.of(5_000_000_000L, Commands.STATUS, Map.of("name", "web")),
        Request.of("client-\u00e9-1", Commands.START, args));
  }

  @Test
  void toJson_writesEnvelopeFieldsInProtocolOrder() {
    Request request = Request.of("7", Commands.STATUS, Map.of("name", "web"));

    assertThat(Json.write(request.toJson()))
        .isEqualTo("{\"v\":1,\"id\":\"7\",\"cmd\":\"status\",\"args\":{\"name\":\"web\"}}");
  }

  @Test
  void of_usesThisBuildsProtocolVersion() {
    assertThat(Request.of("1", Commands.PING, Map.of()).version()).isEqualTo(Protocol.VERSION);
  }

  @Test
  void arguments_givesTypedAccessToArgs() throws Exception {
    Request request = Request.of("1", Commands.LOGS, Map.of("name", "web", "tail", 5));

    assertThat(request.arguments().requireString("name")).isEqualTo("web");
    assertThat(request.arguments().optLong("tail", 0, 10)).hasValue(5);
  }
}
