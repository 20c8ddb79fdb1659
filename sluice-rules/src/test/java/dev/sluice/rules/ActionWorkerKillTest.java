package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.inbound.InboundEvents;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobFilter;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import dev.sluice.sandbox.slack.SlackOptions;
import dev.sluice.sandbox.slack.SlackSandbox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker process killed (SIGKILL) in the middle of a HubSpot task creation: the sandbox holds the
 * request open (a slow-answer fault) and applies it after the worker is gone, so HubSpot has the
 * task but nobody got the answer. A new worker process rescues the job, finds the task by the job's
 * dedupe key ({@code sluice_dedupe_key}) after the search index settled, and completes without
 * creating another: one task, one Slack message. Then the same change arrives again under new event
 * ids and is evaluated by that new process: the dedupe key taken by the killed one holds. (The kill
 * waits for the Slack job to complete: a Slack message has no idempotency key.)
 */
class ActionWorkerKillTest {
  static final ObjectMapper JSON = new ObjectMapper();
  /** How long the sandbox holds the task creation before applying it. */
  static final Duration HELD = Duration.ofSeconds(8);

  TestDatabase db;
  Sandbox sandbox;
  SlackSandbox slack;
  InboundEvents inbound;
  Process worker;
  final Clock clock = Clock.systemUTC();

  @AfterEach
  void tearDown() throws InterruptedException {
    if (worker != null) {
      worker.destroyForcibly();
      worker.waitFor(30, TimeUnit.SECONDS);
    }
    if (inbound != null) inbound.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  @Test
  void aWorkerKilledWhileHubSpotHoldsTheTaskRequestLeavesOneTaskAndTheDedupeKeyHoldsInTheNextProcess() throws Exception {
    db = TestDatabase.create("actions_kill", 6);
    JobQueue queue = JobQueue.builder(db.dataSource()).clock(clock).build().migrate();
    new dev.sluice.sync.SyncEngine(queue, db.dataSource(), JobQueue.DEFAULT_SCHEMA, n -> null, clock).migrate();
    slack = new SlackSandbox(SlackOptions.builder().channel("placements", false).build());
    sandbox = Sandbox.builder().port(0).platform(slack)
        .hubspot(HubSpotOptions.builder().customLimits(1_000_000, 100_000_000L).searchPerSecond(100_000).build()).start();
    sandbox.faults().add(FaultRule.slow(HELD, 1.0).onPath("/crm/v3/objects/tasks").times(1)); // the create, not the later search
    ActionsEndToEndTest.engine(queue, clock, sandbox.baseUrl(), sandbox.hubspot().token()).migrate();
    inbound = ActionsEndToEndTest.inbound(queue, clock).migrate(); // this process only receives; the workers are children
    String deal = sandbox.hubspot().createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "Acme", "dealstage", "appointment")).id();

    worker = ActionWorkerProcess.start(db.jdbcUrl(), db.user(), sandbox.baseUrl(), sandbox.hubspot().token());
    ActionsEndToEndTest.deliver(inbound, clock, ActionsEndToEndTest.dealStage(clock, 7001, deal, "placement"));

    // The worker recorded that it is sending the task, and the sandbox holds that request open. The
    // Slack job has completed by then (Slack has no idempotency key: a message posted by a job that
    // the kill leaves uncompleted is posted again by the rescue, docs/rules.md).
    Job running = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
      if (!sandbox.faults().rules().stream().allMatch(r -> r.times() == 0)) return null;
      if (slack.messages("placements").size() != 1 || !queue.list(JobState.RUNNING, JobFilter.kind(ActionSignature.SLACK_POST), 10).isEmpty()) {
        return null;
      }
      return queue.list(JobState.RUNNING, JobFilter.kind(ActionSignature.HUBSPOT_TASK), 10).stream()
          .filter(j -> progress(queue, j.id()).has("sent_at")).findFirst().orElse(null);
    }, j -> j != null);
    long taskJob = running.id();
    String key = JSON.readTree(running.payload()).path("dedupe_key").asText();
    worker.destroyForcibly(); // SIGKILL: no shutdown hook, no completion, the lease's heartbeat stops
    assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
    worker = null;

    // HubSpot applies the request once the hold ends, with nobody left to read the answer.
    await().atMost(HELD.plusSeconds(30)).until(() -> tasks().size() == 1);
    assertThat(queue.find(taskJob).orElseThrow().state()).isEqualTo(JobState.RUNNING);

    worker = ActionWorkerProcess.start(db.jdbcUrl(), db.user(), sandbox.baseUrl(), sandbox.hubspot().token());
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
        .until(() -> queue.find(taskJob).orElseThrow().state() == JobState.COMPLETED);

    Job done = queue.find(taskJob).orElseThrow();
    assertThat(key).isEqualTo("deal-placed#2:deal:" + deal + ":placement");
    assertThat(done.attempt()).as("the rescued job ran a second time").isEqualTo(2);
    List<HubSpotRecord> tasks = tasks();
    assertThat(tasks).singleElement().satisfies(t -> {
      assertThat(t.property(HubSpotActions.DEDUPE_PROPERTY)).isEqualTo(key);
      assertThat(t.associated(HubSpotObjectType.DEALS)).containsExactly(deal);
    });
    JsonNode result = progress(queue, taskJob).path("result");
    assertThat(result.path("id").asText()).isEqualTo(tasks.get(0).id());
    assertThat(result.path("found_by").asText()).as("found by its dedupe key, not created again").isEqualTo(HubSpotActions.DEDUPE_PROPERTY);
    assertThat(slack.messages("placements")).singleElement().extracting(m -> m.text()).isEqualTo("deal " + deal + " placed");

    // The same change again (HubSpot's retry, a second subscription), evaluated by the new process.
    ActionsEndToEndTest.deliver(inbound, clock, ActionsEndToEndTest.dealStage(clock, 7001, deal, "placement"));
    ActionsEndToEndTest.deliver(inbound, clock, ActionsEndToEndTest.dealStage(clock, 7002, deal, "placement"));
    long again = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> storedEventId("7002"), id -> id > 0 && !new DecisionLog(db.dataSource(), queue.schema()).decisions(id).isEmpty());
    Decision d = new DecisionLog(db.dataSource(), queue.schema()).decisions(again).get(0);
    assertThat(d.outcome()).isEqualTo("deduped");
    assertThat(d.decidedBy()).contains("deal:" + deal + ":placement");
    assertThat(tasks()).hasSize(1);
    assertThat(slack.messages("placements")).hasSize(1);
  }

  List<HubSpotRecord> tasks() {
    return sandbox.hubspot().ids(HubSpotObjectType.TASKS).stream()
        .map(id -> sandbox.hubspot().record(HubSpotObjectType.TASKS, id).orElseThrow()).toList();
  }

  static JsonNode progress(JobQueue queue, long job) {
    String p = queue.find(job).map(Job::progress).orElse(null);
    try {
      return p == null ? JSON.createObjectNode() : JSON.readTree(p);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  long storedEventId(String providerEventId) throws Exception {
    try (Connection c = db.connect();
         PreparedStatement ps = c.prepareStatement("SELECT id FROM " + JobQueue.DEFAULT_SCHEMA + ".inbound_event WHERE provider_event_id = ?")) {
      ps.setString(1, providerEventId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }
}
