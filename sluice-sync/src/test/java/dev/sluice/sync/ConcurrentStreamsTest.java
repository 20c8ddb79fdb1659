package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streams of one run committing at once: one lock order, and a mirror that never goes backwards. */
class ConcurrentStreamsTest {
  static final Instant OLD = Instant.parse("2024-01-01T00:00:00Z");
  static TestDatabase db;
  static JobQueue queue;
  static int counter;

  InMemoryEngine fx;

  @BeforeAll
  static void database() {
    db = TestDatabase.create("sync_concurrent", 20);
    queue = JobQueue.builder(db.dataSource()).schema("sluice").clock(Clock.systemUTC()).build();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @BeforeEach
  void engine() {
    fx = new InMemoryEngine(queue, db.dataSource(), "concurrent-" + (++counter), 4);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  static SourceRecord contact(int i, String email, List<String> companies, Instant updated) {
    return new SourceRecord("contacts", String.valueOf(1000 + i), Map.of("email", email),
        companies.isEmpty() ? Map.of() : Map.of("companies", companies), false, updated);
  }

  SyncRun fullRun(List<String> objects) {
    return fx.awaitFinal(fx.engine.trigger(new SyncRequest(fx.source.connection(), objects, SyncMode.FULL)).id());
  }

  JsonNode mirroredAssociations(String objectType, String id) {
    return fx.engine.explain(fx.source.connection(), objectType, id).current().orElseThrow().associations();
  }

  /**
   * A page commit used to lock its stream and write its mirror rows before it waited for the run
   * row, while the other stream's commit held the run and waited for those rows (its inverse
   * associations): a deadlock. Now the run comes first, so a commit waiting for the run holds nothing.
   */
  @Test
  void aPageCommitWaitsForTheRunBeforeItLocksAnyMirrorRow() throws Exception {
    for (int i = 0; i < 5; i++) {
      fx.source.put(contact(i, "c" + i + "@x.test", List.of(), OLD));
    }
    assertThat(fullRun(List.of("contacts")).status()).isEqualTo(RunStatus.COMPLETED);
    for (int i = 0; i < 5; i++) {
      fx.source.put(contact(i, "changed" + i + "@x.test", List.of(), OLD.plusSeconds(60)));
    }
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    fx.source.holdNextRead("contacts", reached, release);
    long runId = fx.engine.trigger(new SyncRequest(fx.source.connection(), List.of("contacts"), SyncMode.FULL)).id();
    assertThat(reached.await(30, TimeUnit.SECONDS)).isTrue();

    try (Connection holder = db.connect()) {
      holder.setAutoCommit(false);
      try (PreparedStatement ps = holder.prepareStatement("SELECT id FROM sluice.sync_run WHERE id = ? FOR UPDATE")) {
        ps.setLong(1, runId);
        ps.executeQuery().close();
      }
      release.countDown();
      // the page's commit now waits for the run row
      await().atMost(Duration.ofSeconds(30)).until(() -> waitingForALock(holder));
      // and holds none of the rows it is about to update: they can be locked without waiting
      List<String> locked = new ArrayList<>();
      try (PreparedStatement ps = holder.prepareStatement(
          "SELECT external_id FROM sluice.record WHERE connection = ? AND object_type = 'contacts' FOR UPDATE NOWAIT")) {
        ps.setString(1, fx.source.connection());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            locked.add(rs.getString(1));
          }
        }
      }
      assertThat(locked).hasSize(5);
      holder.rollback();
    }
    SyncRun done = fx.awaitFinal(runId);
    assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(done.counts().get("contacts").updated()).isEqualTo(5);
  }

  private static boolean waitingForALock(Connection holder) throws Exception {
    try (PreparedStatement ps = holder.prepareStatement("SELECT count(*) FROM pg_stat_activity "
        + "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1) > 0;
    }
  }

  /**
   * A companies page read before a contact gained that company, committed after the contacts page
   * that told the mirror (through the inverse association): the older page must not take the
   * association away again.
   */
  @Test
  void anOlderPageOfTheOtherTypeCommittedLaterDoesNotUndoAnAssociation() {
    fx.source.put(contact(0, "c0@x.test", List.of(), OLD));
    fx.source.put(new SourceRecord("companies", "5000", Map.of("name", "Acme"), Map.of(), false, OLD));
    assertThat(fullRun(List.of("contacts", "companies")).status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(mirroredAssociations("companies", "5000").size()).isZero();

    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch contactsGo = new CountDownLatch(1);
    fx.source.holdNextRead("companies", reached, release);
    fx.source.gateNextRead("contacts", contactsGo);
    long runId = fx.engine.trigger(new SyncRequest(fx.source.connection(), List.of("contacts", "companies"),
        SyncMode.FULL)).id();
    await().atMost(Duration.ofSeconds(30)).until(() -> reached.getCount() == 0);
    // the company's page is read; now the contact gains the company at the source, then is read
    fx.source.put(contact(0, "c0@x.test", List.of("5000"), OLD.plusSeconds(60)));
    contactsGo.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() ->
        fx.engine.find(runId).orElseThrow().stream("contacts").orElseThrow().status() == StreamStatus.COMPLETED);
    assertThat(mirroredAssociations("companies", "5000").path("contacts").toString()).isEqualTo("[\"1000\"]");

    release.countDown();
    SyncRun done = fx.awaitFinal(runId);
    assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(mirroredAssociations("companies", "5000").path("contacts").toString()).isEqualTo("[\"1000\"]");
    assertThat(mirroredAssociations("contacts", "1000").path("companies").toString()).isEqualTo("[\"5000\"]");
    // the source agrees
    assertThat(fx.source.all("companies").get(0).associations()).isEqualTo(Map.of("contacts", List.of("1000")));
  }
}
