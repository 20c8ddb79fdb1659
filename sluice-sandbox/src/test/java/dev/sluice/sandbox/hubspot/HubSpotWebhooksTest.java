package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.sandbox.Sandbox;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook deliveries to a real receiver (the JDK's HTTP server), verified independently. */
class HubSpotWebhooksTest {
  private static final String SECRET = "app-secret-for-tests";

  record Received(String method, String uri, Map<String, List<String>> headers, String body) {
    String header(String name) {
      for (var e : headers.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
      return null;
    }
  }

  private HttpServer receiver;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failFirst = new AtomicInteger();
  private String hookUrl;
  private Sandbox sandbox;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
          Map.copyOf(exchange.getRequestHeaders()), new String(body, StandardCharsets.UTF_8)));
      int status = failFirst.getAndDecrement() > 0 ? 500 : 204;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    receiver.start();
    hookUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook?portal=62515";
  }

  @AfterEach
  void stop() {
    if (sandbox != null) sandbox.close();
    receiver.stop(0);
  }

  private HubSpotSandbox start(HubSpotOptions.Builder options) {
    sandbox = Sandbox.builder().port(0).hubspot(options.appSecret(SECRET).webhookUrl(hookUrl).build()).start();
    return sandbox.hubspot();
  }

  /** The documented v3 algorithm, written here independently of the sandbox's implementation. */
  private static boolean validV3(Received r, String fullUri) throws Exception {
    String timestamp = r.header("X-HubSpot-Request-Timestamp");
    long age = System.currentTimeMillis() - Long.parseLong(timestamp);
    if (Math.abs(age) > 5 * 60 * 1000) return false;
    String source = r.method() + fullUri + r.body() + timestamp;
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = Base64.getEncoder().encodeToString(mac.doFinal(source.getBytes(StandardCharsets.UTF_8)));
    return expected.equals(r.header("X-HubSpot-Signature-v3"));
  }

  private List<JsonNode> events() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (Received r : received) for (JsonNode e : Http.JSON.readTree(r.body())) out.add(e);
    return out;
  }

  @Test
  void propertyChangeIsSignedWithSignatureV3() throws Exception {
    HubSpotSandbox hubspot = start(HubSpotOptions.builder().webhookSubscriptions(List.of("contact.propertyChange")));
    String id = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "a@b.com")).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    received.clear();
    hubspot.updateRecord(HubSpotObjectType.CONTACTS, id, Map.of("lifecyclestage", "subscriber"));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);

    Received r = received.get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(validV3(r, hookUrl)).isTrue();
    assertThat(validV3(r, hookUrl + "&tampered=1")).isFalse();
    JsonNode e = Http.JSON.readTree(r.body()).get(0);
    assertThat(e.get("objectId").asLong()).isEqualTo(Long.parseLong(id));
    assertThat(e.get("propertyName").asText()).isEqualTo("lifecyclestage");
    assertThat(e.get("propertyValue").asText()).isEqualTo("subscriber");
    assertThat(e.get("subscriptionType").asText()).isEqualTo("contact.propertyChange");
    assertThat(e.get("changeSource").asText()).isEqualTo("CRM");
    assertThat(e.get("portalId").asLong()).isEqualTo(62515);
    assertThat(e.get("attemptNumber").asInt()).isZero();
    for (String field : List.of("eventId", "subscriptionId", "appId", "occurredAt")) assertThat(e.get(field).isNumber()).as(field).isTrue();
  }

  @Test
  void apiChangesAreSentInBatchesOfAtMost100() throws Exception {
    HubSpotSandbox hubspot = start(HubSpotOptions.builder().webhookSubscriptions(List.of("contact.creation")));
    Http http = new Http(sandbox.baseUrl(), hubspot.token());
    for (int batch = 0; batch < 3; batch++) {
      StringBuilder inputs = new StringBuilder();
      for (int i = 0; i < 100; i++) {
        inputs.append(i == 0 ? "" : ",").append("{\"properties\":{\"email\":\"c").append(batch).append('-').append(i).append("@x.com\"}}");
      }
      assertThat(http.post("/crm/v3/objects/contacts/batch/create", "{\"inputs\":[" + inputs + "]}").status()).isEqualTo(201);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> events().size() == 300);
    for (Received r : received) assertThat(Http.JSON.readTree(r.body()).size()).isBetween(1, 100);
    Set<Long> eventIds = new HashSet<>();
    for (JsonNode e : events()) {
      eventIds.add(e.get("eventId").asLong());
      assertThat(e.get("subscriptionType").asText()).isEqualTo("contact.creation");
      assertThat(e.get("changeFlag").asText()).isEqualTo("NEW");
      assertThat(e.get("changeSource").asText()).isEqualTo("API");
    }
    assertThat(eventIds).hasSize(300);
  }

  @Test
  void failedDeliveriesAreRetriedOnTheScaledSchedule() throws Exception {
    failFirst.set(2);
    HubSpotSandbox hubspot = start(HubSpotOptions.builder().webhookSubscriptions(List.of("company.creation"))
        .webhookTimeScale(600_000)); // one HubSpot minute = 0.1 ms
    hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Retry Inc."));
    await().atMost(Duration.ofSeconds(15)).until(() -> received.size() == 3);
    List<Integer> attempts = new ArrayList<>();
    for (JsonNode e : events()) attempts.add(e.get("attemptNumber").asInt());
    assertThat(attempts).containsExactly(0, 1, 2);
    Set<Long> ids = new HashSet<>();
    for (JsonNode e : events()) ids.add(e.get("eventId").asLong());
    assertThat(ids).hasSize(1); // the same event, tried three times
    await().atMost(Duration.ofSeconds(5)).until(() -> hubspot.webhooks().backlog() == 0);
    assertThat(hubspot.webhooks().deliveries()).extracting(HubSpotWebhooks.Delivery::status).containsExactly(500, 500, 204);
    for (Received r : received) assertThat(validV3(r, hookUrl)).isTrue();
  }

  @Test
  void unreachableReceiverIsRetriedTenTimesThenGivenUp() throws Exception {
    receiver.stop(0);
    HubSpotSandbox hubspot = start(HubSpotOptions.builder().webhookSubscriptions(List.of("deal.creation")).webhookTimeScale(10_000_000));
    hubspot.createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "Nowhere"));
    await().atMost(Duration.ofSeconds(30)).until(() -> hubspot.webhooks().deliveries().size() == 10 && hubspot.webhooks().backlog() == 0);
    assertThat(hubspot.webhooks().deliveries()).allMatch(d -> d.status() == -1);
    assertThat(hubspot.webhooks().deliveries()).extracting(HubSpotWebhooks.Delivery::attemptNumber)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void duplicatesOnDemandAndMergeAssociationDeletionEvents() throws Exception {
    HubSpotSandbox hubspot = start(HubSpotOptions.builder()
        .webhookSubscriptions(List.of("contact.merge", "contact.associationChange", "contact.deletion"))
        .webhookDuplicateRate(1.0));
    String a = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "a@x.com")).id();
    String b = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "b@x.com")).id();
    String c = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "c@x.com")).id();
    String company = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Acme")).id();
    hubspot.associate(HubSpotObjectType.CONTACTS, a, HubSpotObjectType.COMPANIES, company);
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
    assertThat(received.get(0).body()).isEqualTo(received.get(1).body()); // sent twice on purpose
    JsonNode assoc = events().get(0);
    assertThat(assoc.get("subscriptionType").asText()).isEqualTo("contact.associationChange");
    assertThat(assoc.get("associationType").asText()).isEqualTo("CONTACT_TO_COMPANY");
    assertThat(assoc.get("fromObjectId").asText()).isEqualTo(a);
    assertThat(assoc.get("toObjectId").asText()).isEqualTo(company);
    assertThat(assoc.get("associationRemoved").asBoolean()).isFalse();

    received.clear();
    hubspot.mergeContacts(a, b);
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
    JsonNode merge = events().get(0);
    assertThat(merge.get("subscriptionType").asText()).isEqualTo("contact.merge");
    assertThat(merge.get("primaryObjectId").asText()).isEqualTo(a);
    assertThat(merge.get("mergedObjectIds").get(0).asText()).isEqualTo(b);
    assertThat(merge.get("newObjectId").asText()).isEqualTo(a);

    received.clear();
    hubspot.archiveRecord(HubSpotObjectType.CONTACTS, c);
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
    assertThat(events().get(0).get("subscriptionType").asText()).isEqualTo("contact.deletion");
    assertThat(events().get(0).get("objectId").asText()).isEqualTo(c);
  }

  @Test
  void aLostAnswerIsRetriedWithTheSameEventIds() throws Exception {
    HubSpotSandbox hubspot = start(HubSpotOptions.builder().webhookSubscriptions(List.of("deal.propertyChange")).webhookTimeScale(600));
    hubspot.webhooks().setLostAnswerRate(1.0);
    String deal = hubspot.createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "Lost")).id();
    hubspot.updateRecord(HubSpotObjectType.DEALS, deal, Map.of("dealstage", "closedwon"));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2 && hubspot.webhooks().backlog() == 0);
    assertThat(received.get(1).body()).isEqualTo(received.get(0).body().replace("\"attemptNumber\":0", "\"attemptNumber\":1"));
    assertThat(hubspot.webhooks().deliveries()).extracting(HubSpotWebhooks.Delivery::attemptNumber, HubSpotWebhooks.Delivery::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, -1), org.assertj.core.groups.Tuple.tuple(1, 204));
    assertThat(hubspot.webhooks().deliveries().get(0).error()).contains("answer lost").contains("204");
  }

  @Test
  void reorderShufflesEventsInsideABatch() throws Exception {
    HubSpotSandbox hubspot = start(HubSpotOptions.builder().webhookSubscriptions(List.of("contact.creation"))
        .webhookReorder(true).webhookSeed(7));
    Http http = new Http(sandbox.baseUrl(), hubspot.token());
    StringBuilder inputs = new StringBuilder();
    for (int i = 0; i < 50; i++) inputs.append(i == 0 ? "" : ",").append("{\"properties\":{\"email\":\"r").append(i).append("@x.com\"}}");
    assertThat(http.post("/crm/v3/objects/contacts/batch/create", "{\"inputs\":[" + inputs + "]}").status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> events().size() == 50);
    List<Long> objectIds = new ArrayList<>();
    for (JsonNode e : events()) objectIds.add(e.get("objectId").asLong());
    assertThat(objectIds).doesNotHaveDuplicates().isNotEqualTo(objectIds.stream().sorted().toList());
  }
}
