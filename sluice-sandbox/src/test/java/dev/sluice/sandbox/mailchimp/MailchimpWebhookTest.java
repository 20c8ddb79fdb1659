package dev.sluice.sandbox.mailchimp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhooks reach a real receiver (JDK HttpServer): the GET check, the form encoding, retries. */
class MailchimpWebhookTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LIST = MailchimpOptions.DEFAULT_LIST_ID;

  private final ConcurrentLinkedQueue<String> posts = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> postContentTypes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger gets = new AtomicInteger();
  private final AtomicInteger refusePosts = new AtomicInteger();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-26T21:35:57Z"));
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpServer receiver;
  private Sandbox server;
  private MailchimpSandbox sandbox;
  private String receiverUrl;

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hooks/secret-123", exchange -> {
      int status = 200;
      if (exchange.getRequestMethod().equals("GET")) {
        gets.incrementAndGet();
      } else {
        posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        postContentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
        status = refusePosts.getAndDecrement() > 0 ? 500 : 200;
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    receiver.createContext("/broken", exchange -> {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    receiver.start();
    receiverUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/secret-123";
    sandbox = new MailchimpSandbox(MailchimpOptions.builder().membersPerList(0).timeScale(0.0001).build());
    server = Sandbox.builder().clock(clock).platform(sandbox).start();
  }

  @AfterEach
  void stop() {
    server.close();
    receiver.stop(0);
  }

  private HttpResponse<String> admin(String method, String path, Object body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void webhookIsCheckedWithGetAndProfileChangesArriveFormEncoded() throws Exception {
    HttpResponse<String> created = admin("POST", "/_admin/mailchimp/lists/" + LIST + "/webhooks", Map.of("url", receiverUrl));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    assertThat(gets.get()).isEqualTo(1);

    sandbox.upsertMember(LIST, "a@b.com", "subscribed", Map.of("FNAME", "A"));
    await().atMost(Duration.ofSeconds(30)).until(() -> posts.size() == 1);
    MailchimpMember m = sandbox.member(LIST, "a@b.com").orElseThrow();
    assertThat(posts.peek()).isEqualTo("type=subscribe&fired_at=2026-03-26+21%3A35%3A57&data[id]=" + m.uniqueEmailId()
        + "&data[list_id]=" + LIST + "&data[email]=a@b.com&data[email_type]=html&data[merges][EMAIL]=a@b.com"
        + "&data[merges][FNAME]=A");
    assertThat(postContentTypes.peek()).startsWith("application/x-www-form-urlencoded");

    clock.advance(Duration.ofMinutes(1));
    HttpResponse<String> edit = admin("PUT", "/_admin/mailchimp/lists/" + LIST + "/members/a@b.com",
        Map.of("merge_fields", Map.of("FNAME", "Zoë Ann")));
    assertThat(edit.statusCode()).as(edit.body()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> posts.size() == 2);
    String profile = posts.toArray(new String[0])[1];
    Map<String, String> fields = decode(profile);
    assertThat(fields.keySet()).containsExactly("type", "fired_at", "data[id]", "data[list_id]", "data[email]",
        "data[email_type]", "data[merges][EMAIL]", "data[merges][FNAME]");
    assertThat(fields).containsEntry("type", "profile").containsEntry("fired_at", "2026-03-26 21:36:57")
        .containsEntry("data[merges][FNAME]", "Zoë Ann");

    sandbox.upsertMember(LIST, "a@b.com", "unsubscribed", null);
    await().atMost(Duration.ofSeconds(30)).until(() -> posts.size() == 3);
    Map<String, String> unsub = decode(posts.toArray(new String[0])[2]);
    assertThat(unsub).containsEntry("type", "unsubscribe").containsEntry("data[action]", "unsub")
        .containsEntry("data[reason]", "manual");
  }

  @Test
  void apiChangesFireOnlyForWebhooksThatListTheApiSource() throws Exception {
    String basic = Base64.getEncoder().encodeToString(("x:" + MailchimpOptions.DEFAULT_API_KEY).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> hook = http.send(HttpRequest.newBuilder(
            URI.create(server.baseUrl() + "/3.0/lists/" + LIST + "/webhooks"))
        .header("Authorization", "Basic " + basic).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("url", receiverUrl,
            "events", Map.of("subscribe", true), "sources", Map.of("api", true))))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(hook.statusCode()).as(hook.body()).isEqualTo(200);
    JsonNode h = JSON.readTree(hook.body());
    assertThat(h.get("sources").get("api").asBoolean()).isTrue();
    assertThat(gets.get()).isEqualTo(1);

    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
            + "/3.0/lists/" + LIST + "/members/" + MailchimpSandbox.subscriberHash("c@d.com")))
        .header("Authorization", "Basic " + basic).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"email_address\":\"c@d.com\",\"status_if_new\":\"subscribed\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> posts.size() == 1);
    assertThat(decode(posts.peek())).containsEntry("type", "subscribe").containsEntry("data[email]", "c@d.com");
  }

  @Test
  void emailChangesAndCleaningSendTheirOwnEventTypes() throws Exception {
    sandbox.upsertMember(LIST, "pending@example.com", "pending", Map.of("FNAME", "P"));
    sandbox.addWebhook(LIST, URI.create(receiverUrl));
    MailchimpMember moved = sandbox.changeEmail(LIST, "pending@example.com", "moved@example.com");
    assertThat(moved.id()).isEqualTo(MailchimpSandbox.subscriberHash("moved@example.com"));
    await().atMost(Duration.ofSeconds(30)).until(() -> posts.size() == 1);
    Map<String, String> upemail = decode(posts.peek());
    assertThat(upemail.keySet()).containsExactly("type", "fired_at", "data[list_id]", "data[new_id]", "data[new_email]",
        "data[old_email]");
    assertThat(upemail).containsEntry("type", "upemail").containsEntry("data[new_email]", "moved@example.com")
        .containsEntry("data[old_email]", "pending@example.com");
    sandbox.upsertMember(LIST, "moved@example.com", "cleaned", null);
    await().atMost(Duration.ofSeconds(30)).until(() -> posts.size() == 2);
    assertThat(decode(posts.toArray(new String[0])[1])).containsEntry("type", "cleaned")
        .containsEntry("data[reason]", "hard").containsEntry("data[email]", "moved@example.com");
    assertThat(sandbox.member(LIST, "pending@example.com")).isEmpty();
  }

  @Test
  void failedDeliveriesAreRetried() throws Exception {
    refusePosts.set(2);
    sandbox.addWebhook(LIST, URI.create(receiverUrl));
    sandbox.upsertMember(LIST, "r@example.com", "subscribed", Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.webhookDeliveries().size() == 1);
    assertThat(posts).hasSize(3);
    assertThat(sandbox.webhookDeliveries().get(0).attempts()).isEqualTo(3);
    assertThat(sandbox.pendingWebhookDeliveries()).isZero();
  }

  @Test
  void aWebhookWhoseGetCheckFailsIsRefused() throws Exception {
    String broken = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/broken";
    HttpResponse<String> r = admin("POST", "/_admin/mailchimp/lists/" + LIST + "/webhooks", Map.of("url", broken));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("detail").asText()).isNotEmpty();
  }

  private static Map<String, String> decode(String form) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

}
