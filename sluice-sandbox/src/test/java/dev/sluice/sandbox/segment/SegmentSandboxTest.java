package dev.sluice.sandbox.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.Sandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SegmentSandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-26T21:35:57.100Z"));
  private Sandbox server;
  private SegmentSandbox sandbox;
  private String base;

  private void start(SegmentOptions.Builder options) {
    sandbox = new SegmentSandbox(options.build());
    server = Sandbox.builder().clock(clock).platform(sandbox).start();
    base = (String) sandbox.describe(server.baseUrl()).get("base_url");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> post(String path, String body, String writeKey) throws Exception {
    String basic = Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, Object body) throws Exception {
    return post(path, JSON.writeValueAsString(body), SegmentOptions.DEFAULT_WRITE_KEY);
  }

  @Test
  void identifyAndTrackAnswerSuccessAndAreStored() throws Exception {
    start(SegmentOptions.builder());
    HttpResponse<String> identify = post("/identify", Map.of("userId", "u-1", "traits", Map.of("email", "a@b.com"),
        "context", Map.of("ip", "127.0.0.1"), "timestamp", "2026-03-26T21:35:57Z", "messageId", "m-1"));
    assertThat(identify.statusCode()).isEqualTo(200);
    assertThat(identify.body()).isEqualTo("{\"success\":true}");
    HttpResponse<String> track = post("/track", Map.of("anonymousId", "anon-9", "event", "Signed Up",
        "properties", Map.of("plan", "pro")));
    assertThat(track.body()).isEqualTo("{\"success\":true}");
    assertThat(sandbox.events()).hasSize(2);
    SegmentEvent first = sandbox.events().get(0);
    assertThat(first.type()).isEqualTo("identify");
    assertThat(first.userId()).isEqualTo("u-1");
    assertThat(first.messageId()).isEqualTo("m-1");
    assertThat(first.payload().get("traits").get("email").asText()).isEqualTo("a@b.com");
    assertThat(sandbox.events("track").get(0).event()).isEqualTo("Signed Up");
    assertThat(sandbox.events("track").get(0).anonymousId()).isEqualTo("anon-9");
  }

  @Test
  void eventsWithoutAnIdentityAreDroppedLikeSegmentDoes() throws Exception {
    start(SegmentOptions.builder());
    assertThat(post("/track", Map.of("event", "Orphan")).statusCode()).isEqualTo(200);
    assertThat(post("/track", Map.of("userId", "u-1")).statusCode()).isEqualTo(200);
    assertThat(sandbox.events()).isEmpty();
    assertThat(sandbox.droppedEventReasons()).containsExactly("track: needs userId or anonymousId", "track: track needs event");
  }

  @Test
  void wrongWriteKeyIsAnswered200AndDroppedAsSegmentDoes() throws Exception {
    start(SegmentOptions.builder());
    HttpResponse<String> r = post("/identify", "{\"userId\":\"u\",\"messageId\":\"m-1\"}", "wrong");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"success\":true}");
    assertThat(sandbox.events()).isEmpty();
    assertThat(sandbox.droppedEvents()).singleElement().satisfies(d -> {
      assertThat(d.reason()).isEqualTo("invalid write key");
      assertThat(d.messageId()).isEqualTo("m-1");
      assertThat(d.userId()).isEqualTo("u");
    });
    HttpResponse<String> admin = http.send(HttpRequest.newBuilder(URI.create(server.adminUrl() + "/segment/dropped")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(admin.body()).get(0).get("reason").asText()).isEqualTo("invalid write key");
  }

  @Test
  void strictWriteKeyRefusesAWrongKeyWith401() throws Exception {
    start(SegmentOptions.builder().strictWriteKey(true));
    HttpResponse<String> r = post("/identify", "{\"userId\":\"u\"}", "wrong");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(r.body()).get("success").asBoolean()).isFalse();
    assertThat(sandbox.events()).isEmpty();
  }

  @Test
  void batchStoresEveryEventAndDedupesOnMessageId() throws Exception {
    start(SegmentOptions.builder());
    Map<String, Object> batch = Map.of("batch", List.of(
        Map.of("type", "identify", "userId", "u-1", "traits", Map.of("name", "Zoë"), "messageId", "b-1"),
        Map.of("type", "track", "userId", "u-1", "event", "Order Completed", "messageId", "b-2")));
    assertThat(post("/batch", batch).body()).isEqualTo("{\"success\":true}");
    assertThat(post("/batch", batch).statusCode()).isEqualTo(200); // a retried batch
    assertThat(sandbox.events()).extracting(SegmentEvent::messageId).containsExactly("b-1", "b-2");
    assertThat(sandbox.duplicateCount()).isEqualTo(2);
    assertThat(server.counters().idempotencyKeyCount("segment", "b-1")).isEqualTo(2);
  }

  @Test
  void oversizedRequestsAndEventsAre400() throws Exception {
    start(SegmentOptions.builder());
    String big = "x".repeat(33 * 1024);
    HttpResponse<String> single = post("/track", Map.of("userId", "u", "event", "E", "properties", Map.of("blob", big)));
    assertThat(single.statusCode()).isEqualTo(400);
    HttpResponse<String> bigEvent = post("/batch", Map.of("batch", List.of(
        Map.of("type", "track", "userId", "u", "event", "E", "properties", Map.of("blob", big)))));
    assertThat(bigEvent.statusCode()).isEqualTo(400);
    List<Map<String, Object>> many = new ArrayList<>();
    String thirtyK = "y".repeat(30 * 1024);
    for (int i = 0; i < 17; i++) { // 17 × 30 KB > 500 KB, each event under 32 KB
      many.add(Map.of("type", "track", "userId", "u", "event", "E", "properties", Map.of("blob", thirtyK)));
    }
    assertThat(post("/batch", Map.of("batch", many)).statusCode()).isEqualTo(400);
    List<Map<String, Object>> tooMany = new ArrayList<>();
    for (int i = 0; i < 2_501; i++) {
      tooMany.add(Map.of("type", "track", "userId", "u", "event", "E"));
    }
    HttpResponse<String> count = post("/batch", Map.of("batch", tooMany));
    assertThat(count.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(count.body()).get("success").asBoolean()).isFalse();
    assertThat(sandbox.events()).isEmpty();
    assertThat(sandbox.rejectedRequestCount()).isEqualTo(4);
    // At the limit is fine.
    assertThat(post("/batch", Map.of("batch", tooMany.subList(0, 2_500))).statusCode()).isEqualTo(200);
    assertThat(sandbox.events()).hasSize(2_500);
  }

  @Test
  void overTheRequestRateAnswers429WithRetryAfter() throws Exception {
    start(SegmentOptions.builder().requestsPerSecond(2));
    Map<String, Object> e = Map.of("userId", "u", "event", "E");
    assertThat(post("/track", e).statusCode()).isEqualTo(200);
    assertThat(post("/track", e).statusCode()).isEqualTo(200);
    HttpResponse<String> limited = post("/track", e);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(sandbox.rateLimitedCount()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(post("/track", e).statusCode()).isEqualTo(200);
    assertThat(sandbox.events()).hasSize(3);
  }

  @Test
  void injectedRateLimitFaultsAnswerInSegmentsShape() throws Exception {
    start(SegmentOptions.builder());
    server.faults().add(FaultRule.tooManyRequests(1.0).onPath("/v1/").times(1));
    HttpResponse<String> faulted = post("/track", Map.of("userId", "u", "event", "E"));
    assertThat(faulted.statusCode()).isEqualTo(429);
    assertThat(faulted.headers().firstValue("Retry-After")).isPresent();
    assertThat(JSON.readTree(faulted.body()).get("success").asBoolean()).isFalse();
    assertThat(post("/track", Map.of("userId", "u", "event", "E")).statusCode()).isEqualTo(200);
  }
}
