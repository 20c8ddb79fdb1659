package dev.sluice.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import dev.sluice.sandbox.salesforce.SObjectRecord;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two pipelines in opposite directions on the same people, HubSpot contacts ↔ Salesforce Contacts,
 * against the sandbox: people who exist on both sides are matched by email (not created again), a
 * duplicate is reported and never created, edits on either side (and the same record edited on both
 * sides between runs) converge to the configured winner on both sides, and once converged a cycle of
 * syncs and runs sends no write at all (counted in the sandbox's request journal).
 */
class TwoWayPipelineTest {
  static final String HS_TO_SF = """
      fields:
        Email: {from: source.email, type: email, required: true}
        FirstName: source.firstname
        LastName: {from: source.lastname, default: "Unknown"}
        Title: {from: source.jobtitle, conflict: salesforce-main}
      """;
  static final String SF_TO_HS = """
      fields:
        email: {from: source.Email, type: email, required: true}
        firstname: source.FirstName
        lastname: source.LastName
        jobtitle: {from: source.Title, conflict: salesforce-main}
      """;
  static final int HUBSPOT_ONLY = 40;
  static final int BOTH = 20;
  static final int SALESFORCE_ONLY = 20;

  TestDatabase db;
  SalesforceSandbox salesforce;
  Sandbox sandbox;
  PipelineFixture fx;
  final Map<String, String> hubspotIds = new HashMap<>();
  final Map<String, String> salesforceIds = new HashMap<>();
  Instant lastEdit = Instant.EPOCH;

  @BeforeEach
  void start() throws Exception {
    db = TestDatabase.create("pipelines_two_way", 12);
    salesforce = new SalesforceSandbox(SalesforceOptions.builder().counts(0, 0, 0, 0).build());
    sandbox = Sandbox.builder().journalCapacity(200_000)
        .hubspot(HubSpotOptions.builder().customLimits(20_000, 50_000_000).searchPerSecond(200).build())
        .platform(salesforce).start();
    for (int i = 0; i < HUBSPOT_ONLY + BOTH; i++) {
      hubspotIds.put("h" + i, sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "h" + i + "@example.com",
          "firstname", "Hub" + i, "lastname", "Person" + i, "jobtitle", "HS title " + i)).id());
    }
    hubspotIds.put("dup", sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "dup@example.com",
        "firstname", "Dup", "lastname", "Hub")).id());
    tick();
    // people already in Salesforce, changed after HubSpot's: their first names are newer there
    for (int i = 0; i < BOTH; i++) {
      salesforceIds.put("h" + i, salesforce.createRecord("Contact", Map.of("Email", "h" + i + "@example.com", "FirstName", "Sf" + i,
          "LastName", "Person" + i, "Title", i % 2 == 0 ? "SF title " + i : "")).id());
    }
    for (int i = 0; i < SALESFORCE_ONLY; i++) {
      salesforceIds.put("s" + i, salesforce.createRecord("Contact", Map.of("Email", "s" + i + "@example.com", "FirstName", "Sal" + i,
          "LastName", "Force" + i, "Title", "SF only " + i)).id());
    }
    salesforce.createRecord("Contact", Map.of("Email", "dup@example.com", "FirstName", "Dup", "LastName", "One"));
    salesforce.createRecord("Contact", Map.of("Email", "DUP@example.com", "FirstName", "Dup", "LastName", "Two"));

    fx = new PipelineFixture(db.dataSource());
    fx.hubspot("hubspot-main", sandbox.baseUrl(), sandbox.hubspot().token());
    fx.salesforce("salesforce-main", sandbox.baseUrl(), SalesforceOptions.DEFAULT_ACCESS_TOKEN);
    fx.pipelines(db.dataSource(), pipelines(0, true));
  }

  /** hs-to-sf and sf-to-hs, {@code batchSize} records a batch (0: the destination's largest). */
  static Pipeline[] pipelines(int batchSize) throws MappingException {
    return pipelines(batchSize, false);
  }

  /** As {@link #pipelines(int)}; {@code deletes}: both propagate deletes. */
  static Pipeline[] pipelines(int batchSize, boolean deletes) throws MappingException {
    return new Pipeline[] {
        new Pipeline("hs-to-sf", "hubspot-main", "contacts", "salesforce-main", "Contact", "Email", Mapping.parse(HS_TO_SF, "hs-to-sf"),
            batchSize, null, deletes),
        new Pipeline("sf-to-hs", "salesforce-main", "Contact", "hubspot-main", "contacts", "email", Mapping.parse(SF_TO_HS, "sf-to-hs"),
            batchSize, null, deletes)};
  }

  @AfterEach
  void stop() {
    if (fx != null) fx.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  @Test
  void bothSidesConvergeToTheConfiguredWinnerAndAQuietSystemSendsNothing() {
    List<PipelineRun[]> first = cyclesUntilQuiet();
    PipelineRun[] initial = first.get(0);
    // matched by email: the 20 people on both sides are updated, not created again; the duplicate is reported
    assertThat(salesforce.records("Contact")).as(describe(first)).hasSize(BOTH + SALESFORCE_ONLY + 2 + HUBSPOT_ONLY);
    assertThat(sandbox.hubspot().count(HubSpotObjectType.CONTACTS)).isEqualTo(HUBSPOT_ONLY + BOTH + 1 + SALESFORCE_ONLY);
    assertThat(fx.engine.breakdown(initial[0].id()).get("failed")).containsEntry("duplicate", 1L);
    RecordResult dup = fx.engine.results(initial[0].id(), "failed", null, 10).stream()
        .filter(r -> r.sourceId().equals(hubspotIds.get("dup"))).findFirst().orElseThrow();
    assertThat(dup.error()).contains("salesforce-main/Contact has 2 records with Email 'dup@example.com'");
    assertThat(salesforce.records("Contact").stream().filter(r -> "dup@example.com".equalsIgnoreCase((String) r.get("Email")))).hasSize(2);
    assertEqualOnBothSides();
    assertThat(hubspot("h2").property("firstname")).as("Salesforce's first name is newer").isEqualTo("Sf2");
    assertThat(hubspot("h2").property("jobtitle")).as("Salesforce is the title's source of truth").isEqualTo("SF title 2");
    assertThat(sf("h3").get("Title")).as("an empty Salesforce title is filled from HubSpot").isEqualTo("HS title 3");
    assertThat(sf("h30").get("FirstName")).isEqualTo("Hub30");
    assertThat(hubspot("s4").property("jobtitle")).isEqualTo("SF only 4");

    // edits on one side, on both sides of one record, and a new person
    editHubSpot("h25", Map.of("firstname", "HubEdit"));
    editSalesforce("h3", Map.of("FirstName", "SfEdit"));
    editHubSpot("h5", Map.of("firstname", "BothHub"));
    editSalesforce("h6", Map.of("FirstName", "FirstSf"));
    editSalesforce("h7", Map.of("Title", "SfTitle"));
    editSalesforce("h9", Map.of("FirstName", "SfBoth9", "Title", "SfTitle9"));
    tick();
    editSalesforce("h5", Map.of("FirstName", "BothSf"));
    editHubSpot("h6", Map.of("firstname", "LaterHub"));
    editHubSpot("h7", Map.of("jobtitle", "HubTitle"));
    // one record, two fields edited on both sides: each field goes to its own rule's winner
    editHubSpot("h9", Map.of("firstname", "HubBoth9", "jobtitle", "HubTitle9"));
    sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "new1@example.com", "firstname", "New", "lastname", "One"));
    List<PipelineRun[]> second = cyclesUntilQuiet();
    assertEqualOnBothSides();
    assertThat(sf("h25").get("FirstName")).isEqualTo("HubEdit");
    assertThat(hubspot("h3").property("firstname")).isEqualTo("SfEdit");
    assertThat(hubspot("h5").property("firstname")).as("newest change wins: Salesforce's").isEqualTo("BothSf");
    assertThat(sf("h6").get("FirstName")).as("newest change wins: HubSpot's").isEqualTo("LaterHub");
    assertThat(hubspot("h7").property("jobtitle")).as("Salesforce is the title's source of truth").isEqualTo("SfTitle");
    assertThat(List.of(hubspot("h9").property("firstname"), hubspot("h9").property("jobtitle")))
        .as("first name: HubSpot's newer edit; title: Salesforce, its source of truth").containsExactly("HubBoth9", "SfTitle9");
    assertThat(List.of(sf("h9").get("FirstName"), sf("h9").get("Title"))).containsExactly("HubBoth9", "SfTitle9");
    assertThat(salesforce.records("Contact").stream().filter(r -> "new1@example.com".equals(r.get("Email")))).hasSize(1);
    long echoes = second.stream().flatMap(c -> java.util.Arrays.stream(c))
        .mapToLong(r -> fx.engine.breakdown(r.id()).getOrDefault("skipped", Map.of()).getOrDefault("echo", 0L)).sum();
    assertThat(echoes).as("Sluice's own writes came back and were not sent again").isPositive();

    // converged: a full cycle of syncs and runs writes nothing anywhere
    long before = writes();
    PipelineRun[] quiet = cycle();
    assertThat(writes()).isEqualTo(before);
    assertThat(quiet[0].writeCalls() + quiet[1].writeCalls()).isZero();
  }

  String describe(List<PipelineRun[]> cycles) {
    StringBuilder b = new StringBuilder();
    for (PipelineRun[] c : cycles) {
      for (PipelineRun r : c) {
        b.append(r).append('\n').append(fx.engine.breakdown(r.id())).append('\n')
            .append(fx.engine.results(r.id(), "failed", null, 3)).append('\n');
      }
    }
    return b.toString();
  }

  @Test
  void deletesPropagateBothWaysOnceAndThenNothingIsSent() {
    cyclesUntilQuiet();
    String hubspotGone = hubspot("h30").id();
    String salesforceGone = sf("h4").id();
    String salesforceOfHubspotGone = sf("h30").id();
    String hubspotOfSalesforceGone = hubspot("h4").id();
    sandbox.hubspot().archiveRecord(HubSpotObjectType.CONTACTS, hubspotGone);
    salesforce.deleteRecord("Contact", salesforceGone);

    List<PipelineRun[]> cycles = cyclesUntilQuiet();
    assertThat(salesforce.record("Contact", salesforceOfHubspotGone)).as("deleted in Salesforce").isEmpty();
    assertThat(sandbox.hubspot().record(HubSpotObjectType.CONTACTS, hubspotOfSalesforceGone).orElseThrow().archived())
        .as("archived in HubSpot").isTrue();
    assertThat(cycles.get(0)[0].writeCalls()).as("one delete call to Salesforce").isEqualTo(1);
    assertThat(fx.engine.breakdown(cycles.get(0)[0].id()).get("synced")).containsEntry("deleted", 1L);
    assertThat(fx.engine.breakdown(cycles.get(0)[1].id()).get("synced")).containsEntry("deleted", 1L);
    assertEqualOnBothSides();
    long before = writes();
    cycle();
    assertThat(writes()).as("the deletions do not come back").isEqualTo(before);
  }

  /** Syncs both sides and runs both pipelines until a cycle writes nothing; at most 4 cycles. */
  List<PipelineRun[]> cyclesUntilQuiet() {
    List<PipelineRun[]> cycles = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      long before = writes();
      cycles.add(cycle());
      if (writes() == before) return cycles;
    }
    throw new AssertionError("no convergence after 4 cycles: " + cycles.stream().map(c -> c[0] + " / " + c[1]).toList());
  }

  PipelineRun[] cycle() {
    fx.syncToEnd("hubspot-main", "contacts", SyncMode.FULL);
    fx.syncToEnd("salesforce-main", "Contact", SyncMode.FULL);
    PipelineRun toSf = fx.runToEnd("hs-to-sf");
    PipelineRun toHs = fx.runToEnd("sf-to-hs");
    return new PipelineRun[] {toSf, toHs};
  }

  /** Write calls the sandbox received: HubSpot batch writes and Salesforce collection writes. */
  long writes() {
    Predicate<RecordedRequest> write = r -> (r.path().contains("/batch/upsert") || r.path().contains("/batch/create")
        || r.path().contains("/batch/update") || r.path().contains("/batch/archive"))
        || (r.path().contains("/composite/sobjects") && !"GET".equals(r.method()));
    return sandbox.journal().matching(write).size();
  }

  void assertEqualOnBothSides() {
    Map<String, List<String>> hs = new TreeMap<>();
    for (String id : sandbox.hubspot().ids(HubSpotObjectType.CONTACTS)) {
      HubSpotRecord r = sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow();
      if (r.property("email").equals("dup@example.com")) continue;
      hs.put(r.property("email"), List.of(text(r.property("firstname")), text(r.property("lastname")), text(r.property("jobtitle"))));
    }
    Map<String, List<String>> sfs = new TreeMap<>();
    for (SObjectRecord r : salesforce.records("Contact")) {
      if (((String) r.get("Email")).equalsIgnoreCase("dup@example.com")) continue;
      sfs.put((String) r.get("Email"), List.of(text(r.get("FirstName")), text(r.get("LastName")), text(r.get("Title"))));
    }
    assertThat(sfs).isEqualTo(hs);
  }

  static String text(Object v) {
    return v == null ? "" : v.toString();
  }

  HubSpotRecord hubspot(String person) {
    String email = person + "@example.com";
    return sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).stream()
        .map(id -> sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow())
        .filter(r -> email.equals(r.property("email"))).findFirst().orElseThrow(() -> new AssertionError("no HubSpot contact " + email));
  }

  SObjectRecord sf(String person) {
    String email = person + "@example.com";
    return salesforce.records("Contact").stream().filter(r -> email.equals(r.get("Email"))).findFirst()
        .orElseThrow(() -> new AssertionError("no Salesforce contact " + email));
  }

  void editHubSpot(String person, Map<String, String> props) {
    sandbox.hubspot().updateRecord(HubSpotObjectType.CONTACTS, hubspot(person).id(), props);
    lastEdit = Instant.now();
  }

  void editSalesforce(String person, Map<String, String> fields) {
    salesforce.updateRecord("Contact", sf(person).id(), fields);
    lastEdit = Instant.now();
  }

  /** Waits until the clock has moved past the last edit, so the next edit is strictly newer on either side. */
  void tick() {
    Instant after = lastEdit.isAfter(Instant.now()) ? lastEdit : Instant.now();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2)).until(() -> Instant.now().isAfter(after.plusMillis(5)));
  }
}
