package dev.sluice.leads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.postgres.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Intake against a real PostgreSQL: commit, dedupe, merge, validation, the per-IP limit. */
class LeadIntakeTest {
  static TestDatabase db;
  static LeadIntake intake;
  static final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T12:00:00Z"));
  static final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now.get(); }
  };
  static final LeadSource web = LeadSource.builder("web", "web-key-0123456789abcdef").destination("hubspot-main")
      .emailRules(Set.of(LeadSource.EmailRule.STRIP_PLUS_TAG)).perIpPerMinute(3).build();
  static final LeadSource strict = LeadSource.builder("partner", "partner-key-0123456789ab").strict(true)
      .fields(Set.of("firstname", "company")).honeypot("website").build();
  static final LeadSource baseline = LeadSource.builder("baseline", "baseline-key-0123456789")
      .commitMode(LeadSource.CommitMode.PER_REQUEST).build();

  @BeforeAll
  static void start() {
    db = TestDatabase.create("leads_intake");
    intake = LeadIntake.builder(db.dataSource()).clock(clock).sources(List.of(web, strict, baseline)).build();
    intake.migrate();
    intake.migrate(); // idempotent
  }

  @AfterAll
  static void stop() {
    intake.close();
    db.close();
  }

  private static LeadReceipt submit(LeadSource s, Map<String, String> fields) {
    return intake.submit(s, fields).join();
  }

  @Test
  void aRepeatMergesIntoTheSameLeadNewestNonEmptyValueWins() {
    LeadReceipt first = submit(web, Map.of("email", " Ann+Spring@Example.COM ", "firstname", "Ann", "company", "Acme"));
    assertThat(first.duplicate()).isFalse();
    LeadReceipt again = submit(web, Map.of("email", "ann@example.com", "firstname", "", "company", "Acme Corp", "phone", "555"));
    assertThat(again).isEqualTo(new LeadReceipt(first.leadId(), true));
    Lead lead = intake.lead(first.leadId()).orElseThrow();
    assertThat(lead.fields()).containsExactlyInAnyOrderEntriesOf(Map.of("firstname", "Ann", "company", "Acme Corp", "phone", "555"));
    assertThat(lead.email()).isEqualTo("ann+spring@example.com"); // the CRM key stays the first address
    assertThat(lead.submissions()).isEqualTo(2);
    assertThat(lead.state()).isEqualTo(LeadState.RECEIVED);
    assertThat(lead.destination()).isEqualTo("hubspot-main");
    // Another source with the same address is another lead.
    assertThat(submit(baseline, Map.of("email", "ann@example.com")).leadId()).isNotEqualTo(first.leadId());
  }

  @Test
  void concurrentSubmissionsOfOneAddressMakeOneLeadAndExactlyOneIsNew() throws Exception {
    int emails = 40;
    int perEmail = 5;
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<LeadReceipt>> answers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < emails * perEmail; i++) {
      int e = i % emails;
      int n = i / emails;
      CompletableFuture<LeadReceipt> f = new CompletableFuture<>();
      answers.add(f);
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          go.await();
          f.complete(intake.submit(web, Map.of("email", "spike" + e + "@example.com", "note" + n, "v" + n)).get(30, TimeUnit.SECONDS));
        } catch (Exception ex) {
          f.completeExceptionally(ex);
        }
      }));
    }
    go.countDown();
    Map<Long, Integer> fresh = new HashMap<>();
    Map<String, Long> idByEmail = new HashMap<>();
    for (int i = 0; i < answers.size(); i++) {
      LeadReceipt r = answers.get(i).get(60, TimeUnit.SECONDS);
      Long prev = idByEmail.putIfAbsent("spike" + (i % emails), r.leadId());
      if (prev != null) assertThat(r.leadId()).isEqualTo(prev);
      if (!r.duplicate()) fresh.merge(r.leadId(), 1, Integer::sum);
    }
    assertThat(idByEmail.values()).doesNotHaveDuplicates().hasSize(emails);
    assertThat(fresh).hasSize(emails).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
    Lead one = intake.lead(idByEmail.get("spike7")).orElseThrow();
    assertThat(one.submissions()).isEqualTo(perEmail);
    assertThat(one.fields()).hasSize(perEmail); // every submission's field merged in
    assertThat(intake.commitStats()[0]).isLessThan(intake.commitStats()[1]); // commits were shared
  }

  @Test
  void badSubmissionsAreRefusedWithAReasonAndNothingIsStored() {
    long before = total();
    assertThatThrownBy(() -> intake.submit(strict, Map.of("firstname", "No Email")))
        .isInstanceOf(InvalidLeadException.class).hasMessage("email is required");
    assertThatThrownBy(() -> intake.submit(strict, Map.of("email", "not-an-address")))
        .isInstanceOf(InvalidLeadException.class).hasMessageContaining("is not a valid address");
    assertThatThrownBy(() -> intake.submit(strict, Map.of("email", "bob@example.com", "favourite_color", "red")))
        .isInstanceOf(InvalidLeadException.class).hasMessageContaining("unknown field 'favourite_color'");
    assertThatThrownBy(() -> intake.submit(strict, Map.of("email", "bot@example.com", "website", "http://spam")))
        .isInstanceOf(InvalidLeadException.class).hasMessageContaining("website field must be left empty");
    assertThatThrownBy(() -> intake.submit(web, Map.of("email", "bob@example.com", "note", "x".repeat(5_000))))
        .isInstanceOf(InvalidLeadException.class).hasMessageContaining("longer than");
    assertThat(total()).isEqualTo(before);
    assertThat(submit(strict, Map.of("email", "bob@example.com", "firstname", "Bob", "website", "")).duplicate()).isFalse();
  }

  @Test
  void thePerIpLimitRefillsWithTime() {
    assertThat(intake.admit(web, "10.0.0.1")).isEmpty();
    assertThat(intake.admit(web, "10.0.0.1")).isEmpty();
    assertThat(intake.admit(web, "10.0.0.1")).isEmpty();
    Duration wait = intake.admit(web, "10.0.0.1").orElseThrow();
    assertThat(wait).isBetween(Duration.ofSeconds(19), Duration.ofSeconds(20));
    assertThat(intake.admit(web, "10.0.0.2")).isEmpty(); // another client is not affected
    now.updateAndGet(t -> t.plus(Duration.ofSeconds(20)));
    assertThat(intake.admit(web, "10.0.0.1")).isEmpty();
    assertThat(intake.admit(strict, "10.0.0.1")).isEmpty(); // limits are per source
  }

  @Test
  void keysFindTheirSourceOnly() {
    assertThat(intake.sourceForKey("partner-key-0123456789ab")).contains(strict);
    assertThat(intake.sourceForKey("partner-key-0123456789aX")).isEmpty();
    assertThat(intake.sourceForKey(null)).isEmpty();
    assertThat(strict.toString()).doesNotContain("partner-key");
  }

  @Test
  void listsAndCountsByStateAndSource() {
    LeadReceipt r = submit(baseline, Map.of("email", "count.me@example.com"));
    assertThat(intake.leads(LeadState.RECEIVED, "baseline", null, 100)).extracting(Lead::id).contains(r.leadId());
    assertThat(intake.leads(LeadState.SENT, null, null, 100)).isEmpty();
    assertThat(intake.counts().bySource().get("baseline").get(LeadState.RECEIVED)).isPositive();
    assertThat(intake.counts().bySource().get("baseline").get(LeadState.REJECTED)).isZero();
  }

  private static long total() {
    return intake.counts().total().values().stream().mapToLong(Long::longValue).sum();
  }
}
