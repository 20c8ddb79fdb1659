package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.inbound.StoredEvent;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobWorker;
import dev.sluice.sandbox.ManualClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract every action handler passes, on real PostgreSQL and real HTTP over loopback, with a
 * {@link FaultProxy} between the handler and its destination (the sandbox or a test server):
 * <ul>
 *   <li>success: one job, one effect at the destination;
 *   <li>a response lost after the destination applied the request: the retry leaves one effect
 *       (the dedupe key travels as the destination's idempotency key, or the handler checks the
 *       destination before resending);
 *   <li>429 and 503 are retried, honouring {@code Retry-After} (no attempt spent), then one effect;
 *   <li>another 4xx makes the job dead at once, with the response kept in its progress;
 *   <li>shadow: the job records the exact request it would send and nothing reaches the destination.
 * </ul>
 * A subclass names its action and how to count its effects; each test uses a fresh marker so the
 * destination's effects of one test never count in another. A destination that is not HTTP (SMTP)
 * injects the same faults its own way ({@link #injectLostResponse}, {@link #injectRetryableFaults},
 * {@link #injectRejection}) and counts what reached it ({@link #received}, {@link #applied}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ActionContractTest {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong EVENT_IDS = new AtomicLong(1_000_000);

  protected TestDatabase db;
  protected ManualClock clock;
  protected JobQueue queue;
  protected FaultProxy proxy;
  private JobWorker worker;

  /** The job kind under test, e.g. {@code slack.post}. */
  protected abstract String kind();

  /** Starts the destination (the caller starts a proxy in front of it at {@link #destination()}). */
  protected abstract void startDestination() throws Exception;

  /** The sandbox a subclass started as its destination, if any. */
  protected dev.sluice.sandbox.Sandbox sandbox;

  protected void stopDestination() {
    sandbox.close();
  }

  /** The destination's base URL, which the proxy forwards to (default: the sandbox's). */
  protected URI destination() {
    return URI.create(sandbox.baseUrl());
  }

  /**
   * The action as a rules-file flow mapping whose effect carries {@code marker} (e.g. in a message
   * text), with connections pointing at {@code base} (the proxy).
   */
  protected abstract String action(String marker);

  /** Adds to {@code b} the connections the action names, pointing at the proxy's {@code base}. */
  protected abstract RulesEngine.Builder targets(RulesEngine.Builder b, URI base);

  /** How many effects carrying {@code marker} the destination holds. */
  protected abstract int effects(String marker) throws Exception;

  /**
   * Effects after a response was lost and the job retried: 1 where the destination has an
   * idempotency key or the handler checks before resending. A kind that can do neither overrides
   * this, says why, and docs/rules.md says so.
   */
  protected int effectsAfterALostResponse() {
    return 1;
  }

  /** The destination's answer to a request it refuses (a 4xx other than 429) and a word of it the job must keep. */
  protected FaultProxy.Answer rejection() {
    return new FaultProxy.Answer(400, Map.of("Content-Type", "application/json"), "{\"error\":\"contract_rejected\",\"ok\":false}");
  }

  /** Makes the destination apply the next request and lose its answer. */
  protected void injectLostResponse() {
    proxy.inject(new FaultProxy.LoseResponse());
  }

  /** Makes the destination refuse the next two requests as temporarily unable (HTTP: 429 with Retry-After: 30, then 503). */
  protected void injectRetryableFaults() {
    proxy.inject(new FaultProxy.Answer(429, Map.of("Retry-After", "30", "Content-Type", "application/json"), "{\"error\":\"slow down\"}"),
        new FaultProxy.Answer(503, Map.of("Retry-After", "5"), ""));
  }

  /** The wait the first retryable fault announces ({@code Retry-After}), or null when the protocol has none (SMTP: the kind's backoff). */
  protected Duration announcedRetryAfter() {
    return Duration.ofSeconds(30);
  }

  /** Makes the destination refuse the next request for good; its answer keeps {@link #rejectedStatus()} and {@code contract_rejected}. */
  protected void injectRejection() {
    proxy.inject(rejection());
  }

  /** The status a refused request's job keeps in {@code progress.response.status}. */
  protected int rejectedStatus() {
    return 400;
  }

  /** Requests that reached the destination (or its fault injector) since the last test. */
  protected int received() {
    return proxy.received();
  }

  /** Requests the destination applied since the last test. */
  protected int applied() {
    return proxy.forwarded();
  }

  /** After each test: faults not used are dropped and the counts start again. */
  protected void resetDestination() {
    proxy.reset();
  }

  /** The id of the record the event names (the destination may need it to exist). */
  protected String objectId(long eventId) throws Exception {
    return "9" + eventId;
  }

  @BeforeAll
  void setUpContract() throws Exception {
    db = TestDatabase.create("action_" + kind().replaceAll("[^a-z]", "_"), 6);
    clock = new ManualClock(Instant.parse("2026-12-07T09:00:00Z"));
    queue = JobQueue.builder(db.dataSource()).clock(clock).build().migrate();
    new dev.sluice.sync.SyncEngine(queue, db.dataSource(), JobQueue.DEFAULT_SCHEMA, n -> null, clock).migrate();
    startDestination();
    proxy = new FaultProxy(destination());
  }

  @AfterEach
  void stopWorker() {
    if (worker != null) worker.close();
    worker = null;
    resetDestination();
  }

  @AfterAll
  void tearDownContract() {
    proxy.close();
    stopDestination();
    db.close();
  }

  @Test
  void successHasOneEffect() throws Exception {
    String marker = marker("ok");
    Job job = fire(marker, false);
    awaitState(job, JobState.COMPLETED);
    assertThat(effects(marker)).isEqualTo(1);
    assertThat(applied()).isEqualTo(1);
  }

  @Test
  void aRetryAfterALostResponseLeavesOneEffect() throws Exception {
    String marker = marker("lost");
    injectLostResponse();
    Job job = fire(marker, false);
    awaitState(job, JobState.COMPLETED);
    assertThat(queue.find(job.id()).orElseThrow().attempt()).isGreaterThanOrEqualTo(2);
    assertThat(effects(marker)).isEqualTo(effectsAfterALostResponse());
  }

  @Test
  void throttlingAndServerErrorsAreRetriedHonouringRetryAfter() throws Exception {
    String marker = marker("retry");
    injectRetryableFaults();
    Job job = fire(marker, false);
    Duration announced = announcedRetryAfter();
    if (announced != null) {
      await().atMost(Duration.ofSeconds(30)).until(() -> received() >= 1 && state(job) == JobState.READY
          && queue.find(job.id()).orElseThrow().runAt().isAfter(clock.instant()));
      Job snoozed = queue.find(job.id()).orElseThrow();
      assertThat(snoozed.runAt()).isAfterOrEqualTo(clock.instant().plus(announced).minusSeconds(1)); // Retry-After, not the backoff
    }
    awaitState(job, JobState.COMPLETED);
    assertThat(received()).isGreaterThanOrEqualTo(3); // a handler may check the destination after the 503 (the outcome is unknown)
    assertThat(effects(marker)).isEqualTo(1);
  }

  @Test
  void anotherClientErrorIsDeadWithTheResponseKept() throws Exception {
    String marker = marker("dead");
    injectRejection();
    Job job = fire(marker, false);
    awaitState(job, JobState.DEAD);
    Job dead = queue.find(job.id()).orElseThrow();
    JsonNode progress = json(dead.progress());
    assertThat(progress.path("response").path("status").asInt()).isEqualTo(rejectedStatus());
    assertThat(progress.path("response").path("body").toString()).contains("contract_rejected");
    assertThat(received()).isEqualTo(1);
    assertThat(effects(marker)).isZero();
  }

  @Test
  void shadowRecordsTheExactRequestAndSendsNothing() throws Exception {
    String marker = marker("shadow");
    Job job = fire(marker, true);
    awaitState(job, JobState.COMPLETED);
    JsonNode progress = json(queue.find(job.id()).orElseThrow().progress());
    assertThat(progress.path("shadow").asBoolean()).isTrue();
    assertThat(progress.path("would_send")).isEqualTo(json(job.payload()).path("request"));
    assertThat(progress.path("would_send").toString()).contains(marker);
    assertThat(received()).isZero();
    assertThat(effects(marker)).isZero();
  }

  // ---- helpers ----

  private String marker(String what) {
    return what + "-" + EVENT_IDS.incrementAndGet();
  }

  /** Builds an engine with one rule holding the action, evaluates one event, starts a worker: the action's job. */
  protected Job fire(String marker, boolean shadow) throws Exception {
    String yaml = """
        rules:
          contract:
            on: hs/deal.propertyChange
            shadow: %s
            dedupe: '"contract:" + event.value'
            actions:
              - %s
        """.formatted(shadow, action(marker));
    RulesEngine engine = targets(RulesEngine.builder(queue, RuleSet.parse("contract.yaml", yaml)).clock(clock), proxy.base()).build().migrate();
    return fire(engine, marker);
  }

  /** Evaluates one event whose {@code value} is {@code value} with {@code engine}'s one rule: its decision. */
  protected Decision evaluate(RulesEngine engine, String value) throws Exception {
    long id = EVENT_IDS.incrementAndGet();
    StoredEvent e = new StoredEvent(id, "hubspot", "hs", Long.toString(id), "deal.propertyChange", "deal", objectId(id), "dealstage", value,
        clock.instant(), clock.instant(), 0, 0, null, 0, null, JSON.createObjectNode(), Optional.empty());
    List<Long> decisions = engine.evaluate(e);
    assertThat(decisions).hasSize(1);
    return engine.decisions(id).get(0);
  }

  /** Evaluates one event with {@code engine}'s one rule and starts a worker: the action's job. */
  protected Job fire(RulesEngine engine, String marker) throws Exception {
    Decision d = evaluate(engine, marker);
    assertThat(d.outcome()).as(d.error() == null ? d.outcome() : d.error()).isIn("enqueued", "shadowed");
    Job job = queue.find(d.jobs().get(0).path("job_id").asLong()).orElseThrow();
    JobWorker.Builder b = queue.worker().concurrency(1).pollInterval(Duration.ofMillis(20));
    engine.registerHandlers(b);
    worker = b.start();
    return job;
  }

  private JobState state(Job job) {
    return queue.find(job.id()).map(Job::state).orElse(null);
  }

  /** Waits for {@code want}, moving the manual clock a second per poll so that backoffs and Retry-After pass. */
  protected void awaitState(Job job, JobState want) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
      JobState s = state(job);
      if (s == want) return true;
      if (s == JobState.READY || s == JobState.RETRYABLE) clock.advance(Duration.ofSeconds(1));
      return false;
    });
  }

  static JsonNode json(String s) {
    try {
      return JSON.readTree(s == null ? "{}" : s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }
}
