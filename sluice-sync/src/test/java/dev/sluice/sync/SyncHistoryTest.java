package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.sandbox.ManualClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sync history: creations recorded as such, paged record histories, retention per table. */
class SyncHistoryTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static TestDatabase db;
  static JobQueue queue;
  static int counter;

  ManualClock clock;
  InMemoryEngine fx;

  @BeforeAll
  static void database() {
    db = TestDatabase.create("sync_history", 20);
    queue = JobQueue.builder(db.dataSource()).schema("sluice").clock(Clock.systemUTC()).build();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void engine() {
    clock = new ManualClock(T0);
    fx = new InMemoryEngine(queue, db.dataSource(), "history-" + (++counter), 4, clock);
  }

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  void contacts(int n, String emailPrefix, Instant updated) {
    for (int i = 0; i < n; i++) {
      fx.source.put(new SourceRecord("contacts", String.valueOf(1000 + i), Map.of("email", emailPrefix + i + "@x.test",
          "firstname", "F" + i, "lastname", "L" + i), Map.of(), false, updated));
    }
  }

  SyncRun run(List<String> objects, SyncMode mode) {
    return fx.awaitFinal(fx.engine.trigger(new SyncRequest(fx.source.connection(), objects, mode)).id());
  }

  static long count(TestDatabase db, String sql, long runId) throws Exception {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void aCreationIsOneChangeWithoutPropertyNamesAndTheHistoryIsPaged() {
    contacts(3, "a", T0);
    SyncRun first = run(List.of("contacts"), SyncMode.FULL);
    for (int round = 1; round <= 4; round++) {
      contacts(3, "round" + round + "-", T0.plusSeconds(round));
      run(List.of("contacts"), SyncMode.FULL);
    }
    RecordHistory all = fx.engine.explain(fx.source.connection(), "contacts", "1001", 0, 1000);
    assertThat(all.changes()).hasSize(5);
    assertThat(all.nextAfter()).isNull();
    RecordHistory.Change created = all.changes().get(0);
    assertThat(created.kind()).isEqualTo("created");
    assertThat(created.runId()).isEqualTo(first.id());
    assertThat(created.changedProperties()).isEmpty();
    assertThat(all.changes()).allSatisfy(c -> assertThat(c.fromWebhook()).as("a sync page is not a webhook refresh").isFalse());
    assertThat(all.changes().get(1).changedProperties()).containsExactly("email", "source_updated_at");

    // two at a time: 2 + 2 + 1, each page continuing after the last one's event seq
    List<RecordHistory.Change> paged = new ArrayList<>();
    long after = 0;
    List<Integer> sizes = new ArrayList<>();
    while (true) {
      RecordHistory page = fx.engine.explain(fx.source.connection(), "contacts", "1001", after, 2);
      assertThat(page.current()).isPresent();
      paged.addAll(page.changes());
      sizes.add(page.changes().size());
      if (page.nextAfter() == null) {
        break;
      }
      assertThat(page.nextAfter()).isEqualTo(page.changes().get(page.changes().size() - 1).eventSeq());
      after = page.nextAfter();
    }
    assertThat(sizes).containsExactly(2, 2, 1);
    assertThat(paged).isEqualTo(all.changes());
    assertThatThrownBy(() -> fx.engine.explain(fx.source.connection(), "contacts", "1001", 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    assertThatThrownBy(() -> fx.engine.explain(fx.source.connection(), "contacts", "1001", -1, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after");
  }

  /** Cleaning is cluster-wide: this test has a database of its own, so it counts exactly what it made. */
  @Test
  void retentionDeletesOldEventsChangesAndRunsButKeepsWhatIncrementalReadsNeed() throws Exception {
    try (TestDatabase own = TestDatabase.create("sync_retention", 10)) {
      fx.close();
      fx = new InMemoryEngine(JobQueue.builder(own.dataSource()).schema("sluice").clock(Clock.systemUTC()).build(),
          own.dataSource(), "retention", 4, clock);
      try {
        retention(own);
      } finally {
        fx.close();
        fx = null;
      }
    }
  }

  private void retention(TestDatabase db) throws Exception {
    contacts(15, "a", T0);
    fx.source.put(new SourceRecord("companies", "5000", Map.of("name", "Acme"), Map.of(), false, T0));
    SyncRun oldContacts = run(List.of("contacts"), SyncMode.FULL);
    SyncRun onlyCompaniesRead = run(List.of("companies"), SyncMode.FULL);
    clock.advance(Duration.ofDays(40));
    contacts(2, "b", T0.plusSeconds(60));
    SyncRun recent = run(List.of("contacts"), SyncMode.FULL);
    assertThat(recent.counts().get("contacts").updated()).isEqualTo(2);
    // an active run is never touched, however old its start
    fx.source.failNext("companies", 1000, ConnectorException.rateLimited("wait", Duration.ofMinutes(5), 429));
    SyncRun active = fx.engine.trigger(new SyncRequest(fx.source.connection(), List.of("contacts", "companies"), SyncMode.FULL));

    long oldEvents = count(db, "SELECT count(*) FROM sluice.sync_event WHERE run_id = ?", oldContacts.id())
        + count(db, "SELECT count(*) FROM sluice.sync_event WHERE run_id = ?", onlyCompaniesRead.id());
    long oldChanges = count(db, "SELECT count(*) FROM sluice.record_change WHERE run_id = ?", oldContacts.id())
        + count(db, "SELECT count(*) FROM sluice.record_change WHERE run_id = ?", onlyCompaniesRead.id());
    assertThat(oldChanges).isEqualTo(16);
    clock.advance(Duration.ofDays(1));

    SyncEngine.CleanResult cleaned = fx.engine.cleanHistory(
        new SyncRetention(Duration.ofDays(30), Duration.ofDays(30), Duration.ofDays(35)));
    assertThat(cleaned).isEqualTo(new SyncEngine.CleanResult(oldEvents, oldChanges, 1));
    // the old contacts run is gone with its streams; a newer completed contacts read exists
    assertThat(fx.engine.find(oldContacts.id())).isEmpty();
    assertThat(count(db, "SELECT count(*) FROM sluice.sync_stream WHERE run_id = ?", oldContacts.id())).isZero();
    // the only completed companies read stays (the next incremental starts from it), without its events
    assertThat(fx.engine.find(onlyCompaniesRead.id())).isPresent();
    assertThat(fx.engine.events(onlyCompaniesRead.id(), 0)).isEmpty();
    assertThat(fx.engine.events(recent.id(), 0)).isNotEmpty();
    assertThat(fx.engine.events(active.id(), 0)).isNotEmpty();
    assertThat(fx.engine.find(active.id()).orElseThrow().status().active()).isTrue();
    // the mirror is never deleted; only the recent changes are left in the history
    RecordHistory h = fx.engine.explain(fx.source.connection(), "contacts", "1001");
    assertThat(h.current()).isPresent();
    assertThat(h.changes()).extracting(RecordHistory.Change::runId).containsExactly(recent.id());
    assertThat(fx.engine.cleanHistory(new SyncRetention(Duration.ofDays(30), Duration.ofDays(30), Duration.ofDays(35))))
        .isEqualTo(new SyncEngine.CleanResult(0, 0, 0));

    fx.engine.cancel(active.id());
    SyncRun incremental = fx.engine.trigger(new SyncRequest(fx.source.connection(), List.of("companies"), SyncMode.INCREMENTAL));
    assertThat(incremental.stream("companies").orElseThrow().incrementalSince())
        .isEqualTo(onlyCompaniesRead.stream("companies").orElseThrow().startedAt());
    fx.engine.cancel(incremental.id());
  }

  @Test
  void retentionKeepsRunsAtLeastAsLongAsTheirEventsAndChanges() {
    assertThatThrownBy(() -> new SyncRetention(Duration.ofDays(30), Duration.ofDays(90), Duration.ofDays(60)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sync_runs");
    assertThatThrownBy(() -> new SyncRetention(Duration.ZERO, Duration.ofDays(1), Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sync_events");
    SyncRetention r = new SyncRetention(Duration.ofHours(12), Duration.ofDays(2), Duration.ofDays(3));
    assertThat(SyncRetention.fromJson(r.json())).isEqualTo(r);
    assertThat(SyncRetention.fromJson(Json.object())).isEqualTo(SyncRetention.DEFAULTS);
  }
}
