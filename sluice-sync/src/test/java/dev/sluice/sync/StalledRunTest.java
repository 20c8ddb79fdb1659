package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.cron.CronScheduler;
import dev.sluice.queue.JobFilter;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.NewJob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs never stay active for good: values PostgreSQL cannot hold, database errors, cancelled page jobs. */
class StalledRunTest {
  static final Instant OLD = Instant.parse("2024-01-01T00:00:00Z");
  static TestDatabase db;
  static JobQueue queue;
  static int counter;

  InMemoryEngine fx;
  InMemorySource source;
  SyncEngine engine;

  @BeforeAll
  static void database() {
    db = TestDatabase.create("sync_stalled", 20);
    queue = JobQueue.builder(db.dataSource()).schema("sluice").clock(Clock.systemUTC()).build();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void engine() {
    fx = new InMemoryEngine(queue, db.dataSource(), "stalled-" + (++counter), 4);
    source = fx.source;
    engine = fx.engine;
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  SyncRun awaitFinal(long id) {
    return fx.awaitFinal(id);
  }

  void seed(int contacts) {
    for (int i = 0; i < contacts; i++) {
      source.put(new SourceRecord("contacts", String.valueOf(1000 + i), Map.of("email", "c" + i + "@x.test"),
          Map.of(), false, OLD.plusSeconds(i)));
    }
  }

  /** jsonb rejects \u0000 and text rejects the byte: such a value used to fail its page on every attempt. */
  @Test
  void valuesWithNulBytesAreStoredWithTheReplacementCharacter() throws Exception {
    seed(12);
    source.put(new SourceRecord("contacts", "10\u00009", Map.of("email", "nul\u0000@x.test", "no\u0000te", "a\u0000b"),
        Map.of("companies", List.of("77\u00007")), false, OLD));
    source.failNext("contacts", 1, ConnectorException.retryable("HTTP 502: <html>\u0000</html>", 502, null));
    SyncRun done = awaitFinal(engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id());

    assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(done.counts().get("contacts").created()).isEqualTo(13);
    RecordHistory h = engine.explain(source.connection(), "contacts", "10\uFFFD9");
    assertThat(h.current()).isPresent();
    assertThat(h.current().get().properties().path("email").asText()).isEqualTo("nul\uFFFD@x.test");
    assertThat(h.current().get().properties().path("no\uFFFDte").asText()).isEqualTo("a\uFFFDb");
    assertThat(h.current().get().associations().path("companies").get(0).asText()).isEqualTo("77\uFFFD7");
    assertThat(engine.events(done.id(), 0)).filteredOn(e -> e.type() == SyncEventType.RETRY)
        .singleElement().satisfies(e -> assertThat(e.payload().path("reason").asText()).isEqualTo("HTTP 502: <html>\uFFFD</html>"));

    // a second full read of the same data changes nothing: the stored form is what the hash covers
    SyncRun again = awaitFinal(engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id());
    assertThat(again.counts().get("contacts")).isEqualTo(new StreamCounts(13, 0, 0, 13, 0, 0));
  }

  /** A database error on every attempt (not a connector error) fails the stream on the last attempt. */
  @Test
  void aDatabaseErrorOnEveryAttemptFailsTheStreamOnTheLastAttempt() throws Exception {
    seed(25);
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("""
          CREATE FUNCTION sluice.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.connection = '%s' AND NEW.external_id = '1013' THEN
              RAISE EXCEPTION 'poisoned row %%', NEW.external_id;
            END IF;
            RETURN NEW;
          END $$""".formatted(source.connection()));
      s.execute("CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON sluice.record "
          + "FOR EACH ROW EXECUTE FUNCTION sluice.refuse_poison()");
    }
    try {
      SyncRun run = awaitFinal(engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id());
      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      SyncStream contacts = run.stream("contacts").orElseThrow();
      assertThat(contacts.status()).isEqualTo(StreamStatus.FAILED);
      assertThat(contacts.pagesCommitted()).isEqualTo(1);
      assertThat(contacts.lastError()).contains("poisoned row 1013").contains("page 2").contains("gave up after 3 attempts");
      // the handler failed it itself: nothing is left for the sweeper
      assertThat(engine.sweepStalledStreams()).isZero();
      // and the next trigger is a new run, not the dead one
      long next = engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id();
      assertThat(next).isNotEqualTo(run.id());
      assertThat(engine.cancel(next).status()).isEqualTo(RunStatus.CANCELLED);
    } finally {
      try (Connection c = db.connect(); Statement s = c.createStatement()) {
        s.execute("DROP TRIGGER refuse_poison ON sluice.record");
        s.execute("DROP FUNCTION sluice.refuse_poison()");
      }
    }
  }

  /** The sweep runs as a queue job from a cron schedule: no caller has to remember it. */
  @Test
  void theScheduledSweepFinishesARunWhosePageJobWasCancelled() throws Exception {
    seed(30);
    // the schedule exists since two minutes ago (declaring it again keeps its last tick), so the
    // latest minute's tick is already due and its job runs at once
    new CronScheduler(queue, db.dataSource(), "sluice", Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-2)))
        .schedule(SyncEngine.SWEEP_SCHEDULE, "0 0 1 1 *", NewJob.of("placeholder", "{}"));
    CronScheduler cron = new CronScheduler(queue, db.dataSource(), "sluice", Clock.systemUTC());
    engine.scheduleSweeps(cron);
    source.failNext("contacts", 1000, ConnectorException.rateLimited("wait", Duration.ofSeconds(30), 429));
    SyncRun run = engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL));
    await().atMost(Duration.ofSeconds(30)).until(() -> engine.events(run.id(), 0).stream()
        .anyMatch(e -> e.type() == SyncEventType.SNOOZE));
    long jobId = queue.list(JobState.READY, JobFilter.kind(SyncEngine.PAGE_JOB_KIND), 100).stream()
        .filter(j -> Json.read(j.payload()).path("run").asLong() == run.id()).findFirst().orElseThrow().id();
    assertThat(queue.cancel(jobId)).isTrue();
    assertThat(engine.find(run.id()).orElseThrow().status().active()).isTrue();

    // the minute's tick enqueues one sweep job, which a worker runs
    assertThat(cron.tick()).anyMatch(t -> t.schedule().equals(SyncEngine.SWEEP_SCHEDULE));
    SyncRun after = awaitFinal(run.id());
    assertThat(after.status()).isEqualTo(RunStatus.FAILED);
    assertThat(after.stream("contacts").orElseThrow().lastError()).contains("page job is cancelled");
    // the run no longer holds the coalescing index: a new trigger starts a new run
    long next = engine.trigger(new SyncRequest(source.connection(), List.of("contacts"), SyncMode.FULL)).id();
    assertThat(next).isNotEqualTo(run.id());
    engine.cancel(next);
  }
}
