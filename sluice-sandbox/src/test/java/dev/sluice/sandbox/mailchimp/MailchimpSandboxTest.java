package dev.sluice.sandbox.mailchimp;

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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MailchimpSandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LIST = MailchimpOptions.DEFAULT_LIST_ID;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-26T21:35:57Z"));
  private Sandbox server;
  private MailchimpSandbox sandbox;
  private String base;

  private void start(MailchimpOptions.Builder options) {
    sandbox = new MailchimpSandbox(options.build());
    server = Sandbox.builder().clock(clock).platform(sandbox).start();
    base = (String) sandbox.describe(server.baseUrl()).get("base_url");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpRequest.Builder request(String path, String apiKey) {
    String basic = Base64.getEncoder().encodeToString(("anystring:" + apiKey).getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/json");
  }

  private HttpResponse<String> send(String method, String path, Object body) throws Exception {
    HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
    return http.send(request(path, MailchimpOptions.DEFAULT_API_KEY).method(method, p).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void putBySubscriberHashThenGetAnswersTheMember() throws Exception {
    start(MailchimpOptions.builder().membersPerList(0));
    String hash = MailchimpSandbox.subscriberHash("Ada@Example.com");
    assertThat(hash).isEqualTo(md5Hex("ada@example.com"));
    HttpResponse<String> put = send("PUT", "/lists/" + LIST + "/members/" + hash, Map.of(
        "email_address", "Ada@Example.com", "status_if_new", "subscribed", "merge_fields", Map.of("FNAME", "Ada")));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    JsonNode m = JSON.readTree(put.body());
    assertThat(m.get("id").asText()).isEqualTo(hash);
    assertThat(m.get("email_address").asText()).isEqualTo("Ada@Example.com");
    assertThat(m.get("status").asText()).isEqualTo("subscribed");
    assertThat(m.get("merge_fields").get("FNAME").asText()).isEqualTo("Ada");
    assertThat(m.get("list_id").asText()).isEqualTo(LIST);
    assertThat(m.get("last_changed").asText()).isEqualTo("2026-03-26T21:35:57+00:00");

    // status_if_new does not touch an existing member; status does.
    send("PUT", "/lists/" + LIST + "/members/" + hash, Map.of("email_address", "ada@example.com", "status_if_new", "pending"));
    HttpResponse<String> get = send("GET", "/lists/" + LIST + "/members/" + hash, null);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(get.body()).get("status").asText()).isEqualTo("subscribed");
    assertThat(JSON.readTree(get.body()).get("merge_fields").get("FNAME").asText()).isEqualTo("Ada");
  }

  @Test
  void errorsAreProblemJson() throws Exception {
    start(MailchimpOptions.builder().membersPerList(0));
    HttpResponse<String> wrongKey = http.send(request("/lists/" + LIST + "/members/" + md5Hex("x@y.com"),
        "ffffffffffffffffffffffffffffffff-us21").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(wrongKey.statusCode()).isEqualTo(401);
    assertThat(wrongKey.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    JsonNode p = JSON.readTree(wrongKey.body());
    assertThat(iterableNames(p)).containsExactly("type", "title", "status", "detail", "instance");
    assertThat(p.get("title").asText()).isEqualTo("API Key Invalid");
    assertThat(p.get("status").asInt()).isEqualTo(401);

    HttpResponse<String> missing = send("GET", "/lists/" + LIST + "/members/" + md5Hex("nobody@example.com"), null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).get("title").asText()).isEqualTo("Resource Not Found");

    HttpResponse<String> mismatch = send("PUT", "/lists/" + LIST + "/members/" + md5Hex("other@example.com"),
        Map.of("email_address", "a@example.com", "status_if_new", "subscribed"));
    assertThat(mismatch.statusCode()).isEqualTo(400);
    assertThat(mismatch.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");

    HttpResponse<String> noStatus = send("PUT", "/lists/" + LIST + "/members/" + md5Hex("a@example.com"),
        Map.of("email_address", "a@example.com"));
    assertThat(noStatus.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noStatus.body()).get("errors").get(0).get("field").asText()).isEqualTo("status_if_new");

    HttpResponse<String> unknownList = send("GET", "/lists/nolist/members/" + md5Hex("a@example.com"), null);
    assertThat(unknownList.statusCode()).isEqualTo(404);
  }

  @Test
  void batchSubscribeAnswers200WithPerMemberErrors() throws Exception {
    start(MailchimpOptions.builder().membersPerList(0));
    sandbox.upsertMember(LIST, "old@example.com", "subscribed", Map.of("FNAME", "Old"));
    HttpResponse<String> r = send("POST", "/lists/" + LIST, Map.of("update_existing", true, "members", List.of(
        Map.of("email_address", "new@example.com", "status", "subscribed", "merge_fields", Map.of("FNAME", "New")),
        Map.of("email_address", "OLD@example.com", "status", "subscribed", "merge_fields", Map.of("FNAME", "Older")),
        Map.of("email_address", "not-an-email", "status", "subscribed", "merge_fields", Map.of()))));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode b = JSON.readTree(r.body());
    assertThat(b.get("new_members")).hasSize(1);
    assertThat(b.get("new_members").get(0).get("email_address").asText()).isEqualTo("new@example.com");
    assertThat(b.get("updated_members")).hasSize(1);
    assertThat(b.get("total_created").asInt()).isEqualTo(1);
    assertThat(b.get("total_updated").asInt()).isEqualTo(1);
    assertThat(b.get("error_count").asInt()).isEqualTo(1);
    JsonNode error = b.get("errors").get(0);
    assertThat(iterableNames(error)).containsExactly("email_address", "error", "error_code");
    assertThat(error.get("email_address").asText()).isEqualTo("not-an-email");
    assertThat(error.get("error_code").asText()).isEqualTo("ERROR_GENERIC");
    assertThat(sandbox.member(LIST, "old@example.com").orElseThrow().mergeFields()).containsEntry("FNAME", "Older");

    HttpResponse<String> noUpdate = send("POST", "/lists/" + LIST, Map.of("update_existing", false, "members", List.of(
        Map.of("email_address", "old@example.com", "status", "subscribed"))));
    JsonNode nb = JSON.readTree(noUpdate.body());
    assertThat(nb.get("errors").get(0).get("error_code").asText()).isEqualTo("ERROR_CONTACT_EXISTS");
    assertThat(nb.get("total_updated").asInt()).isZero();
  }

  @Test
  void batchOfMoreThan500MembersIsRefused() throws Exception {
    start(MailchimpOptions.builder().membersPerList(0));
    List<Map<String, Object>> members = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      members.add(Map.of("email_address", "m" + i + "@example.com", "status", "subscribed"));
    }
    HttpResponse<String> r = send("POST", "/lists/" + LIST, Map.of("members", members));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(sandbox.members(LIST)).isEmpty();
  }

  @Test
  void eleventhSimultaneousRequestGets429() throws Exception {
    CountDownLatch tenInside = new CountDownLatch(10);
    CountDownLatch release = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean holding = new java.util.concurrent.atomic.AtomicBoolean(true);
    start(MailchimpOptions.builder().membersPerList(1).inFlightHook(() -> {
      if (holding.get()) {
        tenInside.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }));
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      held.add(http.sendAsync(request("/lists/" + LIST, MailchimpOptions.DEFAULT_API_KEY).GET().build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    assertThat(tenInside.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(sandbox.inFlightRequests()).isEqualTo(10);
    holding.set(false);
    HttpResponse<String> eleventh = send("GET", "/lists/" + LIST, null);
    assertThat(eleventh.statusCode()).isEqualTo(429);
    assertThat(eleventh.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(JSON.readTree(eleventh.body()).get("title").asText()).isEqualTo("Too Many Requests");
    assertThat(sandbox.tooManyRequestsCount()).isEqualTo(1);
    release.countDown();
    for (CompletableFuture<HttpResponse<String>> f : held) {
      assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(sandbox.inFlightRequests()).isZero();
    assertThat(send("GET", "/lists/" + LIST, null).statusCode()).isEqualTo(200);
  }

  static String md5Hex(String s) throws Exception {
    byte[] d = java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
    StringBuilder b = new StringBuilder();
    for (byte x : d) {
      b.append(String.format("%02x", x));
    }
    return b.toString();
  }

  static List<String> iterableNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void injectedRateLimitFaultsAnswerInMailchimpsShape() throws Exception {
    start(MailchimpOptions.builder().membersPerList(0));
    server.faults().add(FaultRule.tooManyRequests(1.0).onPath("/3.0/").times(1));
    HttpResponse<String> faulted = send("GET", "/lists", null);
    assertThat(faulted.statusCode()).isEqualTo(429);
    assertThat(faulted.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(send("GET", "/lists", null).statusCode()).isEqualTo(200);
  }
}
