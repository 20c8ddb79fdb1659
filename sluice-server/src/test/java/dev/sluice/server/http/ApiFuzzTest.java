package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.runtime.SluiceRuntime;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for everything the HTTP server parses from outside (docs/fuzzing.md), over real HTTP
 * against a real server on real PostgreSQL: JSON bodies of the API, query parameters and path
 * segments, lead bodies (JSON and forms) and webhook bodies (signed as their senders sign them, so
 * that the fuzzer reaches the parsers). The contract: never a 5xx; every refusal is a 4xx carrying
 * the one error shape ({@code {"error": "…"}}; the Salesforce receiver answers a SOAP fault). In a
 * normal build each target replays its saved inputs
 * ({@code src/test/resources/dev/sluice/server/http/ApiFuzzTestInputs/<method>/}).
 */
class ApiFuzzTest {
  static final String TOKEN = "fuzz-api-token-0123456789abcdefghijklmnop";
  static final String LEAD_KEY = "fuzz-lead-key-0123456789";
  static final String APP_SECRET = "fuzz-hubspot-app-secret";
  static final String MC_SECRET = "fuzz-mailchimp-path-secret-0123456789";
  static final String STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String ORG = "00D000000000001AAA";
  static final String PUBLIC_BASE = "https://hooks.fuzz.example";
  static final ObjectMapper JSON = new ObjectMapper();

  static TestDatabase db;
  static SluiceRuntime runtime;
  static ApiServer server;
  static HttpClient http;

  @BeforeAll
  static void start() {
    db = TestDatabase.create("server_fuzz", 8);
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          hubspot-main:
            platform: hubspot
            base_url: http://127.0.0.1:9
            token: not-used
            objects: [contacts, companies]
            webhooks:
              app_secret: %s
          sf:
            platform: salesforce
            base_url: http://127.0.0.1:9
            token: not-used
            webhooks:
              organization_id: %s
          mc:
            platform: mailchimp
            base_url: http://127.0.0.1:9
            token: not-used
            webhooks:
              path_secret: %s
        inbound:
          public_base_url: %s
          standard:
            shop:
              secrets:
                - %s
        leads:
          sources:
            web:
              key: %s
              destination: hubspot-main
              honeypot: website
              mapping:
                first_name: firstname
        """.formatted(APP_SECRET, ORG, MC_SECRET, PUBLIC_BASE, STANDARD_SECRET, LEAD_KEY), Map.of());
    runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
    server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
        runtime.engine(), runtime.queue(), runtime.dataSource(), runtime.leads(), runtime.inbound());
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (db != null) db.close();
  }

  /** {@code POST /v1/sync-runs} with any body. */
  @FuzzTest(maxDuration = "30s")
  void syncRunTrigger(byte[] body) throws Exception {
    check(send("POST", "/v1/sync-runs", "application/json", body, Map.of("Authorization", "Bearer " + TOKEN)));
  }

  /** The other JSON bodies of the API: dead-job retry, event replay, pipeline runs. */
  @FuzzTest(maxDuration = "30s")
  void otherJsonBodies(FuzzedDataProvider data) throws Exception {
    String path = data.pickValue(List.of("/v1/jobs/dead/retry", "/v1/events/replay", "/v1/pipeline-runs",
        "/v1/sync-runs/1/cancel", "/v1/sync-runs/1/resume", "/v1/jobs/1/retry", "/v1/events/1/replay"));
    String type = data.pickValue(List.of("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded"));
    check(send("POST", path, type, data.consumeRemainingAsBytes(), Map.of("Authorization", "Bearer " + TOKEN)));
  }

  /** {@code GET} routes with fuzzed path segments and query strings. */
  @FuzzTest(maxDuration = "30s")
  void queryParameters(FuzzedDataProvider data) throws Exception {
    String segment = segment(data);
    String path = data.pickValue(List.of("/v1/sync-runs", "/v1/sync-runs/" + segment, "/v1/sync-runs/" + segment + "/events",
        "/v1/records/hubspot-main/contacts/" + segment, "/v1/records/" + segment + "/contacts/1", "/v1/jobs/dead",
        "/v1/jobs/stats", "/v1/rate-limits", "/v1/leads", "/v1/leads/" + segment, "/v1/leads/stats", "/v1/events",
        "/v1/events/" + segment, "/v1/events/" + segment + "/decisions", "/v1/pipeline-runs", "/v1/pipeline-runs/" + segment,
        "/v1/pipeline-runs/" + segment + "/results", "/v1/connections"));
    StringBuilder query = new StringBuilder();
    int pairs = data.consumeInt(0, 4);
    for (int i = 0; i < pairs; i++) {
      if (i > 0) query.append('&');
      String key = data.pickValue(List.of("status", "connection", "limit", "before", "after", "source", "type", "state",
          "kind", "object_id", "since", "until", "email", data.consumeString(12)));
      query.append(encode(key)).append('=').append(data.consumeBoolean() ? raw(data.consumeString(40)) : encode(data.consumeString(40)));
    }
    URI uri;
    try {
      uri = URI.create(server.url() + path + (query.isEmpty() ? "" : "?" + query));
    } catch (IllegalArgumentException notAUri) {
      return; // the client cannot send it (e.g. a lone '%'): nothing reaches the server
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().header("Authorization", "Bearer " + TOKEN);
    if (path.endsWith("/events") && data.consumeBoolean()) {
      // the run's event stream: a (malformed) Last-Event-ID, answered without streaming
      b.header("Last-Event-ID", raw(data.consumeString(30)) + "x");
    }
    check(path, sendOnce(b.build()));
  }

  /** {@code POST /v1/leads} as JSON or as a form, with the source's key in the body or the header. */
  @FuzzTest(maxDuration = "30s")
  void leadBodies(FuzzedDataProvider data) throws Exception {
    boolean form = data.consumeBoolean();
    boolean keyInHeader = !form || data.consumeBoolean(); // a JSON body without the header would only add 401s
    String type = form ? "application/x-www-form-urlencoded" : data.pickValue(List.of("application/json", "text/plain;charset=UTF-8"));
    byte[] body = data.consumeRemainingAsBytes();
    Map<String, String> headers = keyInHeader ? Map.of(LeadRoutes.KEY_HEADER, LEAD_KEY) : Map.of();
    if (!keyInHeader && form) body = concat(("_key=" + LEAD_KEY + "&").getBytes(StandardCharsets.UTF_8), body);
    check(send("POST", "/v1/leads", type, body, headers));
  }

  /** The webhook receivers, with bodies signed as each sender signs them (so the parsers are reached). */
  @FuzzTest(maxDuration = "30s")
  void webhookBodies(FuzzedDataProvider data) throws Exception {
    int sender = data.consumeInt(0, 3);
    String id = "evt-" + data.consumeString(20);
    byte[] body = data.consumeRemainingAsBytes();
    switch (sender) {
      case 0 -> {
        String path = "/hooks/hubspot/hubspot-main";
        String ts = Long.toString(System.currentTimeMillis());
        byte[] signed = concat(concat(("POST" + PUBLIC_BASE + path).getBytes(StandardCharsets.UTF_8), body), ts.getBytes(StandardCharsets.UTF_8));
        String signature = Base64.getEncoder().encodeToString(hmac(APP_SECRET.getBytes(StandardCharsets.UTF_8), signed));
        check(send("POST", path, "application/json", body, Map.of("X-HubSpot-Signature-v3", signature, "X-HubSpot-Request-Timestamp", ts)));
      }
      case 1 -> check(send("POST", "/hooks/salesforce/sf", "text/xml; charset=utf-8", body, Map.of("SOAPAction", "\"\"")));
      case 2 -> check(send("POST", "/hooks/mailchimp/mc/" + MC_SECRET, "application/x-www-form-urlencoded", body, Map.of()));
      default -> {
        String webhookId = id.isBlank() ? "evt" : id.strip().replaceAll("[^A-Za-z0-9_.-]", "_");
        long ts = System.currentTimeMillis() / 1000;
        byte[] key = Base64.getDecoder().decode(STANDARD_SECRET.substring("whsec_".length()));
        String signature = "v1," + Base64.getEncoder().encodeToString(
            hmac(key, concat((webhookId + "." + ts + ".").getBytes(StandardCharsets.UTF_8), body)));
        check(send("POST", "/hooks/standard/shop", "application/json", body,
            Map.of("webhook-id", webhookId, "webhook-timestamp", Long.toString(ts), "webhook-signature", signature)));
      }
    }
  }

  // ---- helpers

  record Sent(String path, HttpResponse<String> response) {}

  static Sent send(String method, String path, String contentType, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    headers.forEach(b::header);
    return new Sent(path, sendOnce(b.build()));
  }

  /**
   * Sends, again once when the client's pooled connection was closed under it before any byte of
   * the answer (seen once in 25,920 requests, with the server's log showing a 400 for each): a
   * server that really drops the connection for an input fails the second attempt too.
   */
  static HttpResponse<String> sendOnce(HttpRequest request) throws Exception {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      if (!String.valueOf(e.getMessage()).contains("received no bytes")) throw e;
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  static void check(Sent s) throws Exception {
    check(s.path(), s.response());
  }

  /** Never a 5xx; a refusal is a 4xx with the error shape (a SOAP fault on the Salesforce receiver). */
  static void check(String path, HttpResponse<String> r) throws Exception {
    String what = path + " answered " + r.statusCode() + ": " + r.body();
    assertThat(r.statusCode()).as(what).isBetween(200, 499);
    if (r.statusCode() >= 400) {
      String type = r.headers().firstValue("Content-Type").orElse("");
      if (path.startsWith("/hooks/salesforce/")) {
        assertThat(type).as(what).startsWith("text/xml");
        assertThat(r.body()).as(what).contains("faultstring");
      } else {
        assertThat(type).as(what).startsWith("application/json");
        JsonNode error = JSON.readTree(r.body());
        assertThat(error.path("error").asText()).as(what).isNotBlank().doesNotContain("\tat ");
      }
    }
  }

  static String segment(FuzzedDataProvider data) {
    String s = data.consumeString(30);
    return s.isEmpty() ? "1" : encode(s).replace("+", "%20");
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** {@code s} kept to characters a URI may hold, '%' included (so malformed escapes reach the server). */
  static String raw(String s) {
    return s.replaceAll("[^A-Za-z0-9%._~!$'()*,;:@/?-]", "");
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] hmac(byte[] key, byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }
}
