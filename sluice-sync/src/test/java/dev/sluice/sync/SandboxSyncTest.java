package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.sluice.connectors.SyncMode;
import dev.sluice.connectors.hubspot.HubSpotConnector;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobWorker;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sync runs against the real local HubSpot API (sandbox over loopback HTTP), the real HubSpot
 * connector, the real queue and PostgreSQL. Small portals and raised limits keep each test in seconds.
 */
class SandboxSyncTest {
  static final String CONNECTION = "hubspot-test";
  /** The stream the resume test breaks. */
  static final String FAILING = "companies";
  /**
   * Object types whose associations the HubSpot connector reads (its {@code associationTargets}:
   * each of these to every other one), whichever objects a run syncs; not tasks.
   */
  static final Set<String> ASSOCIATED = Set.of("contacts", "companies", "deals", "tickets");
  static final HubSpotDataGenerator.Spec SMALL = new HubSpotDataGenerator.Spec(42, 2000, 200, 300, 120, 0, 2, true);

  TestDatabase db;
  Sandbox sandbox;
  SyncProcessFixture fx;
  final List<JobWorker> workers = new ArrayList<>();
  final List<Process> children = new ArrayList<>();

  @BeforeEach
  void start() {
    db = TestDatabase.create("sync_sandbox", 20);
    sandbox = Sandbox.builder().journalCapacity(200_000).hubspot(HubSpotOptions.builder()
        .customLimits(20_000, 50_000_000).searchPerSecond(200).initialData(SMALL).build()).start();
    linkTheRemainingPairs();
  }

  /**
   * The generator links contacts to companies, deals to contacts and companies, and tickets to
   * contacts; add the pairs it leaves out (deal↔ticket, company↔ticket) so every association the
   * connector reads occurs in the portal, some tickets with two deals.
   */
  void linkTheRemainingPairs() {
    List<String> companies = sandbox.hubspot().ids(HubSpotObjectType.COMPANIES);
    List<String> deals = sandbox.hubspot().ids(HubSpotObjectType.DEALS);
    List<String> tickets = sandbox.hubspot().ids(HubSpotObjectType.TICKETS);
    for (int i = 0; i < 40; i++) {
      sandbox.hubspot().associate(HubSpotObjectType.DEALS, deals.get(i * 7), HubSpotObjectType.TICKETS, tickets.get(i));
      sandbox.hubspot().associate(HubSpotObjectType.TICKETS, tickets.get(40 + i), HubSpotObjectType.COMPANIES, companies.get(i * 3));
    }
    for (int i = 0; i < 10; i++) {
      sandbox.hubspot().associate(HubSpotObjectType.DEALS, deals.get(i * 7 + 1), HubSpotObjectType.TICKETS, tickets.get(i));
    }
  }

  void engine(Map<String, String> tokens) {
    fx = new SyncProcessFixture(db.dataSource(), null, sandbox.baseUrl(), tokens, portalProperties(),
        SyncProcessFixture.SETTINGS);
  }

  @AfterEach
  void stop() {
    children.forEach(Process::destroyForcibly);
    workers.forEach(JobWorker::close);
    if (fx != null) {
      fx.close();
    }
    sandbox.close();
    db.close();
  }

  SyncRun runToEnd(SyncMode mode) {
    SyncRun run = fx.engine.trigger(new SyncRequest(CONNECTION, SyncProcessFixture.OBJECTS, mode));
    return awaitFinal(run.id());
  }

  SyncRun awaitFinal(long id) {
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
        .until(() -> !fx.engine.find(id).orElseThrow().status().active());
    return fx.engine.find(id).orElseThrow();
  }

  @Test
  void fullThenIncrementalSyncMirrorsThePortalExactly() throws Exception {
    engine(Map.of(CONNECTION, sandbox.hubspot().token()));
    workers.add(fx.startWorker(8));

    SyncRun full = runToEnd(SyncMode.FULL);
    assertThat(full.status()).as("%s", full).isEqualTo(RunStatus.COMPLETED);
    for (String objectType : SyncProcessFixture.OBJECTS) {
      assertThat(full.counts().get(objectType).created()).as(objectType).isEqualTo(mirrorCount(objectType));
    }
    assertMirrorEqualsSandbox();
    // the equality check compares something for every association the connector reads
    Set<String> pairs = new java.util.TreeSet<>();
    for (String from : ASSOCIATED) {
      for (String to : ASSOCIATED) {
        if (!from.equals(to)) {
          pairs.add(from + "→" + to);
        }
      }
    }
    assertThat(associationPairsInMirror()).isEqualTo(pairs);

    // change the portal as users would, every object type: edits, archives, new records, new and
    // removed associations. HubSpot does not move a record's last-modified time for an association
    // change alone (nor does the sandbox), so an incremental read sees an association change through
    // a record whose last-modified time moved: a new one, or one edited with it (as HubSpot's
    // num_associated_* roll-ups would). The other side stays untouched: the mirror must update it.
    List<String> contactIds = sandbox.hubspot().ids(HubSpotObjectType.CONTACTS);
    List<String> companyIds = sandbox.hubspot().ids(HubSpotObjectType.COMPANIES);
    // contact 7's history is checked below: keep the records around it out of association changes
    HubSpotRecord contact7 = sandbox.hubspot().record(HubSpotObjectType.CONTACTS, contactIds.get(7)).orElseThrow();
    List<String> dealIds = sandbox.hubspot().ids(HubSpotObjectType.DEALS).stream()
        .filter(id -> !contact7.associated(HubSpotObjectType.DEALS).contains(id)).toList();
    List<String> ticketIds = sandbox.hubspot().ids(HubSpotObjectType.TICKETS).stream()
        .filter(id -> !contact7.associated(HubSpotObjectType.TICKETS).contains(id)).toList();
    // contacts
    for (int i = 0; i < 25; i++) {
      sandbox.hubspot().updateRecord(HubSpotObjectType.CONTACTS, contactIds.get(i * 7),
          Map.of("lifecyclestage", "customer", "firstname", "Edited" + i));
    }
    for (int i = 0; i < 6; i++) {
      sandbox.hubspot().archiveRecord(HubSpotObjectType.CONTACTS, contactIds.get(1000 + i));
    }
    HubSpotRecord fresh = sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS,
        Map.of("email", "new.person@example.com", "firstname", "New", "lastname", "Person"));
    sandbox.hubspot().associate(HubSpotObjectType.CONTACTS, fresh.id(), HubSpotObjectType.COMPANIES, companyIds.get(5));
    sandbox.hubspot().associate(HubSpotObjectType.CONTACTS, fresh.id(), HubSpotObjectType.DEALS, dealIds.get(100));
    sandbox.hubspot().associate(HubSpotObjectType.CONTACTS, fresh.id(), HubSpotObjectType.TICKETS, ticketIds.get(100));
    // companies
    sandbox.hubspot().archiveRecord(HubSpotObjectType.COMPANIES, companyIds.get(3));
    sandbox.hubspot().updateRecord(HubSpotObjectType.COMPANIES, companyIds.get(2), Map.of("domain", "renamed.example"));
    HubSpotRecord freshCompany = sandbox.hubspot().createRecord(HubSpotObjectType.COMPANIES,
        Map.of("name", "Fresh Company Inc.", "domain", "fresh.example", "city", "Oslo"));
    sandbox.hubspot().associate(HubSpotObjectType.COMPANIES, freshCompany.id(), HubSpotObjectType.DEALS, dealIds.get(101));
    sandbox.hubspot().associate(HubSpotObjectType.COMPANIES, freshCompany.id(), HubSpotObjectType.TICKETS, ticketIds.get(101));
    String relinked = companyIds.subList(150, companyIds.size()).stream()
        .filter(id -> !contact7.associated(HubSpotObjectType.COMPANIES).contains(id))
        .filter(id -> has(HubSpotObjectType.COMPANIES, id, HubSpotObjectType.CONTACTS)).findFirst().orElseThrow();
    String leftContact = firstAssociated(HubSpotObjectType.COMPANIES, relinked, HubSpotObjectType.CONTACTS);
    sandbox.hubspot().dissociate(HubSpotObjectType.COMPANIES, relinked, HubSpotObjectType.CONTACTS, leftContact);
    sandbox.hubspot().associate(HubSpotObjectType.COMPANIES, relinked, HubSpotObjectType.TICKETS, ticketIds.get(102));
    sandbox.hubspot().updateRecord(HubSpotObjectType.COMPANIES, relinked, Map.of("city", "Relinked City"));
    // deals
    for (int i = 0; i < 10; i++) {
      sandbox.hubspot().updateRecord(HubSpotObjectType.DEALS, dealIds.get(150 + i), Map.of("amount", "4242", "dealstage", "closedwon"));
    }
    List<String> archivedDeals = dealIds.stream().filter(id -> has(HubSpotObjectType.DEALS, id, HubSpotObjectType.TICKETS))
        .limit(3).toList();
    assertThat(archivedDeals).hasSize(3);
    archivedDeals.forEach(id -> sandbox.hubspot().archiveRecord(HubSpotObjectType.DEALS, id));
    HubSpotRecord freshDeal = sandbox.hubspot().createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "Fresh deal",
        "amount", "1234.5", "dealstage", "qualifiedtobuy", "pipeline", "default", "closedate", "2030-01-01T00:00:00Z"));
    sandbox.hubspot().associate(HubSpotObjectType.DEALS, freshDeal.id(), HubSpotObjectType.CONTACTS, contactIds.get(1200));
    sandbox.hubspot().associate(HubSpotObjectType.DEALS, freshDeal.id(), HubSpotObjectType.COMPANIES, companyIds.get(120));
    String relinkedDeal = dealIds.get(200);
    String leftDealContact = firstAssociated(HubSpotObjectType.DEALS, relinkedDeal, HubSpotObjectType.CONTACTS);
    sandbox.hubspot().dissociate(HubSpotObjectType.DEALS, relinkedDeal, HubSpotObjectType.CONTACTS, leftDealContact);
    sandbox.hubspot().associate(HubSpotObjectType.TICKETS, ticketIds.get(103), HubSpotObjectType.DEALS, relinkedDeal);
    sandbox.hubspot().updateRecord(HubSpotObjectType.DEALS, relinkedDeal, Map.of("dealname", "Relinked deal"));
    // tickets
    for (int i = 0; i < 8; i++) {
      sandbox.hubspot().updateRecord(HubSpotObjectType.TICKETS, ticketIds.get(60 + i), Map.of("subject", "Edited ticket " + i));
    }
    List<String> archivedTickets = ticketIds.stream()
        .filter(id -> has(HubSpotObjectType.TICKETS, id, HubSpotObjectType.DEALS))
        .filter(id -> !id.equals(ticketIds.get(103)))
        .limit(3).toList();
    assertThat(archivedTickets).hasSize(3);
    archivedTickets.forEach(id -> sandbox.hubspot().archiveRecord(HubSpotObjectType.TICKETS, id));
    HubSpotRecord freshTicket = sandbox.hubspot().createRecord(HubSpotObjectType.TICKETS,
        Map.of("subject", "Fresh ticket", "hs_pipeline", "0", "hs_pipeline_stage", "1"));
    sandbox.hubspot().associate(HubSpotObjectType.TICKETS, freshTicket.id(), HubSpotObjectType.DEALS, freshDeal.id());
    sandbox.hubspot().associate(HubSpotObjectType.TICKETS, freshTicket.id(), HubSpotObjectType.CONTACTS, contactIds.get(1300));
    HubSpotRecord otherTicket = sandbox.hubspot().createRecord(HubSpotObjectType.TICKETS,
        Map.of("subject", "Other ticket", "hs_pipeline", "0", "hs_pipeline_stage", "2", "hs_ticket_priority", "LOW"));
    sandbox.hubspot().associate(HubSpotObjectType.TICKETS, otherTicket.id(), HubSpotObjectType.DEALS, dealIds.get(102));
    sandbox.hubspot().associate(HubSpotObjectType.TICKETS, otherTicket.id(), HubSpotObjectType.COMPANIES, companyIds.get(121));
    // a ticket whose first deal changes in no other way, so that deal's history shows the inverse update alone
    Set<String> touchedDeals = new java.util.HashSet<>(archivedDeals);
    touchedDeals.addAll(dealIds.subList(100, 103));
    touchedDeals.addAll(dealIds.subList(150, 160));
    touchedDeals.add(relinkedDeal);
    String relinkedTicket = ticketIds.stream().filter(id -> has(HubSpotObjectType.TICKETS, id, HubSpotObjectType.DEALS))
        .filter(id -> !archivedTickets.contains(id) && !id.equals(ticketIds.get(103)))
        .filter(id -> !touchedDeals.contains(firstAssociated(HubSpotObjectType.TICKETS, id, HubSpotObjectType.DEALS)))
        .findFirst().orElseThrow();
    String leftDeal = firstAssociated(HubSpotObjectType.TICKETS, relinkedTicket, HubSpotObjectType.DEALS);
    sandbox.hubspot().dissociate(HubSpotObjectType.TICKETS, relinkedTicket, HubSpotObjectType.DEALS, leftDeal);
    sandbox.hubspot().associate(HubSpotObjectType.TICKETS, relinkedTicket, HubSpotObjectType.COMPANIES, companyIds.get(122));
    sandbox.hubspot().updateRecord(HubSpotObjectType.TICKETS, relinkedTicket, Map.of("content", "Relinked."));

    SyncRun inc = runToEnd(SyncMode.INCREMENTAL);
    assertThat(inc.status()).as("%s", inc).isEqualTo(RunStatus.COMPLETED);
    for (String objectType : SyncProcessFixture.OBJECTS) {
      assertThat(inc.stream(objectType).orElseThrow().incrementalSince()).as(objectType)
          .isEqualTo(full.stream(objectType).orElseThrow().startedAt());
    }
    StreamCounts c = inc.counts().get("contacts");
    // an incremental read fetches the changes (plus the overlap), not the portal
    assertThat(c.fetched()).isLessThan(500);
    assertThat(c.created()).isEqualTo(1);
    assertThat(c.updated()).isGreaterThanOrEqualTo(25 + 6);
    assertThat(c.archived()).isGreaterThanOrEqualTo(6);
    StreamCounts co = inc.counts().get("companies");
    assertThat(co.fetched()).isLessThan(100);
    assertThat(co.created()).isEqualTo(1);
    assertThat(co.updated()).isGreaterThanOrEqualTo(3);
    assertThat(co.archived()).isGreaterThanOrEqualTo(1);
    StreamCounts d = inc.counts().get("deals");
    assertThat(d.fetched()).isLessThan(150);
    assertThat(d.created()).isEqualTo(1);
    assertThat(d.updated()).isGreaterThanOrEqualTo(10 + 3 + 1);
    assertThat(d.archived()).isGreaterThanOrEqualTo(3);
    StreamCounts t = inc.counts().get("tickets");
    assertThat(t.fetched()).isLessThan(60);
    assertThat(t.created()).isEqualTo(2);
    assertThat(t.updated()).isGreaterThanOrEqualTo(8 + 3 + 1);
    assertThat(t.archived()).isGreaterThanOrEqualTo(3);
    assertMirrorEqualsSandbox();

    // the typed views read what was synced
    try (Connection conn = db.connect(); PreparedStatement ps = conn.prepareStatement(
        "SELECT email, firstname, lastname, archived FROM sluice.hubspot_contacts WHERE id = ?")) {
      ps.setString(1, fresh.id());
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("new.person@example.com");
        assertThat(rs.getString(3)).isEqualTo("Person");
        assertThat(rs.getBoolean(4)).isFalse();
      }
    }
    try (Connection conn = db.connect(); PreparedStatement ps = conn.prepareStatement(
        "SELECT domain, updated_at FROM sluice.hubspot_companies WHERE id = ?")) {
      ps.setString(1, companyIds.get(2));
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("renamed.example");
        assertThat(rs.getObject(2, java.time.OffsetDateTime.class).toInstant())
            .isAfterOrEqualTo(full.stream("companies").orElseThrow().startedAt().minusSeconds(1));
      }
    }
    try (Connection conn = db.connect(); PreparedStatement ps = conn.prepareStatement(
        "SELECT dealname, amount, closedate, associations -> 'tickets' ->> 0 FROM sluice.hubspot_deals WHERE id = ?")) {
      ps.setString(1, freshDeal.id());
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("Fresh deal");
        assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("1234.5");
        assertThat(rs.getObject(3, java.time.OffsetDateTime.class).toInstant()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(rs.getString(4)).isEqualTo(freshTicket.id());
      }
    }
    try (Connection conn = db.connect(); PreparedStatement ps = conn.prepareStatement(
        "SELECT subject, hs_pipeline_stage, archived FROM sluice.hubspot_tickets WHERE id = ?")) {
      ps.setString(1, archivedTickets.get(0));
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).startsWith("Ticket ");
        assertThat(rs.getString(2)).isNotNull();
        assertThat(rs.getBoolean(3)).isTrue();
      }
    }
    RecordHistory h = fx.engine.explain(CONNECTION, "contacts", contactIds.get(7));
    assertThat(h.changes()).extracting(RecordHistory.Change::runId).containsExactly(full.id(), inc.id());
    assertThat(h.changes().get(1).changedProperties()).contains("firstname", "lifecyclestage");
    // the untouched side of a removed association changed with the record that was read
    List<RecordHistory.Change> left = fx.engine.explain(CONNECTION, "deals", leftDeal).changes();
    assertThat(left.get(0).runId()).isEqualTo(full.id());
    assertThat(left.subList(1, left.size())).as("changes of deal %s", leftDeal).isNotEmpty()
        .allMatch(ch -> ch.runId() == inc.id() && ch.changedProperties().equals(List.of("associations")));

    // archived detection by a full read too, and an association change alone (which an incremental
    // read cannot see: neither side's last-modified time moves)
    sandbox.hubspot().archiveRecord(HubSpotObjectType.CONTACTS, contactIds.get(1500));
    String quietDeal = dealIds.get(250);
    String quietTicket = ticketIds.get(110);
    assertThat(has(HubSpotObjectType.TICKETS, quietTicket, HubSpotObjectType.DEALS)).isFalse();
    sandbox.hubspot().associate(HubSpotObjectType.DEALS, quietDeal, HubSpotObjectType.TICKETS, quietTicket);
    SyncRun again = runToEnd(SyncMode.FULL);
    assertThat(again.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(again.counts().get("contacts").updated()).isEqualTo(1);
    assertThat(again.counts().get("contacts").unchanged()).isEqualTo(again.counts().get("contacts").fetched() - 1);
    assertMirrorEqualsSandbox();
  }

  @Test
  void workerProcessKilledMidRunLosesNothingAndRepeatsAtMostThePageInFlight() throws Exception {
    engine(Map.of(CONNECTION, sandbox.hubspot().token()));
    // slow answers keep the run going long enough to kill the worker in the middle of it
    sandbox.faults().add(FaultRule.slow(Duration.ofMillis(100), 1.0).onPath("/crm/v3/objects/contacts"));
    SyncRun run = fx.engine.trigger(new SyncRequest(CONNECTION, SyncProcessFixture.OBJECTS, SyncMode.FULL));
    Process child = startChildWorker();
    await().atMost(Duration.ofSeconds(60)).until(() ->
        fx.engine.find(run.id()).orElseThrow().stream("contacts").orElseThrow().pagesCommitted() >= 3);
    child.destroyForcibly().waitFor();
    SyncRun atKill = fx.engine.find(run.id()).orElseThrow();
    assertThat(atKill.status().active()).as("killed before the end").isTrue();

    // another worker takes over once the killed one's page job is rescued
    workers.add(fx.startWorker(4));
    SyncRun done = awaitFinal(run.id());
    assertThat(done.status()).as("%s", done).isEqualTo(RunStatus.COMPLETED);
    for (String objectType : SyncProcessFixture.OBJECTS) {
      assertThat(done.counts().get(objectType).created()).as(objectType).isEqualTo(mirrorCount(objectType));
    }

    Map<String, Long> fetches = sandbox.journal().matching(r -> r.method().equals("GET")
            && r.path().startsWith("/crm/v3/objects/"))
        .stream().collect(Collectors.groupingBy(r -> r.path() + "?" + r.query(), Collectors.counting()));
    assertThat(fetches).isNotEmpty();
    assertThat(fetches.values()).allMatch(n -> n <= 2);
    assertMirrorEqualsSandbox();
  }

  @Test
  void faultsFromTheSourceAreRiddenOut() throws Exception {
    engine(Map.of(CONNECTION, sandbox.hubspot().token()));
    sandbox.faults().add(FaultRule.tooManyRequests(0.10));
    sandbox.faults().add(FaultRule.serverError(503, 0.03));
    sandbox.faults().add(FaultRule.slow(Duration.ofMillis(300), 0.03));
    sandbox.faults().add(FaultRule.dropConnection(0.02));
    workers.add(fx.startWorker(8));
    SyncRun done = runToEnd(SyncMode.FULL);
    assertThat(done.status()).as("%s", done).isEqualTo(RunStatus.COMPLETED);
    assertThat(sandbox.journal().matching(r -> r.fault() != null)).isNotEmpty();
    assertMirrorEqualsSandbox();
    List<SyncEvent> events = fx.engine.events(done.id(), 0);
    assertThat(events).anyMatch(e -> e.type() == SyncEventType.RETRY || e.type() == SyncEventType.SNOOZE);
  }

  @Test
  void resumeOfAPartiallyCompletedRunRereadsOnlyTheFailedStream() throws Exception {
    engine(Map.of(CONNECTION, sandbox.hubspot().token()));
    sandbox.faults().add(FaultRule.malformedBody(1.0).onPath("/crm/v3/objects/" + FAILING));
    workers.add(fx.startWorker(8));
    SyncRun partial = runToEnd(SyncMode.FULL);
    assertThat(partial.status()).as("%s", partial).isEqualTo(RunStatus.PARTIALLY_COMPLETED);
    assertThat(partial.stream(FAILING).orElseThrow().status()).isEqualTo(StreamStatus.FAILED);
    assertThat(partial.stream(FAILING).orElseThrow().lastError()).contains("page 1");

    sandbox.faults().clear();
    sandbox.journal().clear();
    SyncRun resumed = fx.engine.resume(partial.id());
    assertThat(resumed.status()).isIn(RunStatus.PENDING, RunStatus.PROCESSING, RunStatus.COMPLETED);
    SyncRun done = awaitFinal(partial.id());
    assertThat(done.status()).as("%s", done).isEqualTo(RunStatus.COMPLETED);
    List<RecordedRequest> reads = sandbox.journal().matching(r -> r.path().startsWith("/crm/v3/objects/"));
    assertThat(reads).isNotEmpty().allMatch(r -> r.path().startsWith("/crm/v3/objects/" + FAILING));
    assertMirrorEqualsSandbox();
  }

  @Test
  void badTokenFailsTheRunWithTheConnectorsMessage() {
    engine(Map.of(CONNECTION, "pat-na1-wrong-token"));
    workers.add(fx.startWorker(4));
    SyncRun failed = runToEnd(SyncMode.FULL);
    assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.lastError()).contains(CONNECTION);
    assertThat(failed.streams()).allMatch(s -> s.status() == StreamStatus.FAILED);
    assertThat(fx.engine.events(failed.id(), 0)).anyMatch(e -> e.type() == SyncEventType.RUN_FINISHED
        && e.payload().path("status").asText().equals("failed"));
  }

  // ---- helpers

  /** Whether a sandbox record has any association to {@code other}. */
  boolean has(HubSpotObjectType type, String id, HubSpotObjectType other) {
    return !sandbox.hubspot().record(type, id).orElseThrow().associated(other).isEmpty();
  }

  /** The first record of {@code other} a sandbox record is associated with. */
  String firstAssociated(HubSpotObjectType type, String id, HubSpotObjectType other) {
    return sandbox.hubspot().record(type, id).orElseThrow().associated(other).get(0);
  }

  /** Every {@code from→to} pair for which some mirrored record holds an association. */
  Set<String> associationPairsInMirror() throws Exception {
    Set<String> out = new java.util.TreeSet<>();
    for (String objectType : SyncProcessFixture.OBJECTS) {
      mirror(objectType).values().forEach(m -> m.associations().forEach((to, ids) -> {
        if (!ids.isEmpty()) {
          out.add(objectType + "→" + to);
        }
      }));
    }
    return out;
  }

  Process startChildWorker() throws Exception {
    Process p = SyncProcessFixture.startChild(db.jdbcUrl(), db.user(), sandbox, CONNECTION, portalProperties());
    children.add(p);
    return p;
  }

  /**
   * Every property name the portal's records carry, per object type: the connection lists them
   * explicitly, as a user's sluice.yaml may, so the mirror must hold every property.
   */
  Map<String, List<String>> portalProperties() {
    return MirrorCheck.portalProperties(sandbox);
  }

  long mirrorCount(String objectType) throws Exception {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM sluice.record WHERE connection = ? AND object_type = ?")) {
      ps.setString(1, CONNECTION);
      ps.setString(2, objectType);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  Map<String, MirrorCheck.MirrorRow> mirror(String objectType) throws Exception {
    return new MirrorCheck(db, sandbox, fx, CONNECTION).mirror(objectType);
  }

  void assertMirrorEqualsSandbox() throws Exception {
    new MirrorCheck(db, sandbox, fx, CONNECTION).assertMirrorEqualsSandbox();
  }
}
