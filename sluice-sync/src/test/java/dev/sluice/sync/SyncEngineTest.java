package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's own logic against real PostgreSQL and the real queue, with an in-memory source
 * (the HTTP path is covered by {@link SandboxSyncTest}).
 */
class SyncEngineTest {
  static final Instant OLD = Instant.parse("2024-01-01T00:00:00Z");
  static TestDatabase db;
  static JobQueue queue;

  InMemorySource source;
  Map<String, InMemorySource> connections;
  SyncEngine engine;
  JobWorker worker;
  static int counter;

  @BeforeAll
  static void database() {
    db = TestDatabase.create("sync_engine", 20);
    queue = JobQueue.builder(db.dataSource()).schema("sluice").clock(Clock.systemUTC()).build();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void engine() {
    // each test uses its own connection name, so tests share the database without seeing each other's rows
    String name = "mem-" + (++counter);
    source = new InMemorySource(name, 10, "contacts", "companies");
    connections = new HashMap<>(Map.of(name, source));
    SyncSettings settings = SyncSettings.DEFAULTS.withRetry(Duration.ofMillis(20), Duration.ofMillis(100))
        .withPageMaxAttempts(3);
    engine = new SyncEngine(queue, db.dataSource(), "sluice", connections::get, Clock.systemUTC(), settings);
    engine.migrate();
    JobWorker.Builder b = queue.worker().concurrency(8).pollInterval(Duration.ofMillis(50));
    engine.registerHandlers(b);
    worker = b.start();
  }

  @AfterEach
  void stop() {
    worker.close();
  }

  static SourceRecord contact(int i, String email, boolean archived, Instant updated) {
    Map<String, String> props = new HashMap<>();
    props.put("email", email);
    props.put("firstname", "First" + i);
    props.put("lastname", null);
    return new SourceRecord("contacts", String.valueOf(1000 + i), props,
        Map.of("companies", List.of(String.valueOf(5000 + i % 3))), archived, updated);
  }

  static SourceRecord company(int i, Instant updated) {
    return new SourceRecord("companies", String.valueOf(5000 + i), Map.of("name", "Co " + i, "domain", "co" + i + ".test"),
        Map.of(), false, updated);
  }

  void seed(int contacts, int companies) {
    for (int i = 0; i < contacts; i++) {
      source.put(contact(i, "c" + i + "@x.test", i % 10 == 9, OLD.plusSeconds(i)));
    }
    for (int i = 0; i < companies; i++) {
      source.put(company(i, OLD.plusSeconds(i)));
    }
  }

  SyncRun awaitFinal(long id) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> !engine.find(id).orElseThrow().status().active());
    return engine.find(id).orElseThrow();
  }

  /** Every record of the source is in the mirror with equal content, and nothing else is. */
  void assertMirrorEqualsSource(String objectType) throws Exception {
    Map<String, SourceRecord> expected = source.all(objectType).stream()
        .collect(Collectors.toMap(SourceRecord::externalId, r -> r));
    Map<String, List<Object>> actual = new HashMap<>();
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT external_id, properties::text, associations::text, archived, source_updated_at FROM sluice.record "
            + "WHERE connection = ? AND object_type = ?")) {
      ps.setString(1, source.connection());
      ps.setString(2, objectType);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          actual.put(rs.getString(1), List.of(
              Json.MAPPER.readValue(rs.getString(2), new TypeReference<Map<String, String>>() {}),
              Json.MAPPER.readValue(rs.getString(3), new TypeReference<Map<String, List<String>>>() {}),
              rs.getBoolean(4), rs.getObject(5, java.time.OffsetDateTime.class).toInstant()));
        }
      }
    }
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (SourceRecord r : expected.values()) {
      List<Object> row = actual.get(r.externalId());
      assertThat(row.get(0)).as("properties of %s", r.externalId()).isEqualTo(r.properties());
      assertThat(row.get(1)).as("associations of %s", r.externalId()).isEqualTo(r.associations());
      assertThat(row.get(2)).as("archived of %s", r.externalId()).isEqualTo(r.archived());
      assertThat(row.get(3)).isEqualTo(r.sourceUpdatedAt());
    }
  }

  void assertProjectionMatchesEvents(SyncRun run) {
    RunProjection.Replayed replayed = engine.replay(run.id());
    assertThat(replayed.status()).isEqualTo(run.status());
    for (SyncStream s : run.streams()) {
      StreamState fromEvents = replayed.streams().get(s.objectType());
      assertThat(fromEvents.status()).isEqualTo(s.status());
      assertThat(fromEvents.counts()).isEqualTo(s.counts());
      assertThat(fromEvents.pagesCommitted()).isEqualTo(s.pagesCommitted());
    }
  }

  @Test
  void fullSyncFillsTheMirrorAndCountsAndLogsEveryPage() throws Exception {
    seed(95, 12);
    SyncRun run = engine.trigger(new SyncRequest(source.connection(), List.of("contacts", "companies"), SyncMode.FULL));
    assertThat(run.status()).isIn(RunStatus.PENDING, RunStatus.PROCESSING);

    SyncRun done = awaitFinal(run.id());
    assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(done.counts().get("contacts")).isEqualTo(new StreamCounts(95, 95, 0, 0, 9, 0));
    assertThat(done.counts().get("companies")).isEqualTo(new StreamCounts(12, 12, 0, 0, 0, 0));
    assertThat(done.stream("contacts").orElseThrow().pagesCommitted()).isEqualTo(10);
    assertThat(done.finishedAt()).isNotNull();
    assertThat(done.startedAt()).isNotNull();
    assertMirrorEqualsSource("contacts");
    assertMirrorEqualsSource("companies");
    assertProjectionMatchesEvents(done);

    List<SyncEvent> events = engine.events(run.id(), 0);
    assertThat(events.get(0).type()).isEqualTo(SyncEventType.RUN_CREATED);
    assertThat(events.get(events.size() - 1).type()).isEqualTo(SyncEventType.RUN_FINISHED);
    assertThat(events.get(events.size() - 1).payload().path("status").asText()).isEqualTo("completed");
    assertThat(events).filteredOn(e -> e.type() == SyncEventType.PAGE_COMMITTED).hasSize(10 + 2);
    assertThat(events).filteredOn(e -> e.type() == SyncEventType.STREAM_FINISHED).hasSize(2);
    assertThat(events.stream().map(SyncEvent::seq).toList()).isSorted();
    // the cursor returns only what follows it
    long mid = events.get(3).seq();
    assertThat(engine.events(run.id(), mid)).hasSize(events.size() - 4);
    // the typed view reads the mirror
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT email, firstname, archived FROM sluice.hubspot_contacts WHERE connection = ? AND id = '1003'")) {
      ps.setString(1, source.connection());
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("c3@x.test");
        assertThat(rs.getString(2)).isEqualTo("First3");
        assertThat(rs.getBoolean(3)).isFalse();
      }
    }
  }

  @Test
  void rereadingUnchangedDataWritesNothingAndIncrementalReadsOnlyChanges() throws Exception {
    seed(40, 5);
    SyncRun first = awaitFinal(engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id());
    assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);

    SyncRun again = awaitFinal(engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id());
    assertThat(again.counts().get("contacts")).isEqualTo(new StreamCounts(40, 0, 0, 40, 4, 0));
    // an estimate came from the mirror, so the second run could say how far it was
    assertThat(again.stream("contacts").orElseThrow().estimatedTotal()).isEqualTo(40L);

    // change two records and archive one after the last run started
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    source.put(contact(1, "changed1@x.test", false, now));
    source.put(contact(2, "c2@x.test", true, now));
    SyncRun inc = awaitFinal(engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.INCREMENTAL)).id());
    assertThat(inc.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(inc.stream("contacts").orElseThrow().incrementalSince()).isEqualTo(again.startedAt());
    assertThat(inc.counts().get("contacts")).isEqualTo(new StreamCounts(2, 0, 2, 0, 1, 0));
    assertThat(source.requests).filteredOn(r -> r.mode() == SyncMode.INCREMENTAL)
        .allMatch(r -> again.startedAt().equals(r.incrementalSince()));
    assertMirrorEqualsSource("contacts");

    RecordHistory h = engine.explain(source.connection(), "contacts", "1001");
    assertThat(h.current()).isPresent();
    assertThat(h.current().get().properties().path("email").asText()).isEqualTo("changed1@x.test");
    assertThat(h.current().get().firstSeenRun()).isEqualTo(first.id());
    assertThat(h.current().get().lastChangedRun()).isEqualTo(inc.id());
    assertThat(h.changes()).extracting(RecordHistory.Change::runId).containsExactly(first.id(), inc.id());
    assertThat(h.changes().get(0).kind()).isEqualTo("created");
    assertThat(h.changes().get(1).kind()).isEqualTo("updated");
    assertThat(h.changes().get(1).changedProperties()).containsExactly("email", "source_updated_at");
    assertThat(h.changes().get(1).runMode()).isEqualTo("incremental");
    RecordHistory archived = engine.explain(source.connection(), "contacts", "1002");
    assertThat(archived.changes().get(1).kind()).isEqualTo("archived");
    assertThat(archived.changes().get(1).changedProperties()).contains("archived");
    assertThat(engine.explain(source.connection(), "contacts", "nope").current()).isEmpty();
  }

  @Test
  void concurrentTriggersForTheSameObjectsCoalesceIntoOneRun() throws Exception {
    seed(30, 3);
    // keep the run active: its first reads are rate limited for a while
    source.failNext("contacts", 15, ConnectorException.rateLimited("slow down", Duration.ofMillis(100), 429));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Long>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        // same set in another order still coalesces
        List<String> objects = i % 2 == 0 ? List.of("contacts", "companies") : List.of("companies", "contacts");
        calls.add(() -> engine.trigger(new SyncRequest(source.connection(), objects, SyncMode.FULL)).id());
      }
      Set<Long> ids = new java.util.HashSet<>();
      for (Future<Long> f : pool.invokeAll(calls)) {
        ids.add(f.get());
      }
      assertThat(ids).hasSize(1);
      long other = engine.trigger(new SyncRequest(source.connection(), List.of("companies"), SyncMode.FULL)).id();
      assertThat(other).isNotIn(ids);
      SyncRun done = awaitFinal(ids.iterator().next());
      assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(engine.events(done.id(), 0)).anyMatch(e -> e.type() == SyncEventType.SNOOZE
          && e.payload().path("wait_ms").asLong() == 100);
      // finished: the next trigger is a new run
      long next = engine.trigger(new SyncRequest(source.connection(), List.of("contacts", "companies"), SyncMode.FULL)).id();
      assertThat(next).isNotEqualTo(done.id());
      awaitFinal(next);
      awaitFinal(other);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void retryableErrorsAreRetriedAndLogged() throws Exception {
    seed(25, 0);
    source.failNext("contacts", 2, ConnectorException.retryable("HTTP 502 from the source", 502, null));
    SyncRun done = awaitFinal(engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id());
    assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
    List<SyncEvent> retries = engine.events(done.id(), 0).stream().filter(e -> e.type() == SyncEventType.RETRY).toList();
    assertThat(retries).hasSize(2);
    assertThat(retries.get(0).payload().path("reason").asText()).isEqualTo("HTTP 502 from the source");
    assertThat(retries.get(0).payload().path("max_attempts").asInt()).isEqualTo(3);
    assertMirrorEqualsSource("contacts");
    assertProjectionMatchesEvents(done);
  }

  @Test
  void exhaustedStreamMakesTheRunPartialAndResumeRereadsOnlyThatStream() throws Exception {
    seed(35, 8);
    // the first contacts page fails 3 times = the attempt limit
    SyncRequest req = new SyncRequest(source.connection(), List.of("contacts", "companies"), SyncMode.FULL);
    source.failNext("contacts", 3, ConnectorException.malformed("unreadable JSON at byte 12", null));
    SyncRun partial = awaitFinal(engine.trigger(req).id());
    assertThat(partial.status()).isEqualTo(RunStatus.PARTIALLY_COMPLETED);
    SyncStream contacts = partial.stream("contacts").orElseThrow();
    assertThat(contacts.status()).isEqualTo(StreamStatus.FAILED);
    assertThat(contacts.lastError()).contains("unreadable JSON at byte 12").contains("page 1").contains("3 attempts");
    assertThat(partial.lastError()).contains("unreadable JSON");
    assertThat(partial.stream("companies").orElseThrow().status()).isEqualTo(StreamStatus.COMPLETED);
    assertProjectionMatchesEvents(partial);
    int companyReads = source.readsOf("companies");

    assertThatThrownBy(() -> engine.resume(partial.id() + 1000)).isInstanceOf(NoSuchElementException.class);
    SyncRun resumed = engine.resume(partial.id());
    assertThat(resumed.id()).isEqualTo(partial.id());
    assertThat(resumed.status()).isIn(RunStatus.PENDING, RunStatus.PROCESSING, RunStatus.COMPLETED);
    SyncRun done = awaitFinal(partial.id());
    assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(source.readsOf("companies")).isEqualTo(companyReads);
    assertThat(done.counts().get("contacts").created()).isEqualTo(35);
    assertMirrorEqualsSource("contacts");
    assertProjectionMatchesEvents(done);
    assertThat(engine.events(done.id(), 0)).extracting(SyncEvent::type)
        .containsSubsequence(SyncEventType.STREAM_FAILED, SyncEventType.RUN_FINISHED, SyncEventType.RUN_RESUMED,
            SyncEventType.STREAM_STARTED, SyncEventType.STREAM_FINISHED, SyncEventType.RUN_FINISHED);
    assertThatThrownBy(() -> engine.resume(done.id())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nothing to resume");
  }

  @Test
  void refusedCredentialsFailTheRunAtOnceWithTheConnectorsMessage() {
    seed(30, 30);
    String msg = "connection '" + source.connection() + "': HubSpot refused the token (401): set HUBSPOT_TOKEN to a valid private app token";
    source.failNext("contacts", 1, ConnectorException.auth(msg, 401));
    source.failNext("companies", 1, ConnectorException.auth(msg, 401));
    SyncRun failed = awaitFinal(engine.trigger(new SyncRequest(source.connection(), List.of("contacts", "companies"), SyncMode.FULL)).id());
    assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.lastError()).isEqualTo(msg);
    assertThat(failed.streams()).allMatch(s -> s.status() == StreamStatus.FAILED);
    assertThat(source.readsOf("contacts") + source.readsOf("companies")).isLessThanOrEqualTo(2);
  }

  @Test
  void cancelStopsTheStreams() {
    seed(200, 0);
    source.failNext("contacts", 1000, ConnectorException.rateLimited("wait", Duration.ofMillis(200), 429));
    SyncRun run = engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL));
    SyncRun cancelled = engine.cancel(run.id());
    assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelled.finishedAt()).isNotNull();
    assertThat(engine.cancel(run.id()).status()).isEqualTo(RunStatus.CANCELLED);
    assertThatThrownBy(() -> engine.cancel(-5)).isInstanceOf(NoSuchElementException.class);
    // a cancelled run no longer blocks a new trigger
    long next = engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id();
    assertThat(next).isNotEqualTo(run.id());
    assertThat(engine.cancel(next).status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void aStreamWhosePageJobWasCancelledIsFailedByTheSweeper() {
    seed(30, 3);
    source.failNext("contacts", 1000, ConnectorException.rateLimited("wait", Duration.ofSeconds(30), 429));
    SyncRun run = engine.trigger(new SyncRequest(source.connection(), List.of("contacts", "companies"), SyncMode.FULL));
    await().atMost(Duration.ofSeconds(30)).until(() -> engine.events(run.id(), 0).stream()
        .anyMatch(e -> e.type() == SyncEventType.SNOOZE));
    await().atMost(Duration.ofSeconds(30)).until(() ->
        engine.find(run.id()).orElseThrow().stream("companies").orElseThrow().status() == StreamStatus.COMPLETED);
    assertThat(engine.sweepStalledStreams()).isZero();
    // an operator cancels the snoozed page job behind the engine's back
    long jobId = queue.list(dev.sluice.queue.JobState.READY, dev.sluice.queue.JobFilter.kind(SyncEngine.PAGE_JOB_KIND), 100)
        .stream().filter(j -> Json.read(j.payload()).path("run").asLong() == run.id()).findFirst().orElseThrow().id();
    assertThat(queue.cancel(jobId)).isTrue();
    assertThat(engine.sweepStalledStreams()).isEqualTo(1);
    SyncRun after = engine.find(run.id()).orElseThrow();
    assertThat(after.status()).isEqualTo(RunStatus.PARTIALLY_COMPLETED);
    assertThat(after.stream("contacts").orElseThrow().lastError()).contains("page job is cancelled");
    assertThat(engine.sweepStalledStreams()).isZero();
  }

  @Test
  void dealAndTicketViewsTypeTheirColumnsAndReadOddValuesAsNull() throws Exception {
    String conn = source.connection();
    try (Connection c = db.connect()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO sluice.sync_connection VALUES (?, 'hubspot', now()) "
          + "ON CONFLICT DO NOTHING")) {
        ps.setString(1, conn);
        ps.executeUpdate();
      }
      String insert = "INSERT INTO sluice.record VALUES (?, ?, ?, ?::jsonb, '{}'::jsonb, false, now(), 'h', 1, 1, now())";
      String[][] rows = {
          {"deals", "1", "{\"dealname\":\"Big\",\"amount\":\"1234.50\",\"closedate\":\"2026-03-01T10:00:00Z\",\"dealstage\":\"closedwon\",\"pipeline\":\"default\"}"},
          {"deals", "2", "{\"dealname\":\"Odd\",\"amount\":\"n/a\",\"closedate\":\"1767225600000\"}"},
          {"deals", "3", "{\"dealname\":\"Empty\",\"amount\":\"\",\"closedate\":\"soon\"}"},
          {"tickets", "9", "{\"subject\":\"Help\",\"hs_pipeline_stage\":\"2\"}"}};
      for (String[] r : rows) {
        try (PreparedStatement ps = c.prepareStatement(insert)) {
          ps.setString(1, conn);
          ps.setString(2, r[0]);
          ps.setString(3, r[1]);
          ps.setString(4, r[2]);
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, dealname, amount, closedate, dealstage FROM sluice.hubspot_deals WHERE connection = ? ORDER BY id")) {
        ps.setString(1, conn);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("1234.50");
          assertThat(rs.getObject(4, java.time.OffsetDateTime.class).toInstant()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
          assertThat(rs.getString(5)).isEqualTo("closedwon");
          assertThat(rs.next()).isTrue();
          assertThat(rs.getBigDecimal(3)).isNull();
          assertThat(rs.getObject(4, java.time.OffsetDateTime.class).toInstant()).isEqualTo(Instant.ofEpochMilli(1767225600000L));
          assertThat(rs.next()).isTrue();
          assertThat(rs.getBigDecimal(3)).isNull();
          assertThat(rs.getObject(4)).isNull();
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT subject, hs_pipeline_stage FROM sluice.hubspot_tickets WHERE connection = ?")) {
        ps.setString(1, conn);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("Help");
          assertThat(rs.getString(2)).isEqualTo("2");
        }
      }
    }
  }

  @Test
  void badRequestsAreRefusedWithAReason() {
    assertThatThrownBy(() -> engine.trigger(new SyncRequest("nope", List.of("contacts"), SyncMode.FULL)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown connection 'nope'");
    assertThatThrownBy(() -> engine.trigger(new SyncRequest(source.connection(), List.of("widgets"), SyncMode.FULL)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("widgets").hasMessageContaining("contacts");
    assertThatThrownBy(() -> new SyncRequest(" ", List.of("contacts"), SyncMode.FULL))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SyncRequest("x", List.of(), SyncMode.FULL)).isInstanceOf(IllegalArgumentException.class);
    assertThat(engine.find(987654)).isEmpty();
    assertThat(RunStatus.fromWire("partially_completed")).isEqualTo(RunStatus.PARTIALLY_COMPLETED);
    assertThatThrownBy(() -> RunStatus.fromWire("done")).hasMessageContaining("pending");
  }

  @Test
  void listFiltersByConnectionAndStatus() {
    seed(5, 0);
    long id = awaitFinal(engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id()).id();
    assertThat(engine.list(RunFilter.all().withConnection(source.connection()))).extracting(SyncRun::id).containsExactly(id);
    assertThat(engine.list(RunFilter.all().withConnection(source.connection()).withStatus(RunStatus.FAILED))).isEmpty();
    assertThat(engine.list(RunFilter.all().withStatus(RunStatus.COMPLETED).withLimit(1000))).extracting(SyncRun::id).contains(id);
    assertThat(engine.list(RunFilter.all().before(id).withConnection(source.connection()))).isEmpty();
  }
}
