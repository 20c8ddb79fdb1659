package dev.sluice.leads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The drain against the sandbox HubSpot on real HTTP, with the shared Postgres rate limits. */
class LeadDrainTest {
  static final String UPSERT = "/crm/v3/objects/contacts/batch/upsert";
  static TestDatabase db;
  static Sandbox sandbox;
  static DestinationConnector connector;
  static LeadIntake intake;
  static LeadDrain drain;
  static final LeadSource web = LeadSource.builder("web", "web-key-0123456789abcdef").destination("hubspot-leads")
      .mapping(Map.of("first_name", "firstname", "internal_note", "")).build();

  @BeforeAll
  static void start() {
    db = TestDatabase.create("leads_drain");
    JobQueue queue = JobQueue.builder(db.dataSource()).build().migrate();
    sandbox = Sandbox.builder().port(0).clock(Clock.systemUTC())
        .hubspot(HubSpotOptions.builder().customLimits(1_000_000, 100_000_000L).build()).start();
    ConnectionConfig config = ConnectionConfig.builder("hubspot-leads", "hubspot")
        .baseUrl(sandbox.baseUrl())
        .token(sandbox.hubspot().token(), "HUBSPOT_TOKEN")
        .tier("professional")
        .limit("10s", RateLimitSpec.of(1_000_000, Duration.ofSeconds(10)))
        .limit("daily", RateLimitSpec.of(100_000_000, Duration.ofDays(1)))
        .build();
    connector = new ConnectorFactory(new RateLimits(queue.dataSource(), queue.schema(), queue.clock()), Clock.systemUTC()).destination(config);
    intake = LeadIntake.builder(db.dataSource()).schema("public").sources(List.of(web)).build();
    intake.migrate();
    drain = intake.startDrain(Map.of("hubspot-leads", connector), LeadDrain.Settings.defaults().withRetryBase(Duration.ofMillis(20)));
  }

  @AfterAll
  static void stop() {
    intake.close();
    connector.close();
    sandbox.close();
    db.close();
  }

  @BeforeEach
  void clean() {
    sandbox.faults().clear();
    sandbox.journal().clear();
  }

  private static LeadReceipt submit(Map<String, String> fields) {
    return intake.submit(web, fields).join();
  }

  private static List<HubSpotRecord> contactsWithEmail(String email) {
    List<HubSpotRecord> out = new ArrayList<>();
    for (String id : sandbox.hubspot().ids(HubSpotObjectType.CONTACTS)) {
      sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).filter(r -> email.equals(r.property("email"))).ifPresent(out::add);
    }
    return out;
  }

  private static void awaitState(long id, LeadState state) {
    await().atMost(Duration.ofSeconds(30)).until(() -> intake.lead(id).orElseThrow().state() == state);
  }

  @Test
  void everyLeadReachesTheCrmOnceThroughA429AndA5xx() throws Exception {
    sandbox.faults().add(FaultRule.tooManyRequests(1.0).onPath(UPSERT).times(1));
    sandbox.faults().add(FaultRule.serverError(503, 1.0).onPath(UPSERT).times(1));
    long waitsBefore = drain.rateLimitWaits();
    Map<String, Long> ids = new HashMap<>();
    for (int i = 0; i < 230; i++) {
      String email = "burst" + (i % 210) + "@example.com"; // 20 repeats
      LeadReceipt r = submit(Map.of("email", email, "first_name", "F" + i, "internal_note", "never sent"));
      Long prev = ids.putIfAbsent(email, r.leadId());
      assertThat(r.duplicate()).isEqualTo(prev != null);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> ids.values().stream()
        .allMatch(id -> intake.lead(id).orElseThrow().state() == LeadState.SENT));
    for (Map.Entry<String, Long> e : ids.entrySet()) {
      List<HubSpotRecord> inCrm = contactsWithEmail(e.getKey());
      assertThat(inCrm).as(e.getKey()).hasSize(1);
      Lead lead = intake.lead(e.getValue()).orElseThrow();
      assertThat(lead.crmId()).isEqualTo(inCrm.get(0).id());
      assertThat(inCrm.get(0).property("firstname")).isEqualTo(lead.fields().get("first_name"));
      assertThat(inCrm.get(0).properties()).doesNotContainKey("internal_note");
    }
    assertThat(drain.rateLimitWaits()).isGreaterThan(waitsBefore);
    assertThat(ids.values().stream().mapToInt(id -> intake.lead(id).orElseThrow().attempts()).max().orElse(0)).isEqualTo(1);
    ObjectMapper json = new ObjectMapper();
    for (RecordedRequest req : sandbox.journal().withPathPrefix(UPSERT)) {
      JsonNode body = json.readTree(req.body());
      assertThat(body.path("inputs").size()).isBetween(1, 100);
    }
  }

  @Test
  void aRecordTheCrmRefusesIsRejectedWithItsReasonAndTheRestAreSent() {
    LeadReceipt bad = submit(Map.of("email", "bad..dots@example.com", "first_name", "Bad"));
    LeadReceipt good = submit(Map.of("email", "good.one@example.com", "first_name", "Good"));
    awaitState(bad.leadId(), LeadState.REJECTED);
    awaitState(good.leadId(), LeadState.SENT);
    assertThat(intake.lead(bad.leadId()).orElseThrow().lastError()).contains("VALIDATION_ERROR").contains("is invalid");
    assertThat(contactsWithEmail("bad..dots@example.com")).isEmpty();
    assertThat(contactsWithEmail("good.one@example.com")).hasSize(1);
    assertThat(intake.leads(LeadState.REJECTED, "web", null, 10)).extracting(Lead::id).contains(bad.leadId());
  }

  @Test
  void aChangedRepeatAfterSendingUpdatesTheSameCrmRecord() {
    LeadReceipt first = submit(Map.of("email", "changes@example.com", "first_name", "Old"));
    awaitState(first.leadId(), LeadState.SENT);
    String crmId = intake.lead(first.leadId()).orElseThrow().crmId();
    assertThat(submit(Map.of("email", "changes@example.com", "first_name", "")).duplicate()).isTrue();
    assertThat(intake.lead(first.leadId()).orElseThrow().state()).isEqualTo(LeadState.SENT); // nothing changed: not sent again
    assertThat(submit(Map.of("email", "Changes@Example.com", "first_name", "New")).leadId()).isEqualTo(first.leadId());
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      Lead l = intake.lead(first.leadId()).orElseThrow();
      return l.state() == LeadState.SENT && l.version() == 2;
    });
    List<HubSpotRecord> inCrm = contactsWithEmail("changes@example.com");
    assertThat(inCrm).hasSize(1);
    assertThat(inCrm.get(0).id()).isEqualTo(crmId);
    assertThat(inCrm.get(0).property("firstname")).isEqualTo("New");
  }

  @Test
  void aBatchWhoseOutcomeCannotBeRecordedIsReleasedAndSentAgainToTheSameRecord() throws Exception {
    String email = "outcome-fails@example.com";
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      // the outcome statement fails OUTCOME_TRIES times in a row for this lead, then works
      st.execute("CREATE SEQUENCE outcome_failures");
      st.execute("""
          CREATE FUNCTION fail_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF nextval('outcome_failures') <= %d THEN RAISE EXCEPTION 'outcome commit fails (test)'; END IF;
            RETURN NEW;
          END $$""".formatted(ConnectionDrainer.OUTCOME_TRIES));
      st.execute("CREATE TRIGGER fail_outcome BEFORE UPDATE ON leads FOR EACH ROW "
          + "WHEN (NEW.state = 'sent' AND NEW.email = '" + email + "') EXECUTE FUNCTION fail_outcome()");
    }
    try {
      long releasedBefore = drain.released();
      LeadReceipt r = submit(Map.of("email", email, "first_name", "Twice"));
      // the lease is a minute (the defaults): only a prompt release gets it sent within this wait
      awaitState(r.leadId(), LeadState.SENT);
      assertThat(drain.released()).isEqualTo(releasedBefore + 1);
      assertThat(contactsWithEmail(email)).hasSize(1);
      assertThat(sandbox.journal().withPathPrefix(UPSERT)).filteredOn(req -> req.body().contains(email)).hasSize(2);
    } finally {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("DROP TRIGGER fail_outcome ON leads");
        st.execute("DROP FUNCTION fail_outcome()");
        st.execute("DROP SEQUENCE outcome_failures");
      }
    }
  }
}
