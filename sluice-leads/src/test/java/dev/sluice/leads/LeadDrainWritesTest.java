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
 * The drain's writes of claimed leads, on the store: a drainer that stalled past its lease must not
 * touch the leads another drainer claimed after it (every mark, extend and release names the claim
 * token set by claim_leads.sql); and they lock lead rows in the intake upsert's order, (source,
 * email_key), so a drainer and an intake storing repeats of the same leads wait for one another and
 * never deadlock. The lock-order tests use leads whose ids run against their keys, so a drain
 * locking by id (as a join on the id array does) would deadlock with the intake.
 */
class LeadDrainWritesTest {
  static TestDatabase db;
  static LeadIntake intake;
  static final LeadSource web = LeadSource.builder("web", "web-key-0123456789abcdef").destination("crm").build();
  static final List<String> LOCK_TESTS = List.of("outcome", "release", "extend");
  final LeadStore store = new LeadStore("public");

  @BeforeAll
  static void start() {
    db = TestDatabase.create("leads_drain_writes");
    List<LeadSource> sources = new java.util.ArrayList<>(List.of(web));
    LOCK_TESTS.forEach(name -> sources.add(source(name)));
    intake = LeadIntake.builder(db.dataSource()).schema("public").sources(sources).build();
    intake.migrate();
  }

  @AfterAll
  static void stop() {
    intake.close();
    db.close();
  }

  @Test
  void aStalledDrainerCannotOverwriteANewerClaim() throws Exception {
    long id = intake.submit(web, Map.of("email", "stall@example.com")).join().leadId();
    Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusSeconds(5);
    try (Connection c = db.connect()) {
      List<Claimed> stale = store.claim(c, "crm", 10, t0, t0.plusSeconds(1));
      assertThat(stale).extracting(Claimed::id).containsExactly(id);
      Instant t1 = t0.plus(Duration.ofSeconds(2)); // the first lease ran out: a second drainer claims it
      List<Claimed> fresh = store.claim(c, "crm", 10, t1, t1.plusSeconds(60));
      assertThat(fresh).extracting(Claimed::id).containsExactly(id);

      assertThat(store.extendLease(c, List.of(id), stale.get(0).token(), t1.plusSeconds(600))).as("no longer held").isEmpty();
      store.markSent(c, stale, List.of("crm-old"), t1);
      store.markRejected(c, stale, List.of("stale"), t1);
      store.markRetrying(c, stale, true, "stale", t1, t1);
      store.release(c, List.of(id), stale.get(0).token(), t1);
      Lead held = store.lead(c, id);
      assertThat(held.state()).isEqualTo(LeadState.SENDING);
      assertThat(held.crmId()).isNull();
      assertThat(held.attempts()).isZero();
      assertThat(held.availableAt()).isEqualTo(t1.plusSeconds(60));

      assertThat(store.extendLease(c, List.of(id), fresh.get(0).token(), t1.plusSeconds(90))).containsExactly(id);
      store.markSent(c, fresh, List.of("crm-new"), t1);
      assertThat(store.lead(c, id).state()).isEqualTo(LeadState.SENT);
      assertThat(store.lead(c, id).crmId()).isEqualTo("crm-new");
    }
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
