package dev.sluice.sandbox.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.Sandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SlackSandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = SlackOptions.DEFAULT_BOT_TOKEN;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-26T21:35:57Z"));
  private Sandbox sandboxServer;
  private SlackSandbox sandbox;
  private String server;

  @BeforeEach
  void start() {
    sandbox = new SlackSandbox(SlackOptions.builder().build());
    sandboxServer = Sandbox.builder().clock(clock).platform(sandbox).start();
    server = sandboxServer.baseUrl();
  }

  @AfterEach
  void stop() {
    sandboxServer.close();
  }

  private HttpResponse<String> postJson(String token, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + "/api/chat.postMessage"))
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> hook(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void postMessageAnswersOkWithChannelAndTs() throws Exception {
    HttpResponse<String> r = postJson(TOKEN, Map.of("channel", "#general", "text", "Deal moved to placement"));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode b = JSON.readTree(r.body());
    assertThat(b.get("ok").asBoolean()).isTrue();
    assertThat(b.get("channel").asText()).isEqualTo(sandbox.channelId("general"));
    assertThat(b.get("ts").asText()).matches("\\d+\\.\\d{6}");
    assertThat(b.get("message").get("text").asText()).isEqualTo("Deal moved to placement");
    assertThat(sandbox.messages("general")).singleElement()
        .satisfies(m -> assertThat(m.ts()).isEqualTo(b.get("ts").asText()));
  }

  @Test
  void formBodiesWorkToo() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server + "/api/chat.postMessage"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN + "&channel=alerts&text=hello+there")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(r.body()).get("ok").asBoolean()).isTrue();
    assertThat(sandbox.messages("alerts").get(0).text()).isEqualTo("hello there");
  }

  @Test
  void aChannelTakesABurstOfThreeThenOneMessageASecondWith429AndRetryAfter() throws Exception {
    for (String text : List.of("one", "two", "three")) {
      assertThat(postJson(TOKEN, Map.of("channel", "general", "text", text)).statusCode()).isEqualTo(200);
    }
    clock.advance(Duration.ofMillis(400));
    HttpResponse<String> limited = postJson(TOKEN, Map.of("channel", "general", "text", "four"));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(JSON.readTree(limited.body()).get("error").asText()).isEqualTo("ratelimited");
    // Other channels have their own budget.
    assertThat(postJson(TOKEN, Map.of("channel", "alerts", "text", "elsewhere")).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofMillis(600));
    assertThat(postJson(TOKEN, Map.of("channel", "general", "text", "four")).statusCode()).isEqualTo(200);
    // The burst is spent: the long-run pace of one a second holds.
    assertThat(postJson(TOKEN, Map.of("channel", "general", "text", "five")).statusCode()).isEqualTo(429);
    clock.advance(Duration.ofSeconds(1));
    assertThat(postJson(TOKEN, Map.of("channel", "general", "text", "five")).statusCode()).isEqualTo(200);
    // Ten quiet seconds refill the burst, not more.
    clock.advance(Duration.ofSeconds(10));
    for (String text : List.of("six", "seven", "eight")) {
      assertThat(postJson(TOKEN, Map.of("channel", "general", "text", text)).statusCode()).isEqualTo(200);
    }
    assertThat(postJson(TOKEN, Map.of("channel", "general", "text", "nine")).statusCode()).isEqualTo(429);
    assertThat(sandbox.rateLimitedCount()).isEqualTo(3);
    assertThat(sandbox.messages("general")).extracting(SlackMessage::text)
        .containsExactly("one", "two", "three", "four", "five", "six", "seven", "eight");
  }

  @Test
  void errorsAreOkFalseWith200() throws Exception {
    assertThat(okFalse(postJson("xoxb-wrong", Map.of("channel", "general", "text", "x")))).isEqualTo("invalid_auth");
    assertThat(okFalse(postJson(null, Map.of("channel", "general", "text", "x")))).isEqualTo("not_authed");
    assertThat(okFalse(postJson(TOKEN, Map.of("channel", "#nowhere", "text", "x")))).isEqualTo("channel_not_found");
    assertThat(okFalse(postJson(TOKEN, Map.of("channel", "archived-news", "text", "x")))).isEqualTo("is_archived");
    assertThat(okFalse(postJson(TOKEN, Map.of("channel", "general")))).isEqualTo("no_text");
    assertThat(sandbox.messages()).isEmpty();
  }

  private static String okFalse(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode b = JSON.readTree(r.body());
    assertThat(b.get("ok").asBoolean()).isFalse();
    return b.get("error").asText();
  }

  @Test
  void incomingWebhooksAnswerWordsWithStatuses() throws Exception {
    String general = sandbox.webhookPath("sandboxhooksecret0000001");
    String archived = sandbox.webhookPath("sandboxhooksecret0000002");
    assertThat(general).startsWith("/services/slack-hooks/T0000000001/B");
    HttpResponse<String> ok = hook(general, "{\"text\":\"New lead: Zoë\"}");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("ok");
    assertThat(sandbox.messages("general").get(0).source()).isEqualTo("incoming-webhook");

    HttpResponse<String> bad = hook(general, "{not json");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).isEqualTo("invalid_payload");
    HttpResponse<String> gone = hook(archived, "{\"text\":\"x\"}");
    assertThat(gone.statusCode()).isEqualTo(410);
    assertThat(gone.body()).isEqualTo("channel_is_archived");

    HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(server + "/_admin/slack/channels/general"))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(deleted.statusCode()).isEqualTo(204);
    HttpResponse<String> notFound = hook(general, "{\"text\":\"x\"}");
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.body()).isEqualTo("channel_not_found");
    // Every webhook answer, the final 404 included, is counted by the shared server.
    assertThat(sandboxServer.counters().requests("POST " + SlackSandbox.WEBHOOK_PREFIX + "/{team}/{bot}/{secret}"))
        .isEqualTo(4);
  }

  @Test
  void injectedRateLimitFaultsAnswerInSlacksShape() throws Exception {
    sandboxServer.faults().add(FaultRule.tooManyRequests(1.0).onPath("/api/").times(1));
    HttpResponse<String> faulted = postJson(TOKEN, Map.of("channel", "general", "text", "x"));
    assertThat(faulted.statusCode()).isEqualTo(429);
    assertThat(faulted.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(JSON.readTree(faulted.body()).get("error").asText()).isEqualTo("ratelimited");
    assertThat(postJson(TOKEN, Map.of("channel", "general", "text", "x")).statusCode()).isEqualTo(200);
  }
}
