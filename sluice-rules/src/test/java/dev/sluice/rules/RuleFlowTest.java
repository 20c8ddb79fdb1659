package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.inbound.StoredEvent;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.PermanentJobFailure;
import dev.sluice.queue.cron.CronScheduler;
import dev.sluice.sandbox.ManualClock;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Enrollment, delay, per-rule dedupe windows, flow control and scheduled rules on real PostgreSQL,
 * with a hand-moved clock (no sleeps). Events are handed to the engine as stored events (the
 * inbound path is RulesEngineTest's); each test uses its own deal ids.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuleFlowTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T0 = Instant.parse("2026-12-07T09:00:00Z");

  TestDatabase db;
  ManualClock clock;
  JobQueue queue;
  HttpServer hook;
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final AtomicLong providerIds = new AtomicLong(1);
  final AtomicLong eventIds = new AtomicLong(1000);
  JobWorker worker;

  @BeforeAll
  void setUp() throws Exception {
    db = TestDatabase.create("rule_flow", 8);
    clock = new ManualClock(T0);
    queue = JobQueue.builder(db.dataSource()).clock(clock).build().migrate();
    new dev.sluice.sync.SyncEngine(queue, db.dataSource(), JobQueue.DEFAULT_SCHEMA, n -> null, clock).migrate();
    hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext("/hook", ex -> {
      bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    hook.start();
  }

  @AfterEach
  void stopWorker() {
    if (worker != null) worker.close();
    worker = null;
    bodies.clear();
  }

  @AfterAll
  void tearDown() {
    hook.stop(0);
    db.close();
  }

  String hookUrl() {
    return "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook";
  }

  RulesEngine engine(String yaml) {
    return RulesEngine.builder(queue, RuleSet.parse("flow.yaml", yaml)).clock(clock).build().migrate();
  }

  void startWorker(RulesEngine engine) {
    JobWorker.Builder b = queue.worker().concurrency(2).pollInterval(Duration.ofMillis(50));
    engine.registerHandlers(b);
    b.handle("doomed", ctx -> {
      throw new PermanentJobFailure("channel_not_found");
    });
    worker = b.start();
  }

  StoredEvent stage(String deal, String stage) {
    long id = eventIds.incrementAndGet();
    return new StoredEvent(id, "hubspot", "hs", Long.toString(providerIds.incrementAndGet()), "deal.propertyChange", "deals", deal,
        "dealstage", stage, clock.instant(), clock.instant(), 1, 0, null, 0, null, JSON.createObjectNode(), Optional.empty());
  }

  Decision decide(RulesEngine engine, StoredEvent e) {
    List<Long> ids = engine.evaluate(e);
    assertThat(ids).hasSize(1);
    return engine.decisions(e.id()).get(0);
  }

  Job job(Decision d, int action) {
    return queue.find(d.jobs().get(action).path("job_id").asLong()).orElseThrow();
  }

  String rule(String name, String extra) {
    return """
        rules:
          %s:
            on: hs/deal.propertyChange
            when: record.dealstage == "placement"
        %s
            actions:
              - http.request: {url: "%s", body: {deal: "{{event.object_id}}", event: "{{event.provider_event_id}}"}}
        """.formatted(name, extra.indent(4).stripTrailing(), hookUrl());
  }

  @Test
  void oncePerTransitionFiresWhenTheRecordStartsToMatchAndAgainOnlyAfterItStoppedMatching() {
    RulesEngine engine = engine(rule("transition", "enroll: once-per-transition"));
    assertThat(decide(engine, stage("100", "placement")).outcome()).isEqualTo("enqueued");
    Decision again = decide(engine, stage("100", "placement"));
    assertThat(again.outcome()).isEqualTo("already-matching");
    assertThat(again.matched()).isTrue();
    assertThat(again.jobs()).isEmpty();
    assertThat(decide(engine, stage("101", "placement")).outcome()).as("another record").isEqualTo("enqueued");
    assertThat(decide(engine, stage("100", "closedlost")).outcome()).isEqualTo("no-match");
    assertThat(decide(engine, stage("100", "placement")).outcome()).as("matches again after it stopped").isEqualTo("enqueued");
    assertThat(decide(engine, stage("100", "placement")).outcome()).isEqualTo("already-matching");
  }

  @Test
  void delayRunsTheJobsLaterAndTheRulesOwnDedupeWindowHoldsThenExpires() {
    RulesEngine engine = engine(rule("delayed", """
        delay: 10m
        dedupe: '"deal:" + event.object_id'
        dedupe_window: 1h"""));
    Instant start = clock.instant();
    Decision first = decide(engine, stage("200", "placement"));
    assertThat(first.outcome()).isEqualTo("enqueued");
    assertThat(job(first, 0).runAt()).isEqualTo(start.plus(Duration.ofMinutes(10)));
    assertThat(RulesEngineTest.json(job(first, 0).payload()).path("decision_id").asLong()).isEqualTo(first.id());
    clock.advance(Duration.ofMinutes(30));
    Decision second = decide(engine, stage("200", "placement"));
    assertThat(second.outcome()).isEqualTo("deduped");
    assertThat(second.decidedBy()).contains("deal:200").contains("decision " + first.id()).contains(start.toString());
    assertThat(second.jobs().get(0).path("job_id").asLong()).isEqualTo(job(first, 0).id());
    clock.advance(Duration.ofMinutes(31));
    assertThat(engine.cleanOnce()).as("the expired key (and nothing else of this test) is deleted").isGreaterThanOrEqualTo(1);
    assertThat(decide(engine, stage("200", "placement")).outcome()).as("the 1 h window is over").isEqualTo("enqueued");
    assertThat(engine.decisions(second.eventId())).as("decisions are kept 30 days").hasSize(1);
  }

  @Test
  void throttleDelaysWhatIsOverTheLimitAndDropsNothing() {
    RulesEngine engine = engine(rule("throttled", "throttle: {limit: 2, period: 1m, key: event.connection}"));
    Instant start = clock.instant();
    List<Decision> ds = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) ds.add(decide(engine, stage("30" + i, "placement")));
    assertThat(ds).extracting(Decision::outcome).containsExactly("enqueued", "enqueued", "throttled", "throttled", "throttled");
    assertThat(ds.stream().map(d -> job(d, 0).runAt()).toList()).containsExactly(start, start, start.plusSeconds(60),
        start.plusSeconds(60), start.plusSeconds(120));
    assertThat(ds.get(4).jobs().get(0).path("throttled_until").asText()).isEqualTo(start.plusSeconds(120).toString());
  }

  @Test
  void debounceRunsOneJobWithTheLatestEvaluationAfterTheKeyIsQuietCappedByMaxWait() throws Exception {
    RulesEngine engine = engine(rule("debounced", "debounce: {period: 5m, max_wait: 12m, key: event.object_id}"));
    Instant start = clock.instant();
    Decision first = decide(engine, stage("400", "placement"));
    assertThat(first.outcome()).isEqualTo("debounced");
    long jobId = first.jobs().get(0).path("job_id").asLong();
    assertThat(queue.find(jobId).orElseThrow().runAt()).isEqualTo(start.plus(Duration.ofMinutes(5)));
    clock.advance(Duration.ofMinutes(3));
    Decision merged = decide(engine, stage("400", "placement"));
    assertThat(merged.outcome()).isEqualTo("debounced");
    assertThat(merged.jobs().get(0).path("job_id").asLong()).isEqualTo(jobId);
    assertThat(merged.jobs().get(0).path("debounced").path("runs_at").asText()).isEqualTo(start.plus(Duration.ofMinutes(8)).toString());
    clock.advance(Duration.ofMinutes(7)); // t0+10m: quiet period would end at 15m, max wait ends at 12m
    StoredEvent last = stage("400", "placement");
    Decision capped = decide(engine, last);
    assertThat(capped.jobs().get(0).path("debounced").path("runs_at").asText()).isEqualTo(start.plus(Duration.ofMinutes(12)).toString());
    assertThat(decide(engine, stage("401", "placement")).jobs().get(0).path("job_id").asLong()).as("another key").isNotEqualTo(jobId);

    startWorker(engine); // t0+10m: the job's first run_at (5m) is past, so it is claimed and snoozed until 12m
    await().atMost(Duration.ofSeconds(20)).until(() -> queue.find(jobId).orElseThrow().runAt().equals(start.plus(Duration.ofMinutes(12))));
    assertThat(bodies).noneMatch(b -> b.contains("\"400\""));
    clock.advance(Duration.ofMinutes(2));
    await().atMost(Duration.ofSeconds(20)).until(() -> queue.find(jobId).orElseThrow().state() == JobState.COMPLETED);
    assertThat(bodies.stream().filter(b -> b.contains("\"400\"")).toList()).singleElement()
        .satisfies(b -> assertThat(JSON.readTree(b).path("event").asText()).isEqualTo(last.providerEventId()));
    Decision after = decide(engine, stage("400", "placement"));
    assertThat(after.jobs().get(0).path("job_id").asLong()).as("a new burst after the job fired").isNotEqualTo(jobId);
  }

  @Test
  void concurrencyAndPriorityGoToTheQueue() {
    RulesEngine engine = engine(rule("capped", """
        concurrency: {limit: 1, key: event.object_id}
        priority: 'event.object_id == "500" ? 0 : 9'"""));
    Decision urgent = decide(engine, stage("500", "placement"));
    Decision other = decide(engine, stage("501", "placement"));
    assertThat(job(urgent, 0).concurrencyKey()).isEqualTo("capped:500");
    assertThat(job(urgent, 0).priority()).isEqualTo(0);
    assertThat(job(other, 0).priority()).isEqualTo(9);
    assertThat(queue.kindPolicy("http.request").maxRunningPerKey()).isEqualTo(1);
  }

  @Test
  void aScheduledRuleWithTheDeadJobReportPostsTheDeadJobsOncePerTick() throws Exception {
    RulesEngine engine = engine("""
        rules:
          dead-job-report:
            on: {schedule: "0 7 * * *", zone: UTC, report: dead-jobs}
            actions:
              - http.request: {url: "%s", body: {text: "{{event.dead_jobs.text}}", total: "{{event.dead_jobs.total}}"}}
        """.formatted(hookUrl()));
    long doomed = queue.enqueue(NewJob.of("doomed", "{}")).id();
    startWorker(engine);
    await().atMost(Duration.ofSeconds(20)).until(() -> queue.find(doomed).orElseThrow().state() == JobState.DEAD);
    CronScheduler cron = new CronScheduler(queue, db.dataSource(), JobQueue.DEFAULT_SCHEMA, clock);
    engine.schedule(cron);
    assertThat(cron.list()).extracting(s -> s.name()).contains("rule:dead-job-report");
    Instant tick = Instant.parse("2026-12-08T07:00:00Z");
    clock.set(tick.plusSeconds(1));
    assertThat(cron.tick(clock.instant())).extracting(t -> t.schedule()).contains("rule:dead-job-report");
    assertThat(cron.tick(clock.instant())).isEmpty();
    await().atMost(Duration.ofSeconds(20)).until(() -> bodies.stream().anyMatch(b -> b.contains("dead job")));
    assertThat(bodies.stream().filter(b -> b.contains("dead job")).toList()).hasSize(1);
    JsonNode body = JSON.readTree(bodies.stream().filter(b -> b.contains("dead job")).findFirst().orElseThrow());
    assertThat(body.path("total").asText()).isEqualTo("1");
    assertThat(body.path("text").asText()).startsWith("1 dead job: doomed 1.").contains("job " + doomed + " doomed").contains("channel_not_found");
    List<Decision> ds = new DecisionLog(db.dataSource(), JobQueue.DEFAULT_SCHEMA).forRule("dead-job-report", 10);
    assertThat(ds).singleElement().satisfies(d -> {
      assertThat(d.trigger()).isEqualTo("schedule");
      assertThat(d.eventId()).isNull();
      assertThat(d.dedupeKey()).isEqualTo("tick:" + tick);
    });
  }

  @Test
  void explainShowsEachRulesEvaluationTheValuesReadAndTheJobsAndAJobLeadsBackToItsDecision() {
    RulesEngine engine = engine("""
        rules:
          placed:
            on: hs/deal.propertyChange
            when: event.property == "dealstage" && record.dealstage == "placement"
            actions:
              - http.request: {url: "%1$s"}
          lost:
            on: hs/deal.propertyChange
            when: record.dealstage == "closedlost"
            actions:
              - http.request: {url: "%1$s"}
        """.formatted(hookUrl()));
    StoredEvent e = stage("600", "placement");
    engine.evaluate(e);
    RuleReports reports = new RuleReports(queue);
    List<String> lines = reports.explainEvent(e.id()).orElseThrow();
    assertThat(lines.get(0)).startsWith("event " + e.id() + " deal.propertyChange deals 600 dealstage=placement").endsWith("2 evaluations");
    String text = String.join("\n", lines);
    assertThat(text).contains("rule placed (flow.yaml) at " + clock.instant() + ": ENQUEUED  [hs/deals/600]")
        .contains("rule lost (flow.yaml) at " + clock.instant() + ": NO-MATCH")
        .contains("decided by: record.dealstage == \"closedlost\"")
        .contains("values: record.dealstage = \"placement\"")
        .contains("dedupe key: hs:" + e.providerEventId());
    long jobId = engine.decisions(e.id()).get(0).jobs().get(0).path("job_id").asLong();
    assertThat(text).contains("job " + jobId + " http.request enqueued, run at " + clock.instant() + ": ready (attempt 0/");
    String job = String.join("\n", reports.explainJob(jobId).orElseThrow());
    assertThat(job).startsWith("job " + jobId + " http.request: ready").contains("request: POST " + hookUrl())
        .contains("enqueued by:").contains("rule placed (flow.yaml)").doesNotContain("rule lost");
    assertThat(reports.explainEvent(987_654_321L)).isEmpty();
    assertThat(reports.explainJob(987_654_321L)).isEmpty();
  }

  @Test
  void theShadowReportCountsPerRuleWhatFiredAndWhatWouldHave() {
    Instant from = clock.instant();
    RulesEngine engine = engine(rule("report-shadow", "shadow: true\ndedupe: '\"deal:\" + event.object_id'").replace("report-shadow:", "report-shadow:")
        + rule("report-live", "").replace("rules:\n", ""));
    engine.evaluate(stage("700", "placement"));
    engine.evaluate(stage("700", "placement"));
    engine.evaluate(stage("701", "lost"));
    var rows = new RuleReports(queue).shadowReport(from);
    assertThat(rows).filteredOn(r -> r.rule().equals("report-shadow")).singleElement().satisfies(r -> {
      assertThat(r.evaluated()).isEqualTo(3);
      assertThat(r.shadowed()).isEqualTo(1);
      assertThat(r.shadowedJobs()).isEqualTo(1);
      assertThat(r.deduped()).isEqualTo(1);
      assertThat(r.noMatch()).isEqualTo(1);
      assertThat(r.fired()).isZero();
    });
    assertThat(rows).filteredOn(r -> r.rule().equals("report-live")).singleElement().satisfies(r -> {
      assertThat(r.fired()).isEqualTo(2);
      assertThat(r.shadowed()).isZero();
    });
  }

  @Test
  void aDryRunSaysWhatWouldFireAndLeavesNoTrace() {
    RulesEngine live = engine(rule("dry", "enroll: once-per-transition"));
    StoredEvent before = stage("800", "placement");
    assertThat(decide(live, before).outcome()).isEqualTo("enqueued");
    List<StoredEvent> past = List.of(stage("800", "placement"), stage("800", "placement"), stage("800", "lost"), stage("800", "placement"));
    long jobsBefore = queue.list(null, dev.sluice.queue.JobFilter.any().withKind("http.request"), 10_000).size();
    List<RuleTester.Result> results = live.dryRun(past);
    assertThat(results).extracting(r -> r.decision().outcome()).containsExactly("enqueued", "already-matching", "no-match", "enqueued");
    assertThat(results).extracting(r -> r.decision().rule()).containsOnly("dry");
    assertThat(RuleTester.counts(live.rules(), results)).containsEntry("dry", java.util.Map.of("enqueued", 2, "already-matching", 1, "no-match", 1));
    assertThat(past).allSatisfy(e -> assertThat(live.decisions(e.id())).isEmpty());
    assertThat(queue.list(null, dev.sluice.queue.JobFilter.any().withKind("http.request"), 10_000)).hasSize((int) jobsBefore);
    assertThat(decide(live, stage("800", "placement")).outcome()).as("the live enrollment is untouched").isEqualTo("already-matching");
  }

  @Test
  void aLeadRuleFiresForANewLeadNotForARepeatThatChangedNothingAndAgainForAMergeThatDid() throws Exception {
    RulesEngine engine = engine("""
        rules:
          new-lead:
            on: leads/website
            when: normalizeEmail(record.email) != ""
            actions:
              - http.request: {url: "%s", body: {lead: "{{event.type}} {{record.email}} {{record.company}}"}}
        """.formatted(hookUrl()));
    dev.sluice.leads.LeadSource website = dev.sluice.leads.LeadSource.builder("website", "website-intake-key-0123456789abcdef").build();
    dev.sluice.leads.LeadIntake intake = dev.sluice.leads.LeadIntake.builder(db.dataSource()).clock(clock).sources(List.of(website))
        .onStored((c, receipts) -> engine.leadsStored(c, receipts.stream().map(dev.sluice.leads.LeadReceipt::leadId).toList())).build();
    intake.migrate();
    startWorker(engine);
    DecisionLog log = new DecisionLog(db.dataSource(), JobQueue.DEFAULT_SCHEMA);
    try {
      intake.submit(website, java.util.Map.of("email", "Jo@Example.com", "company", "Acme")).get();
      await().atMost(Duration.ofSeconds(20)).until(() -> log.forRule("new-lead", 10).size() == 1);
      intake.submit(website, java.util.Map.of("email", "jo@example.com", "company", "Acme")).get();
      await().atMost(Duration.ofSeconds(20)).until(() -> log.forRule("new-lead", 10).size() == 2);
      intake.submit(website, java.util.Map.of("email", "jo@example.com", "company", "Acme Corp")).get();
      await().atMost(Duration.ofSeconds(20)).until(() -> log.forRule("new-lead", 10).size() == 3);
    } finally {
      intake.close();
    }
    List<Decision> ds = log.forRule("new-lead", 10).reversed();
    assertThat(ds).extracting(Decision::outcome).containsExactly("enqueued", "deduped", "enqueued");
    assertThat(ds).extracting(Decision::trigger).containsOnly("lead");
    assertThat(ds.get(0).inputs().path("event").path("type").asText()).isEqualTo("lead.accepted");
    assertThat(ds.get(2).inputs().path("event").path("type").asText()).isEqualTo("lead.merged");
    assertThat(ds.get(2).subject()).startsWith("leads/website/");
    await().atMost(Duration.ofSeconds(20)).until(() -> bodies.stream().filter(b -> b.contains("jo@example.com")).count() == 2);
    assertThat(bodies.stream().filter(b -> b.contains("jo@example.com")).toList())
        .containsExactlyInAnyOrder("{\"lead\":\"lead.accepted jo@example.com Acme\"}", "{\"lead\":\"lead.merged jo@example.com Acme Corp\"}");
  }

  @Test
  void aSyncChangeRuleFiresOncePerSettledMirrorChangeInSequenceOrder() throws Exception {
    RulesEngine engine = engine("""
        rules:
          deal-changed:
            on: hs/deal.syncChange
            when: event.change == "updated" && "dealstage" in event.changed && record.dealstage == "placement"
            actions:
              - http.request: {url: "%s", body: {deal: "{{event.object_id}} {{event.source}}"}}
        """.formatted(hookUrl()));
    mirror("900", "{\"dealstage\": \"placement\"}");
    mirror("901", "{\"dealstage\": \"placement\"}");
    Instant settled = clock.instant().minusSeconds(60);
    change("900", 41, "updated", "{dealstage,amount}", settled, 0);
    change("901", 40, "updated", "{amount}", settled, 7);
    change("901", 42, "updated", "{dealstage}", clock.instant(), 7); // not settled yet: read by a later poll
    startWorker(engine);
    DecisionLog log = new DecisionLog(db.dataSource(), JobQueue.DEFAULT_SCHEMA);
    long poll = queue.enqueue(NewJob.of(RecordTriggers.SYNC_KIND, "{}")).id();
    await().atMost(Duration.ofSeconds(20)).until(() -> queue.find(poll).orElseThrow().state() == JobState.COMPLETED);
    List<Decision> first = log.forRule("deal-changed", 10).reversed();
    assertThat(first).extracting(Decision::dedupeKey).containsExactly(null, "sync:41");
    assertThat(first).extracting(Decision::outcome).containsExactly("no-match", "enqueued");
    assertThat(first.get(1).inputs().path("event").path("source").asText()).isEqualTo("webhook");
    assertThat(first.get(1).subject()).isEqualTo("hs/deals/900");
    long again = queue.enqueue(NewJob.of(RecordTriggers.SYNC_KIND, "{}")).id();
    await().atMost(Duration.ofSeconds(20)).until(() -> queue.find(again).orElseThrow().state() == JobState.COMPLETED);
    assertThat(log.forRule("deal-changed", 10)).as("the cursor moved past them").hasSize(2);
    clock.advance(RecordTriggers.SETTLE.plusSeconds(1));
    long later = queue.enqueue(NewJob.of(RecordTriggers.SYNC_KIND, "{}")).id();
    await().atMost(Duration.ofSeconds(20)).until(() -> queue.find(later).orElseThrow().state() == JobState.COMPLETED);
    assertThat(log.forRule("deal-changed", 10).get(0).dedupeKey()).isEqualTo("sync:42");
    await().atMost(Duration.ofSeconds(20)).until(() -> bodies.contains("{\"deal\":\"901 sync\"}"));
  }

  void change(String id, long seq, String kind, String changed, Instant at, long run) throws Exception {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO sluice.record_change (connection, object_type, external_id, run_id, event_seq, page, kind, changed_properties, at)"
            + " VALUES ('hs', 'deals', ?, ?, ?, 0, ?, CAST(? AS text[]), ?)")) {
      ps.setString(1, id);
      ps.setLong(2, run);
      ps.setLong(3, seq);
      ps.setString(4, kind);
      ps.setString(5, changed);
      ps.setObject(6, java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  void mirror(String id, String json) throws Exception {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO sluice.record (connection, object_type, external_id, properties, associations, archived, content_hash,"
            + " first_seen_run, last_changed_run, synced_at) VALUES ('hs', 'deals', ?, CAST(? AS jsonb), '{}', false, 'h', 1, 1, now())")) {
      ps.setString(1, id);
      ps.setString(2, json);
      ps.executeUpdate();
    }
  }
}
