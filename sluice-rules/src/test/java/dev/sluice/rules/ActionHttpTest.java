package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An action's answer is read up to a limit over real HTTP, and its status is kept whatever the body's size. */
class ActionHttpTest {
  private HttpServer server;
  private String base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/endless", x -> {
      x.getRequestBody().readAllBytes();
      x.sendResponseHeaders(201, 0); // chunked, no Content-Length
      byte[] chunk = new byte[64 * 1024];
      try (OutputStream out = x.getResponseBody()) {
        for (long sent = 0; sent <= 4 * ActionHttp.READ_LIMIT; sent += chunk.length) out.write(chunk);
      } catch (IOException e) {
        // the client hung up once past its limit
      }
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void aSuccessWithAnEndlessBodyIsASuccessReadOnlyUpToTheLimit() throws Exception {
    ActionHttp http = new ActionHttp(HttpClient.newHttpClient(), Clock.systemUTC());
    var req = ActionHttp.JSON.createObjectNode().put("method", "POST").put("url", base + "/endless");
    req.putObject("body").put("deal", "1");
    HttpResponse<String> res = http.send(req, Map.of(), null, ActionHttp.body(req));
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat((long) res.body().length()).isLessThanOrEqualTo(ActionHttp.READ_LIMIT);
    assertThat(ActionHttp.response(res, ActionHttp.parse(res.body())).path("response").path("body").asText()).hasSizeLessThan(ActionHttp.KEPT_BODY_CHARS + 2);
  }
}
