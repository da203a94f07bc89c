package dev.sentinelzero.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseTest {

  @ParameterizedTest
  @MethodSource("responses")
  void toJson_thenParse_roundTrips(Response response) throws Exception {
    String frame = Json.write(response.toJson());

    assertThat(frame).doesNotContain("\n");
    assertThat(Response.parse(frame)).isEqualTo(response);
  }

  static Stream<Response> responses() {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("processes", List.of(Map.of("name", "web", "pid", 4242)));
    result.put("truncated", false);
    return Stream.of(
        new Response.Ok("7", result),
        new Response.Ok(7, Map.of()),
        new Response.Ok("empty", null),
        new Response.Failure("8", ErrorCode.NOT_FOUND, "no process named web; see: sentinel list"),
        new Response.Failure(9, ErrorCode.INVALID_ARGUMENT, "argument \"tail\" must be an integer"),
        new Response.Failure(null, ErrorCode.INVALID_REQUEST, "malformed JSON: ..."),
        new Response.Event("10", LogLine.EVENT, Map.of("name", "web", "stream", "stdout", "text", "hi")),
        new Response.Event(11, "progress", Map.of()));
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void failure_roundTripsEveryErrorCode(ErrorCode code) throws Exception {
    Response failure = new Response.Failure("1", code, "message for " + code);

    assertThat(Response.parse(Json.write(failure.toJson()))).isEqualTo(failure);
  }

  @Test
  void ok_writesDocumentedShape() {
    assertThat(Json.write(new Response.Ok("7", Map.of("pid", 1)).toJson()))
        .isEqualTo("{\"v\":1,\"id\":\"7\",\"ok\":true,\"result\":{\"pid\":1}}");
  }

  @Test
  void failure_writesDocumentedShape() {
    assertThat(Json.write(new Response.Failure("7", ErrorCode.NOT_FOUND, "gone").toJson()))
        .isEqualTo(
            "{\"v\":1,\"id\":\"7\",\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"gone\"}}");
  }

  @Test
  void event_writesDocumentedShape() {
    assertThat(Json.write(new Response.Event("7", "log", Map.of("text", "hi")).toJson()))
        .isEqualTo("{\"v\":1,\"id\":\"7\",\"event\":\"log\",\"data\":{\"text\":\"hi\"}}");
  }

  @Test
  void isFinal_trueForOkAndFailure_falseForEvent() {
    assertThat(new Response.Ok("1", Map.of()).isFinal()).isTrue();
    assertThat(new Response.Failure("1", ErrorCode.INTERNAL, "x").isFinal()).isTrue();
    assertThat(new Response.Event("1", "log", Map.of()).isFinal()).isFalse();
  }

  @Test
  void failureOf_carriesCodeAndMessageOfTheException() {
    ProtocolException e = new ProtocolException(ErrorCode.CONFLICT, "name taken");

    assertThat(Response.Failure.of("3", e))
        .isEqualTo(new Response.Failure("3", ErrorCode.CONFLICT, "name taken"));
  }

  @Test
  void parse_mapsUnknownErrorCodeFromNewerDaemonToInternal() throws Exception {
    Response response =
        Response.parse(
            "{\"v\":1,\"id\":\"1\",\"ok\":false,\"error\":{\"code\":\"quota_exceeded\",\"message\":\"m\"}}");

    assertThat(response).isEqualTo(new Response.Failure("1", ErrorCode.INTERNAL, "m"));
  }

  @Test
  void parse_fillsInMissingErrorMessage() throws Exception {
    Response response =
        Response.parse("{\"v\":1,\"id\":\"1\",\"ok\":false,\"error\":{\"code\":\"not_found\"}}");

    assertThat(response)
        .isEqualTo(
            new Response.Failure(
                "1", ErrorCode.NOT_FOUND, "the daemon sent an error without a message"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"v\":1,\"id\":\"1\"}",
        "{\"v\":1,\"id\":\"1\",\"ok\":\"yes\"}",
        "{\"v\":1,\"id\":\"1\",\"ok\":false}",
        "{\"v\":1,\"id\":\"1\",\"ok\":false,\"error\":\"boom\"}",
        "{\"v\":1,\"id\":\"1\",\"event\":7}",
      })
  void parse_refusesMessageThatIsNotAResponse(String frame) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Response.parse(frame));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(e.getMessage()).contains("not a response");
  }
}
