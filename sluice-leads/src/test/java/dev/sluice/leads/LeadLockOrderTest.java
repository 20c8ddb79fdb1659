package dev.sluice.leads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.leads.LeadStore.Claimed;
import dev.sluice.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The drain's multi-row writes and the intake's upsert lock lead rows in one order, (source,
 * email_key): a drainer recording an outcome and an intake storing repeats of the same leads wait for
 * one another and never deadlock. The leads here have ids in the opposite order of their keys, so a
 * drain locking by id (as a join on the id array does) would deadlock with the intake.
 */
class LeadLockOrderTest {
  static TestDatabase db;
  static LeadIntake intake;
  static final List<String> NAMES = List.of("outcome", "release", "extend");
  final LeadStore store = new LeadStore("public");

  @BeforeAll
  static void start() {
    db = TestDatabase.create("leads_lock_order");
    intake = LeadIntake.builder(db.dataSource()).schema("public").sources(NAMES.stream().map(LeadLockOrderTest::source).toList())
        .build();
    intake.migrate();
  }

  @AfterAll
  static void stop() {
    intake.close();
    db.close();
  }

  @Test
  void anOutcomeAndRepeatsOfItsLeadsWaitForEachOtherWithoutDeadlock() throws Exception {
    assertNoDeadlock("outcome", (c, batch, now) -> store.markSent(c, batch, List.of("crm-1", "crm-2"), now));
  }

  @Test
  void aReleaseAndRepeatsOfItsLeadsWaitForEachOtherWithoutDeadlock() throws Exception {
    assertNoDeadlock("release", (c, batch, now) -> store.release(c, batch.stream().map(Claimed::id).toList(),
        batch.get(0).token(), now));
  }

  @Test
  void aLeaseExtensionAndRepeatsOfItsLeadsWaitForEachOtherWithoutDeadlock() throws Exception {
    assertNoDeadlock("extend", (c, batch, now) -> assertThat(store.extendLease(c, batch.stream().map(Claimed::id).toList(),
        batch.get(0).token(), now.plusSeconds(120))).hasSize(2));
  }

  /** One source and destination per test, so that no test claims another's leads. */
  private static LeadSource source(String name) {
    return LeadSource.builder(name, name + "-key-0123456789abcdef").destination("crm-" + name).build();
  }

  @FunctionalInterface
  interface DrainWrite {
    void run(Connection c, List<Claimed> batch, Instant now) throws SQLException;
  }

  /**
   * The intake locks the first lead in key order (a repeat, in a transaction left open); the drain's
   * write of both leads starts and waits for it; the intake then stores a repeat of the second lead
   * and commits. The drain must not hold the second lead while it waits for the first.
   */
  private void assertNoDeadlock(String name, DrainWrite write) throws Exception {
    LeadSource web = source(name);
    long last = intake.submit(web, Map.of("email", "zed@example.com", "name", "Zed")).join().leadId();
    long first = intake.submit(web, Map.of("email", "abe@example.com", "name", "Abe")).join().leadId();
    assertThat(last).as("ids run against the key order").isLessThan(first);
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    try (Connection drainer = db.connect(); Connection intaker = db.connect(); Connection observer = db.connect()) {
      List<Claimed> batch = store.claim(drainer, "crm-" + name, 10, now, now.plusSeconds(60));
      assertThat(batch).extracting(Claimed::id).containsExactly(last, first);
      int drainerPid = pid(drainer);
      intaker.setAutoCommit(false);
      store.store(intaker, List.of(repeat(web, "abe@example.com", "Abe")), now);
      CompletableFuture<Void> drainWrite = CompletableFuture.runAsync(() -> {
        try {
          write.run(drainer, batch, now);
        } catch (SQLException e) {
          throw new CompletionException(e);
        }
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> waitsForALock(observer, drainerPid) || drainWrite.isDone());
      assertThat(drainWrite).as("the drain's write waits for the intake's lock").isNotDone();
      store.store(intaker, List.of(repeat(web, "zed@example.com", "Zed")), now);
      intaker.commit();
      drainWrite.get(30, TimeUnit.SECONDS);
    }
    assertThat(intake.lead(first).orElseThrow().submissions()).isEqualTo(2);
    assertThat(intake.lead(last).orElseThrow().submissions()).isEqualTo(2);
  }

  private static SubmissionCheck.Submission repeat(LeadSource web, String email, String name) {
    return SubmissionCheck.check(web, Map.of("email", email, "name", name));
  }

  private static int pid(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static boolean waitsForALock(Connection observer, int pid) throws SQLException {
    try (PreparedStatement ps = observer.prepareStatement("SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?")) {
      ps.setInt(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && "Lock".equals(rs.getString(1));
      }
    }
  }
}
