package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.http.ApiCalls.Answer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Error answers have the one documented shape wherever they come from: our handlers, the router
 * (unknown path, wrong method), the body reader, and Jetty itself (a malformed request line).
 * {@link ApiCalls} checks each exchange against {@code openapi.yaml}, Error shape included.
 */
class ApiErrorsTest {
  static BareServer bare;

  @BeforeAll
  static void start() {
    bare = new BareServer("server_errors");
  }

  @AfterAll
  static void stop() {
    if (bare != null) bare.close();
  }

  private static Answer send(ApiCalls.Call call) throws Exception {
    return call.send();
  }

  @Test
  void unknownPathsAndMethodsAnswerTheErrorShape() throws Exception {
    Answer unknown = send(ApiCalls.to(bare.url(), "GET", "/v1/nothing-here").bearer(BareServer.TOKEN));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("error").asText()).contains("/v1/nothing-here");
    Answer method = send(ApiCalls.to(bare.url(), "DELETE", "/v1/sync-runs").bearer(BareServer.TOKEN));
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.body().get("error").asText()).contains("DELETE");
    assertThat(send(ApiCalls.to(bare.url(), "PUT", "/healthz")).status()).isEqualTo(405);
    // No method is answered that the document does not list (HEAD and OPTIONS included).
    assertThat(send(ApiCalls.to(bare.url(), "HEAD", "/healthz")).status()).isIn(404, 405);
    assertThat(send(ApiCalls.to(bare.url(), "HEAD", "/v1/jobs/stats").bearer(BareServer.TOKEN)).status()).isEqualTo(405);
    assertThat(send(ApiCalls.to(bare.url(), "OPTIONS", "/v1/sync-runs").bearer(BareServer.TOKEN)).status()).isIn(404, 405);
  }

  @Test
  void aBodyThatIsNotDeclaredJsonIsRefusedWith415() throws Exception {
    Answer a = send(ApiCalls.to(bare.url(), "POST", "/v1/sync-runs").bearer(BareServer.TOKEN)
        .body("text/plain", "{\"connection\":\"hubspot-main\"}"));
    assertThat(a.status()).isEqualTo(415);
    assertThat(a.body().get("error").asText()).contains("application/json");
    Answer form = send(ApiCalls.to(bare.url(), "POST", "/v1/sync-runs").bearer(BareServer.TOKEN)
        .body("application/x-www-form-urlencoded", "connection=hubspot-main"));
    assertThat(form.status()).isEqualTo(415);
  }

  @Test
  void malformedPathParametersAreA400InTheErrorShape() throws Exception {
    Answer a = send(ApiCalls.to(bare.url(), "GET", "/v1/sync-runs/%7Bid%7D").bearer(BareServer.TOKEN));
    assertThat(a.status()).isEqualTo(400);
    Answer b = send(ApiCalls.to(bare.url(), "POST", "/v1/jobs/-3/retry").bearer(BareServer.TOKEN));
    assertThat(b.status()).isEqualTo(400);
  }

  @Test
  void errorsJettyAnswersItselfHaveTheErrorShapeToo() throws Exception {
    // An invalid percent-escape and an oversized header never reach a handler: Jetty refuses them.
    RawAnswer badEscape = raw("GET /v1/sync-runs/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(badEscape.status()).isEqualTo(400);
    ApiContract.assertErrorShape("GET /v1/sync-runs/%zz", badEscape.contentType(), badEscape.body());
    RawAnswer hugeHeader = raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + "x".repeat(70_000) + "\r\nConnection: close\r\n\r\n");
    assertThat(hugeHeader.status()).isEqualTo(431);
    ApiContract.assertErrorShape("GET /healthz with a 70 kB header", hugeHeader.contentType(), hugeHeader.body());
  }

  record RawAnswer(int status, String contentType, String body) {}

  /** One request written byte for byte (the JDK's client refuses to send malformed ones). */
  private static RawAnswer raw(String request) throws Exception {
    try (Socket s = new Socket(bare.url().getHost(), bare.url().getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int headEnd = response.indexOf("\r\n\r\n");
      String head = response.substring(0, headEnd);
      String body = response.substring(headEnd + 4);
      int status = Integer.parseInt(head.split(" ")[1]);
      String type = head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-type:"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
      if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) body = unchunk(body);
      return new RawAnswer(status, type, body);
    }
  }

  private static String unchunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (true) {
      int eol = chunked.indexOf("\r\n", i);
      int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
      if (size == 0) return out.toString();
      out.append(chunked, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
  }
}
