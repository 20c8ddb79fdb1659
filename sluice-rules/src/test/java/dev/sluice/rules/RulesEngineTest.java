package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.inbound.InboundEvents;
import dev.sluice.inbound.InboundRequest;
import dev.sluice.inbound.Receipt;
import dev.sluice.inbound.WebhookSender;
import dev.sluice.inbound.WebhookSources;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobWorker;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.slack.SlackMessage;
import dev.sluice.sandbox.slack.SlackOptions;
import dev.sluice.sandbox.slack.SlackSandbox;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Rules end to end on real PostgreSQL: signed HubSpot webhooks → inbound store → rules → jobs → the sandbox Slack / a loopback HTTP server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one database for the class: each test uses its own deal ids
class RulesEngineTest {
  static final String APP_SECRET = "hubspot-app-secret";
  static final ObjectMapper JSON = new ObjectMapper();

  TestDatabase db;
  ManualClock clock;
  JobQueue queue;
  InboundEvents inbound;
  Sandbox sandbox;
  SlackSandbox slack;
  HttpServer erp;
  final List<Map<String, String>> erpRequests = new CopyOnWriteArrayList<>();
  final AtomicInteger erpStatus = new AtomicInteger(201);
  final AtomicInteger erpFailuresFirst = new AtomicInteger();
  JobWorker worker;

  @BeforeAll
  void setUp() throws Exception {
    db = TestDatabase.create("rules_engine", 8);
    clock = new ManualClock(Instant.parse("2026-12-07T04:00:00Z"));
    queue = JobQueue.builder(db.dataSource()).clock(clock).build().migrate();
    new dev.sluice.sync.SyncEngine(queue, db.dataSource(), JobQueue.DEFAULT_SCHEMA, n -> null, clock).migrate(); // the mirror rules read
    inbound = InboundEvents.builder(db.dataSource(), queue, WebhookSources.builder().hubspot("hs", APP_SECRET).build())
        .clock(clock).build().migrate();
    slack = new SlackSandbox(SlackOptions.builder().channel("placements", false).build());
    sandbox = Sandbox.builder().clock(clock).platform(slack).start();
    erp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    erp.createContext("/invoices", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      erpRequests.add(Map.of("method", ex.getRequestMethod(), "key", String.valueOf(ex.getRequestHeaders().getFirst("Idempotency-Key")), "body", body));
      int status = erpFailuresFirst.getAndDecrement() > 0 ? 503 : erpStatus.get();
      byte[] out = (status == 404 ? "{\"error\":\"no such customer\"}" : "{\"ok\":true}").getBytes(StandardCharsets.UTF_8);
      if (status == 503) ex.getResponseHeaders().add("Retry-After", "0");
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(status, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    erp.start();
    for (String id : List.of("77", "78", "79", "80", "81")) mirror(id, Map.of("dealname", "Acme Corp", "dealstage", "appointment"));
  }

  @AfterEach
  void stopWorker() {
    if (worker != null) worker.close();
    worker = null;
    erpRequests.clear();
    erpStatus.set(201);
    erpFailuresFirst.set(0);
  }

  @AfterAll
  void tearDown() {
    inbound.close();
    sandbox.close();
    erp.stop(0);
    db.close();
  }

  RulesEngine engine(String yaml) {
    RulesEngine engine = RulesEngine.builder(queue, RuleSet.parse("test-rules.yaml", yaml))
        .slack(new SlackConnection("slack-ops", URI.create(sandbox.baseUrl() + SlackSandbox.API_PREFIX), SlackOptions.DEFAULT_BOT_TOKEN))
        .build().migrate();
    JobWorker.Builder b = queue.worker().concurrency(2);
    inbound.onEvent(engine::evaluate);
    inbound.registerHandlers(b);
    engine.registerHandlers(b);
    worker = b.start();
    return engine;
  }

  String erpUrl() {
    return "http://127.0.0.1:" + erp.getAddress().getPort() + "/invoices";
  }

  void mirror(String id, Map<String, String> properties) throws Exception {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO sluice.record (connection, object_type, external_id, properties, associations, archived, content_hash,"
            + " first_seen_run, last_changed_run, synced_at) VALUES ('hs', 'deals', ?, CAST(? AS jsonb), '{}', false, 'h', 1, 1, now())")) {
      ps.setString(1, id);
      ps.setString(2, JSON.writeValueAsString(properties));
      ps.executeUpdate();
    }
  }

  static final String DEAL_PLACED = """
      rules:
        deal-placed:
          on: hs/deal.propertyChange
          when: event.property == "dealstage" && record.dealstage == "placement" && previous.dealstage != "placement"
          actions:
            - slack.post: {connection: slack-ops, channel: "placements", text: "{{record.dealname}} placed (deal {{event.object_id}})"}
          dedupe: '"deal:" + event.object_id + ":placement"'
          dedupe_window: 30d
      """;

  @Test
  void aDealStageChangeDeliveredTwiceAndReplayedPostsOneSlackMessage() {
    RulesEngine engine = engine(DEAL_PLACED);
    assertThat(deliver(dealStage(1001, "77", "placement")).stored()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(30));
    assertThat(deliver(dealStage(1001, "77", "placement")).duplicates()).isEqualTo(1); // HubSpot's retry: same event id
    assertThat(deliver(dealStage(1002, "77", "placement")).stored()).isEqualTo(1);    // a second subscription: new event id, same change
    long first = eventId(1001);
    long second = eventId(1002);
    await().atMost(Duration.ofSeconds(20)).until(() -> engine.decisions(second).size() == 1 && !slack.messages("placements").isEmpty());
    inbound.replay(first);
    await().atMost(Duration.ofSeconds(20)).until(() -> engine.decisions(first).size() == 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> queue.stats().countsByKind().getOrDefault("slack.post", Map.of())
        .getOrDefault(JobState.RUNNING, 0L) + queue.stats().countsByKind().getOrDefault("slack.post", Map.of()).getOrDefault(JobState.READY, 0L) == 0);

    assertThat(slack.messages("placements")).extracting(SlackMessage::text).containsExactly("Acme Corp placed (deal 77)");
    Decision live = engine.decisions(first).get(0);
    assertThat(live.outcome()).isEqualTo("enqueued");
    assertThat(live.dedupeKey()).isEqualTo("deal:77:placement");
    assertThat(live.inputs().path("previous").path("dealstage").asText()).isEqualTo("appointment");
    assertThat(live.inputs().path("record").path("dealstage").asText()).isEqualTo("placement");
    long jobId = live.jobs().get(0).path("job_id").asLong();
    assertThat(queue.find(jobId)).get().extracting(Job::state).isEqualTo(JobState.COMPLETED);
    for (Decision d : List.of(engine.decisions(second).get(0), engine.decisions(first).get(1))) {
      assertThat(d.outcome()).isEqualTo("deduped");
      assertThat(d.jobs().get(0).path("job_id").asLong()).isEqualTo(jobId);
      assertThat(d.jobs().get(0).path("seen_at").asText()).isNotEmpty();
    }
  }

  @Test
  void previousIsTheMirrorAsAWebhookRefreshFoundItWhenTheRefreshCommittedBeforeTheRules() throws Exception {
    mirror("82", Map.of("dealname", "Late Ltd", "dealstage", "placement")); // the refresh already wrote the new stage
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO sluice.inbound_mirror_before (connection, object_type, object_id, up_to_event_id, properties, taken_at)"
            + " VALUES ('hs', 'deals', '82', 9000000000, CAST(? AS jsonb), now())")) {
      ps.setString(1, JSON.writeValueAsString(Map.of("dealname", "Late Ltd", "dealstage", "appointment")));
      ps.executeUpdate();
    }
    RulesEngine engine = engine("""
        rules:
          late-placed:
            on: hs/deal.propertyChange
            when: record.dealstage == "placement" && previous.dealstage != "placement"
            shadow: true
            actions:
              - http.request: {url: "%s"}
        """.formatted(erpUrl()));
    deliver(dealStage(7001, "82", "placement"));
    long id = eventId(7001);
    await().atMost(Duration.ofSeconds(20)).until(() -> engine.decisions(id).size() == 1);
    Decision d = engine.decisions(id).get(0);
    assertThat(d.inputs().path("previous").path("dealstage").asText()).isEqualTo("appointment");
    assertThat(d.outcome()).isEqualTo("shadowed");
  }

  @Test
  void aConditionThatIsFalseIsLoggedWithTheSubConditionThatDecided() {
    RulesEngine engine = engine(DEAL_PLACED);
    deliver(dealStage(2001, "78", "closedlost"));
    long id = eventId(2001);
    await().atMost(Duration.ofSeconds(20)).until(() -> engine.decisions(id).size() == 1);
    Decision d = engine.decisions(id).get(0);
    assertThat(d.matched()).isFalse();
    assertThat(d.outcome()).isEqualTo("no-match");
    assertThat(d.decidedBy()).isEqualTo("record.dealstage == \"placement\"");
    assertThat(d.jobs()).isEmpty();
  }

  @Test
  void aShadowedRuleRecordsTheExactRequestAndSendsNothing() {
    RulesEngine engine = engine(invoiceRule(true));
    deliver(dealStage(3001, "79", "placement"));
    long id = eventId(3001);
    await().atMost(Duration.ofSeconds(20)).until(() -> jobOf(engine, id).map(j -> j.state() == JobState.COMPLETED).orElse(false));
    Decision d = engine.decisions(id).get(0);
    assertThat(d.outcome()).isEqualTo("shadowed");
    Job job = jobOf(engine, id).orElseThrow();
    JsonNode recorded = json(job.progress()).path("would_send");
    assertThat(recorded.path("method").asText()).isEqualTo("POST");
    assertThat(recorded.path("url").asText()).isEqualTo(erpUrl());
    assertThat(recorded.path("headers").path("Idempotency-Key").asText()).isEqualTo("invoice#1:invoice:79");
    assertThat(recorded.path("body").path("customer").asText()).isEqualTo("Acme Corp");
    assertThat(erpRequests).isEmpty();
  }

  @Test
  void httpRequestRetriesA503WithRetryAfterAndSendsTheDedupeKeyAsIdempotencyKey() {
    erpFailuresFirst.set(1);
    RulesEngine engine = engine(invoiceRule(false));
    deliver(dealStage(4001, "80", "placement"));
    long id = eventId(4001);
    await().atMost(Duration.ofSeconds(20)).until(() -> jobOf(engine, id).map(j -> j.state() == JobState.COMPLETED).orElse(false));
    assertThat(erpRequests).hasSize(2).allSatisfy(r -> {
      assertThat(r.get("key")).isEqualTo("invoice#1:invoice:80");
      assertThat(r.get("method")).isEqualTo("POST");
    });
    assertThat(json(erpRequests.get(1).get("body")).path("amount").asLong()).isEqualTo(1200);
  }

  @Test
  void httpRequestGoesDeadOnA404KeepingTheResponse() {
    erpStatus.set(404);
    RulesEngine engine = engine(invoiceRule(false));
    deliver(dealStage(5001, "81", "placement"));
    long id = eventId(5001);
    await().atMost(Duration.ofSeconds(20)).until(() -> jobOf(engine, id).map(j -> j.state() == JobState.DEAD).orElse(false));
    Job job = jobOf(engine, id).orElseThrow();
    assertThat(json(job.progress()).path("response").path("status").asInt()).isEqualTo(404);
    assertThat(json(job.progress()).path("response").path("body").asText()).contains("no such customer");
    assertThat(job.lastError()).contains("HTTP 404");
    assertThat(erpRequests).hasSize(1);
  }

  @Test
  void anActionThatCannotBeBuiltLogsAnErrorAndEnqueuesNothingOfTheRule() {
    RulesEngine engine = engine("""
        rules:
          two-actions:
            on: hs/deal.propertyChange
            actions:
              - slack.post: {connection: slack-ops, channel: "placements", text: "first"}
              - http.request: {url: "{{record.erp_url}}"}
        """);
    deliver(dealStage(6001, "78", "placement"));
    long id = eventId(6001);
    await().atMost(Duration.ofSeconds(20)).until(() -> engine.decisions(id).size() == 1);
    Decision d = engine.decisions(id).get(0);
    assertThat(d.outcome()).isEqualTo("error");
    assertThat(d.error()).startsWith("action 2 http.request: url '' is not http(s)");
    assertThat(d.jobs()).isEmpty();
    assertThat(queue.list(null, dev.sluice.queue.JobFilter.any().withKind("slack.post"), 100))
        .noneMatch(j -> j.payload().contains("\"event_id\":" + id + ","));
  }

  String invoiceRule(boolean shadow) {
    return """
        rules:
          invoice:
            on: hs/deal.propertyChange
            when: record.dealstage == "placement"
            shadow: %s
            dedupe: '"invoice:" + event.object_id'
            actions:
              - http.request:
                  method: POST
                  url: "%s"
                  headers: {X-Source: sluice}
                  body: {customer: "{{record.dealname}}", amount: 1200, deal: "{{event.object_id}}"}
        """.formatted(shadow, erpUrl());
  }

  long eventId(long providerEventId) {
    return inbound.list(dev.sluice.inbound.EventFilter.all(1000)).stream()
        .filter(e -> e.providerEventId().equals(Long.toString(providerEventId))).findFirst().orElseThrow().id();
  }

  java.util.Optional<Job> jobOf(RulesEngine engine, long eventId) {
    List<Decision> ds = engine.decisions(eventId);
    if (ds.isEmpty() || ds.get(0).jobs().isEmpty()) return java.util.Optional.empty();
    return queue.find(ds.get(0).jobs().get(0).path("job_id").asLong());
  }

  static JsonNode json(String s) {
    try {
      return JSON.readTree(s == null ? "{}" : s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  String dealStage(long eventId, String dealId, String stage) {
    return "[{\"objectId\":" + dealId + ",\"propertyName\":\"dealstage\",\"propertyValue\":\"" + stage + "\",\"eventId\":" + eventId
        + ",\"subscriptionId\":1,\"portalId\":33,\"appId\":7,\"occurredAt\":" + clock.millis()
        + ",\"subscriptionType\":\"deal.propertyChange\",\"attemptNumber\":0}]";
  }

  Receipt deliver(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(clock.millis());
    String signed = "POST" + "http://sluice.test/hooks/hubspot/hs" + body + ts;
    String sig;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      sig = Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return inbound.receive(WebhookSender.HUBSPOT, "hs", new InboundRequest("POST", "/hooks/hubspot/hs", null,
        Map.of("Host", "sluice.test", "X-HubSpot-Signature-v3", sig, "X-HubSpot-Request-Timestamp", ts, "Content-Type", "application/json"), bytes));
  }
}
