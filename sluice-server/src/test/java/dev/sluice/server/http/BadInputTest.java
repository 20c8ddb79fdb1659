package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.ApiCalls.Answer;
import dev.sluice.server.runtime.SluiceRuntime;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hostile and odd requests each get a clear 4xx in the one error shape (or the right answer), never a 500. */
class BadInputTest {
  private static final String TOKEN = "bad-input-token-0123456789abcdefghijkl";
  private static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static SluiceRuntime runtime;
  static ApiServer server;
  static final HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    db = TestDatabase.create("server_bad_input", 6);
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          idle:
            platform: hubspot
            base_url: http://127.0.0.1:9
            token: ${IDLE_TOKEN}
        """, Map.of("IDLE_TOKEN", "pat-idle-token"));
    runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
    server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
        runtime.engine(), runtime.queue(), runtime.dataSource());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (db != null) db.close();
  }

  private static void clear4xx(int status, String body) throws Exception {
    assertThat(status).as(body).isBetween(400, 499);
    JsonNode error = JSON.readTree(body);
    assertThat(error.size()).as(body).isEqualTo(1);
    assertThat(error.get("error").asText()).as(body).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return raw.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void deeplyNestedJsonIsRefused() throws Exception {
    String nested = "{\"connection\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    Answer a = ApiCalls.call(server.url(), "POST", "/v1/sync-runs", nested, TOKEN);
    clear4xx(a.status(), a.raw().body());
  }

  @Test
  void hugeNumbersAreRefused() throws Exception {
    Answer body = ApiCalls.call(server.url(), "POST", "/v1/sync-runs", "{\"connection\":\"idle\",\"mode\":" + "9".repeat(5000) + "}", TOKEN);
    clear4xx(body.status(), body.raw().body());
    Answer query = ApiCalls.call(server.url(), "GET", "/v1/sync-runs?limit=99999999999999999999999", null, TOKEN);
    clear4xx(query.status(), query.raw().body());
    Answer id = ApiCalls.call(server.url(), "GET", "/v1/sync-runs/99999999999999999999999", null, TOKEN);
    clear4xx(id.status(), id.raw().body());
  }

  @Test
  void invalidUtf8IsRefused() throws Exception {
    byte[] bytes = {'{', '"', 'c', 'o', 'n', 'n', 'e', 'c', 't', 'i', 'o', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    HttpResponse<String> r = send(HttpRequest.newBuilder(server.url().resolve("/v1/sync-runs"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    clear4xx(r.statusCode(), r.body());
  }

  @Test
  void aChunkedBodyOverTheLimitIsRefusedWithoutContentLength() throws Exception {
    byte[] big = ("{\"connection\":\"" + "x".repeat(JsonBodyReader.MAX_BODY_BYTES + 10) + "\"}").getBytes();
    HttpResponse<String> r = send(HttpRequest.newBuilder(server.url().resolve("/v1/sync-runs"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
    assertThat(r.statusCode()).isEqualTo(413);
    clear4xx(r.statusCode(), r.body());
  }

  @Test
  void aDoubleSlashNeitherBypassesAuthNorFails() throws Exception {
    for (String path : new String[] {"//v1/jobs/stats", "/v1//jobs/stats", "/./v1/jobs/stats", "/%2Fv1/jobs/stats"}) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(server.url() + path)));
      assertThat(r.statusCode()).as(path).isNotEqualTo(200).isBetween(400, 499);
      clear4xx(r.statusCode(), r.body());
    }
  }

  @Test
  void aNulCharacterInThePathOrQueryIsRefused() throws Exception {
    for (String path : new String[] {"/v1/sync-runs?connection=a%00b", "/v1/sync-runs?status=%00", "/v1/records/a%00/contacts/1",
        "/v1/jobs/dead?kind=%00"}) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Authorization", "Bearer " + TOKEN));
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      // (Jetty itself may refuse a NUL in a path segment first; a query parameter reaches the server's check)
      if (path.contains("?")) assertThat(r.body()).as(path).contains("NUL character");
      clear4xx(r.statusCode(), r.body());
    }
  }

  @Test
  void headAndOptionsOnV1AreAnsweredWithoutAFault() throws Exception {
    for (String method : new String[] {"HEAD", "OPTIONS"}) {
      HttpResponse<String> anonymous = send(HttpRequest.newBuilder(server.url().resolve("/v1/jobs/stats"))
          .method(method, HttpRequest.BodyPublishers.noBody()));
      assertThat(anonymous.statusCode()).as(method).isIn(401, 405);
      HttpResponse<String> authed = send(HttpRequest.newBuilder(server.url().resolve("/v1/jobs/stats"))
          .header("Authorization", "Bearer " + TOKEN).method(method, HttpRequest.BodyPublishers.noBody()));
      assertThat(authed.statusCode()).as(method).isIn(200, 204, 405);
      if (method.equals("HEAD")) assertThat(authed.body()).isEmpty();
    }
  }

  @Test
  void aMalformedLastEventIdIsRefused() throws Exception {
    Answer run = ApiCalls.call(server.url(), "POST", "/v1/sync-runs", "{\"connection\":\"idle\"}", TOKEN);
    assertThat(run.status()).isIn(200, 202);
    String events = "/v1/sync-runs/" + run.body().get("run_id").asLong() + "/events";
    for (String id : new String[] {"abc", "-1", "99999999999999999999999", "1e3", "0x10"}) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(server.url().resolve(events))
          .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream").header("Last-Event-ID", id));
      assertThat(r.statusCode()).as(id).isEqualTo(400);
      clear4xx(r.statusCode(), r.body());
    }
  }
}
