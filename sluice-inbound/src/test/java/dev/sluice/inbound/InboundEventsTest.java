package dev.sluice.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobWorker;
import dev.sluice.sandbox.ManualClock;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InboundEventsTest {
  static final String APP_SECRET = "hubspot-app-secret";
  static final String ORG = "00D000000000001AAA";
  static final String PATH_SECRET = "mailchimp-path-secret-1";
  static final String STD_SECRET = "whsec_" + Base64.getEncoder().encodeToString("standard-key-0123456789".getBytes(StandardCharsets.UTF_8));

  TestDatabase db;
  ManualClock clock;
  JobQueue queue;
  InboundEvents inbound;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("inbound_events", 12);
    clock = new ManualClock(Instant.parse("2026-12-07T03:00:00Z"));
    queue = JobQueue.builder(db.dataSource()).clock(clock).build().migrate();
    inbound = InboundEvents.builder(db.dataSource(), queue, WebhookSources.builder()
            .hubspot("hs", APP_SECRET).salesforce("sf", ORG).mailchimp("mc", PATH_SECRET).standard("app", List.of(STD_SECRET)).build())
        .clock(clock).keepEvents(Duration.ofHours(1)).maxBodyBytes(64 * 1024).build().migrate();
  }

  @AfterEach
  void tearDown() {
    inbound.close();
    db.close();
  }

  static String hubspotEvent(long eventId, long objectId) {
    return "{\"objectId\":" + objectId + ",\"propertyName\":\"email\",\"propertyValue\":\"x" + objectId + "@y.com\",\"eventId\":" + eventId
        + ",\"subscriptionId\":1,\"portalId\":33,\"appId\":7,\"occurredAt\":1765076400000,\"subscriptionType\":\"contact.propertyChange\",\"attemptNumber\":0}";
  }

  InboundRequest hubspot(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(clock.millis());
    String sig = Base64.getEncoder().encodeToString(HubSpotSignature.sign(APP_SECRET, "POST", "http://sluice.test/hooks/hubspot/hs", bytes, ts));
    return new InboundRequest("POST", "/hooks/hubspot/hs", null,
        Map.of("Host", "sluice.test", "X-HubSpot-Signature-v3", sig, "X-HubSpot-Request-Timestamp", ts, "Content-Type", "application/json"), bytes);
  }

  static String batch(long... eventIds) {
    List<String> events = new ArrayList<>();
    for (long id : eventIds) events.add(hubspotEvent(id, 1000 + id));
    return "[" + String.join(",", events) + "]";
  }

  long count(String sql) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  long events() throws Exception {
    return count("SELECT count(*) FROM sluice.inbound_event");
  }

  long eventJobs() {
    return queue.stats().countsByKind().getOrDefault(InboundEvents.EVENT_JOB_KIND, Map.of()).values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  void aDuplicateDeliveryIsAcknowledgedAndStoresNothing() throws Exception {
    Receipt first = inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(1, 2, 3)));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.stored()).isEqualTo(3);
    clock.advance(Duration.ofMinutes(1)); // HubSpot's retry: same events, new timestamp and signature
    Receipt again = inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(1, 2, 3)));
    assertThat(again.stored()).isZero();
    assertThat(again.duplicates()).isEqualTo(3);
    Receipt mixed = inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(3, 4)));
    assertThat(mixed.stored()).isEqualTo(1);
    assertThat(mixed.duplicates()).isEqualTo(1);
    assertThat(events()).isEqualTo(4);
    assertThat(count("SELECT count(*) FROM sluice.inbound_request")).isEqualTo(2); // the all-duplicate request is not kept
    assertThat(eventJobs()).isEqualTo(2); // one per commit that stored anything, not one per event
  }

  @Test
  void valuesWithTabsNewlinesBackslashesAndQuotesAreStoredAsSent() throws Exception {
    String event = "{\"objectId\":\"7\\t8\",\"propertyName\":\"notes\",\"propertyValue\":\"a\\tb\\nc\\r\\\\d \\\"q\\\" \u00e9 \\\\N\","
        + "\"eventId\":\"e\\\\1\",\"occurredAt\":1765076400000,\"subscriptionType\":\"contact.propertyChange\"}";
    assertThat(inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot("[" + event + "]")).stored()).isEqualTo(1);
    StoredEvent e = inbound.list(EventFilter.all(10)).get(0);
    assertThat(e.objectId()).isEqualTo("7\t8");
    assertThat(e.propertyValue()).isEqualTo("a\tb\nc\r\\d \"q\" \u00e9 \\N");
    assertThat(e.providerEventId()).isEqualTo("e\\1");
    assertThat(e.payload()).isEqualTo(InboundJson.MAPPER.readTree(event));
  }

  @Test
  void anEventJsonbWouldRefuseAsSentIsStoredFromItsParsedTree() throws Exception {
    // an emoji cut in half (a lone surrogate escape) and a number beyond numeric's range
    String event = "{\"objectId\":9,\"propertyName\":\"notes\",\"propertyValue\":\"half \\ud83d\",\"score\":1e999999,"
        + "\"eventId\":77,\"occurredAt\":1765076400000,\"subscriptionType\":\"contact.propertyChange\"}";
    Receipt r = inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot("[" + event + "," + hubspotEvent(78, 1078) + "]"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.stored()).isEqualTo(2);
    StoredEvent e = inbound.list(EventFilter.all(10)).stream().filter(x -> x.providerEventId().equals("77")).findFirst().orElseThrow();
    assertThat(e.payload().get("score").asText()).isEqualTo("Infinity");
    assertThat(e.payload().get("propertyValue").asText()).startsWith("half ");
  }

  @Test
  void concurrentRequestsShareCommitsAndConcurrentDuplicatesAreStoredOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<Receipt>> answers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        long base = (i % 100) * 10L; // every batch is sent twice
        InboundRequest r = hubspot(batch(base + 1, base + 2, base + 3));
        answers.add(pool.submit(() -> inbound.receive(WebhookSender.HUBSPOT, "hs", r)));
      }
      int stored = 0;
      int duplicates = 0;
      for (Future<Receipt> f : answers) {
        stored += f.get().stored();
        duplicates += f.get().duplicates();
      }
      assertThat(stored).isEqualTo(300);
      assertThat(duplicates).isEqualTo(300);
    } finally {
      pool.shutdown();
    }
    assertThat(events()).isEqualTo(300);
    assertThat(count("SELECT count(DISTINCT provider_event_id) FROM sluice.inbound_event")).isEqualTo(300);
    assertThat(inbound.committedRequests()).isEqualTo(200);
    assertThat(inbound.commits()).isLessThan(200);
    assertThat(eventJobs()).isBetween(1L, inbound.commits()); // a job per commit (of at most 500 events), none per event
  }

  int status(Supplier<Receipt> call) {
    try {
      call.get();
      return 200;
    } catch (WebhookRejected e) {
      assertThat(e.getMessage()).doesNotContain(APP_SECRET, PATH_SECRET, STD_SECRET).doesNotContain("\n");
      return e.status();
    }
  }

  @Test
  void badInputIsRefusedWithItsStatusAndStoresNothing() throws Exception {
    InboundRequest good = hubspot(batch(1));
    assertThat(status(() -> inbound.receive(WebhookSender.HUBSPOT, "nope", good))).isEqualTo(404);
    InboundRequest tampered = new InboundRequest("POST", good.rawPath(), null, good.headers(), batch(2).getBytes(StandardCharsets.UTF_8));
    assertThat(status(() -> inbound.receive(WebhookSender.HUBSPOT, "hs", tampered))).isEqualTo(401);
    clock.advance(Duration.ofMinutes(6));
    assertThat(status(() -> inbound.receive(WebhookSender.HUBSPOT, "hs", good))).isEqualTo(401); // stale now
    assertThat(status(() -> inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot("[{\"eventId\":")))).isEqualTo(400);
    long[] many = new long[101];
    for (int i = 0; i < many.length; i++) many[i] = i + 1;
    assertThat(status(() -> inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(many))))).isEqualTo(400);
    assertThat(status(() -> inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot("[" + " ".repeat(70_000) + "]")))).isEqualTo(413);

    String sfWrongOrg = PayloadParsingTest.envelope(PayloadParsingTest.notification(1)).replace(ORG, "00D000000000009AAA");
    assertThat(status(() -> inbound.receive(WebhookSender.SALESFORCE, "sf", xml(sfWrongOrg)))).isEqualTo(401);
    String doctype = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"boom\">]>" + PayloadParsingTest.envelope(PayloadParsingTest.notification(1));
    assertThat(status(() -> inbound.receive(WebhookSender.SALESFORCE, "sf", xml(doctype)))).isEqualTo(400);
    assertThat(status(() -> inbound.receive(WebhookSender.SALESFORCE, "hs", xml(doctype)))).isEqualTo(404);

    InboundRequest form = form("type=subscribe&fired_at=2026-12-07+03%3A00%3A00&data[id]=1");
    assertThat(status(() -> inbound.mailchimp("mc", "wrong-secret", form))).isEqualTo(401);
    assertThat(status(() -> inbound.mailchimpCheck("mc", "wrong-secret"))).isEqualTo(401);
    assertThat(status(() -> inbound.mailchimp("nope", PATH_SECRET, form))).isEqualTo(404);
    assertThat(status(() -> inbound.mailchimp("mc", PATH_SECRET, form("fired_at=x")))).isEqualTo(400);

    byte[] body = "{\"type\":\"order.placed\"}".getBytes(StandardCharsets.UTF_8);
    long ts = clock.instant().getEpochSecond();
    InboundRequest badSig = new InboundRequest("POST", "/hooks/standard/app", null, Map.of("webhook-id", "msg_1",
        "webhook-timestamp", Long.toString(ts), "webhook-signature", "v1,AAAA"), body);
    assertThat(status(() -> inbound.receive(WebhookSender.STANDARD, "app", badSig))).isEqualTo(401);
    assertThat(status(() -> inbound.receive(WebhookSender.STANDARD, "other", badSig))).isEqualTo(404);
    byte[] notJson = "not json".getBytes(StandardCharsets.UTF_8);
    InboundRequest signedGarbage = new InboundRequest("POST", "/hooks/standard/app", null, Map.of("webhook-id", "msg_2",
        "webhook-timestamp", Long.toString(ts), "webhook-signature", StandardWebhookVerifier.sign(STD_SECRET, "msg_2", ts, notJson)), notJson);
    assertThat(status(() -> inbound.receive(WebhookSender.STANDARD, "app", signedGarbage))).isEqualTo(400);

    assertThat(events()).isZero();
    assertThat(count("SELECT count(*) FROM sluice.inbound_request")).isZero();
    assertThat(count("SELECT count(*) FROM sluice.inbound_dedupe")).isZero();
    assertThat(eventJobs()).isZero();
  }

  static InboundRequest xml(String body) {
    return new InboundRequest("POST", "/hooks/salesforce/sf", null, Map.of("Content-Type", "text/xml"), body.getBytes(StandardCharsets.UTF_8));
  }

  static InboundRequest form(String body) {
    return new InboundRequest("POST", "/hooks/mailchimp/mc/x", null, Map.of("Content-Type", "application/x-www-form-urlencoded"),
        body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void salesforceMailchimpAndStandardSendersAreStoredAndDeduplicated() throws Exception {
    String message = PayloadParsingTest.envelope(PayloadParsingTest.notification(1) + PayloadParsingTest.notification(2));
    Receipt ack = inbound.receive(WebhookSender.SALESFORCE, "sf", xml(message));
    assertThat(ack.contentType()).startsWith("text/xml");
    assertThat(ack.body()).contains("<Ack>true</Ack>");
    assertThat(ack.stored()).isEqualTo(2);
    assertThat(inbound.receive(WebhookSender.SALESFORCE, "sf", xml(message)).duplicates()).isEqualTo(2);

    String profile = "type=profile&fired_at=2026-12-07+03%3A00%3A00&data[id]=8a25&data[email]=a@b.com&data[merges][FNAME]=Ada";
    assertThat(inbound.mailchimpCheck("mc", PATH_SECRET).status()).isEqualTo(200);
    assertThat(inbound.mailchimp("mc", PATH_SECRET, form(profile)).stored()).isEqualTo(1);
    assertThat(inbound.mailchimp("mc", PATH_SECRET, form(profile)).duplicates()).isEqualTo(1);

    byte[] body = "{\"type\":\"order.placed\",\"timestamp\":\"2026-12-07T02:59:59Z\",\"data\":{\"id\":\"ord_1\"}}".getBytes(StandardCharsets.UTF_8);
    long ts = clock.instant().getEpochSecond();
    InboundRequest std = new InboundRequest("POST", "/hooks/standard/app", null, Map.of("webhook-id", "msg_1",
        "webhook-timestamp", Long.toString(ts), "webhook-signature", StandardWebhookVerifier.sign(STD_SECRET, "msg_1", ts, body)), body);
    assertThat(inbound.receive(WebhookSender.STANDARD, "app", std).stored()).isEqualTo(1);
    assertThat(inbound.receive(WebhookSender.STANDARD, "app", std).duplicates()).isEqualTo(1);

    List<StoredEvent> all = inbound.list(EventFilter.all(100));
    assertThat(all).extracting(StoredEvent::type)
        .containsExactly("order.placed", "profile", "Contact.outboundMessage", "Contact.outboundMessage");
    StoredEvent sf = all.get(3);
    assertThat(sf.objectType()).isEqualTo("Contact");
    assertThat(sf.objectId()).isEqualTo("0030000000001");
    assertThat(sf.payload().at("/fields/Email").asText()).isEqualTo("a1@b.com");
    StoredEvent order = all.get(0);
    assertThat(order.objectId()).isEqualTo("ord_1");
    assertThat(order.occurredAt()).isEqualTo(Instant.parse("2026-12-07T02:59:59Z"));
  }

  @Test
  void listShowReplayAndTheEventJob() throws Exception {
    inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(1, 2)));
    clock.advance(Duration.ofSeconds(1));
    inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot("[" + hubspotEvent(3, 42).replace("propertyChange", "creation") + "]"));

    assertThat(inbound.list(new EventFilter("hubspot", "hs", "contact.creation", null, null, null, 10))).extracting(StoredEvent::providerEventId)
        .containsExactly("3");
    assertThat(inbound.list(new EventFilter(null, null, null, "1001", null, null, 10))).hasSize(1);
    List<StoredEvent> page1 = inbound.list(EventFilter.all(2));
    assertThat(page1).hasSize(2);
    List<StoredEvent> page2 = inbound.list(new EventFilter(null, null, null, null, null, page1.get(1).id(), 2));
    assertThat(page2).extracting(StoredEvent::providerEventId).containsExactly("1");
    assertThat(inbound.list(new EventFilter(null, null, null, null, clock.instant(), null, 10))).hasSize(1);

    StoredEvent shown = inbound.find(page2.get(0).id()).orElseThrow();
    assertThat(shown.raw()).isPresent();
    assertThat(new String(shown.raw().get().body(), StandardCharsets.UTF_8)).isEqualTo(batch(1, 2));
    assertThat(shown.raw().get().headers().path("X-HubSpot-Signature-v3").asText()).isNotBlank();
    assertThat(shown.raw().get().verification()).isEqualTo("hubspot-signature-v3");
    assertThat(inbound.find(999_999)).isEmpty();

    try (JobWorker worker = register(queue.worker().concurrency(4)).start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> handled(e -> e.handledCount() == 1) == 3);
      assertThat(inbound.replay(shown.id())).isTrue();
      assertThat(inbound.replay(999_999)).isFalse();
      assertThat(inbound.replay(new EventFilter("hubspot", null, "contact.creation", null, null, null, 100))).hasSize(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> handled(e -> e.handledCount() == 2 && e.replays() == 1) == 2);
    }
    assertThat(queue.stats().count(InboundEvents.EVENT_JOB_KIND, JobState.DEAD)).isZero();
  }

  long handled(java.util.function.Predicate<StoredEvent> p) {
    return inbound.list(EventFilter.all(1000)).stream().filter(p).count();
  }

  @Test
  void eventJobsHandWholeRequestsToTheListenerAndARetrySkipsTheRequestsAlreadyHandled() throws Exception {
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean failOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
    inbound.onEvent(e -> {
      if (e.providerEventId().equals("12") && failOnce.getAndSet(false)) throw new IllegalStateException("listener fails once");
      seen.add(e.providerEventId());
    });
    // two requests in one commit (the second fails its listener once), then a third alone
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Receipt> a = pool.submit(() -> inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(1, 2, 3))));
      Future<Receipt> b = pool.submit(() -> inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(11, 12))));
      assertThat(a.get().stored() + b.get().stored()).isEqualTo(5);
    } finally {
      pool.shutdown();
    }
    inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(21)));
    assertThat(eventJobs()).isBetween(2L, 3L);
    try (JobWorker worker = register(queue.worker().concurrency(1)).start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        clock.advance(Duration.ofMinutes(1)); // past the failed job's retry backoff
        return handled(e -> e.handledCount() == 1) == 6;
      });
    }
    // each event once (in order within its request), except the failed request's first event: at least once
    assertThat(seen).containsSubsequence("1", "2", "3").containsSubsequence("11", "12").contains("21");
    assertThat(seen.stream().filter(id -> !id.equals("11")).distinct().count()).isEqualTo(seen.stream().filter(id -> !id.equals("11")).count());
    assertThat(queue.stats().count(InboundEvents.EVENT_JOB_KIND, JobState.DEAD)).isZero();
  }

  JobWorker.Builder register(JobWorker.Builder b) {
    inbound.registerHandlers(b);
    return b;
  }

  @Test
  void retentionDropsOldEventsButTheDedupeMemoryOutlastsIt() throws Exception {
    inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(1, 2)));
    clock.advance(Duration.ofHours(2)); // past the 1 h event retention, inside the 72 h dedupe memory
    assertThat(inbound.cleanOnce()).isEqualTo(1);
    assertThat(events()).isZero();
    assertThat(inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(1, 2))).duplicates()).isEqualTo(2);
    clock.advance(Duration.ofHours(71));
    assertThat(inbound.cleanOnce()).isEqualTo(2);
    assertThat(inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot(batch(1, 2))).stored()).isEqualTo(2);
    assertThatThrownBy(() -> InboundEvents.builder(db.dataSource(), queue, inbound.sources()).dedupeMemory(Duration.ofHours(23)))
        .hasMessageContaining("24 hours");
  }
}
