package dev.sluice.leads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.leads.LeadStore.Claimed;
import dev.sluice.postgres.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A drainer that stalled past its lease must not touch the leads another drainer claimed after it:
 * every mark, extend and release names the claim token set by claim_leads.sql.
 */
class LeadClaimTokenTest {
  static TestDatabase db;
  static LeadIntake intake;
  static final LeadSource web = LeadSource.builder("web", "web-key-0123456789abcdef").destination("crm").build();
  final LeadStore store = new LeadStore("public");

  @BeforeAll
  static void start() {
    db = TestDatabase.create("leads_claim_token");
    intake = LeadIntake.builder(db.dataSource()).schema("public").sources(List.of(web)).build();
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
}
