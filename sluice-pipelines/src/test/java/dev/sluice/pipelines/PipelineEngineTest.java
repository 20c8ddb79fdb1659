package dev.sluice.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pipeline from the mirror of one HubSpot portal (synced from a sandbox) to a second HubSpot portal
 * (another sandbox), through a mapping, with the real queue, PostgreSQL and HTTP over loopback.
 */
class PipelineEngineTest {
  static final String MAPPING = """
      fields:
        email: {from: source.email, type: email, required: true}
        firstname: source.firstname
        lastname: {from: source.lastname, required: true}
        jobtitle: 'source.jobtitle == "" ? "Marketing Site" : source.jobtitle'
        city: {from: 'source.city', default: "Nowhere"}
      """;

  TestDatabase db;
  Sandbox from;
  Sandbox to;
  PipelineFixture fx;

  @BeforeEach
  void start() throws Exception {
    db = TestDatabase.create("pipelines_engine", 12);
    from = Sandbox.builder().hubspot(HubSpotOptions.builder().customLimits(20_000, 50_000_000).searchPerSecond(200)
        .initialData(new HubSpotDataGenerator.Spec(7, 230, 1, 0, 0, 0, 0, false)).build()).start();
    to = Sandbox.builder().journalCapacity(50_000).hubspot(HubSpotOptions.builder().customLimits(20_000, 50_000_000).build()).start();
    fx = new PipelineFixture(db.dataSource());
    fx.hubspot("hubspot-main", from.baseUrl(), from.hubspot().token());
    fx.hubspot("hubspot-copy", to.baseUrl(), to.hubspot().token());
    Pipeline p = new Pipeline("contacts-copy", "hubspot-main", "contacts", "hubspot-copy", "contacts", "email",
        Mapping.parse(MAPPING, "test"), 50, null);
    // city into a picklist: a value only the destination's schema refuses
    Pipeline revenue = new Pipeline("revenue-copy", "hubspot-main", "contacts", "hubspot-copy", "contacts", "email",
        Mapping.parse("""
            fields:
              email: {from: source.email, type: email, required: true}
              lastname: source.lastname
              hs_lead_status: 'source.city'
            """, "revenue.yaml"), 100, null);
    // a field the destination does not have: the run stops before its first batch
    Pipeline misfit = new Pipeline("misfit-copy", "hubspot-main", "contacts", "hubspot-copy", "contacts", "email",
        Mapping.parse("fields:\n  email: {from: source.email, type: email}\n  Job_Title: source.jobtitle\n", "misfit.yaml"), 100, null);
    fx.pipelines(db.dataSource(), p, revenue, misfit);
  }

  @AfterEach
  void stop() {
    if (fx != null) fx.close();
    if (from != null) from.close();
    if (to != null) to.close();
    if (db != null) db.close();
  }

  @Test
  void pushesChangedRecordsOnlyWithResultsPerRecord() {
    HubSpotRecord noLastName = from.hubspot().createRecord(HubSpotObjectType.CONTACTS,
        Map.of("email", "no.lastname@example.com", "firstname", "Nolast"));
    fx.syncToEnd("hubspot-main", SyncMode.FULL);
    int contacts = from.hubspot().count(HubSpotObjectType.CONTACTS);

    PipelineRun first = fx.runToEnd("contacts-copy");
    assertThat(first.status()).as("%s", first).isEqualTo(PipelineRunStatus.PARTIALLY_COMPLETED);
    assertThat(first.selected()).isEqualTo(contacts);
    assertThat(first.failed()).isEqualTo(1);
    assertThat(first.synced()).isEqualTo(contacts - 1);
    assertThat(first.writeCalls()).isEqualTo((contacts + 49) / 50);
    RecordResult failed = fx.engine.results(first.id(), "failed", null, 10).get(0);
    assertThat(failed.sourceId()).isEqualTo(noLastName.id());
    assertThat(failed.reason()).isEqualTo("mapping");
    assertThat(failed.error()).contains("lastname").contains("required");

    // the destination holds every mapped contact, once, with the mapped values
    assertThat(to.hubspot().count(HubSpotObjectType.CONTACTS)).isEqualTo(contacts - 1);
    Map<String, HubSpotRecord> byEmail = to.hubspot().ids(HubSpotObjectType.CONTACTS).stream()
        .map(id -> to.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow())
        .collect(Collectors.toMap(r -> r.property("email"), r -> r));
    for (String id : from.hubspot().ids(HubSpotObjectType.CONTACTS)) {
      HubSpotRecord src = from.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow();
      if (id.equals(noLastName.id())) continue;
      HubSpotRecord dst = byEmail.get(src.property("email"));
      assertThat(dst).as(src.property("email")).isNotNull();
      assertThat(dst.property("lastname")).isEqualTo(src.property("lastname"));
      String title = src.property("jobtitle");
      assertThat(dst.property("jobtitle")).isEqualTo(title == null || title.isEmpty() ? "Marketing Site" : title);
    }

    // nothing changed: nothing selected, nothing sent
    long writesBefore = writes();
    PipelineRun quiet = fx.runToEnd("contacts-copy");
    assertThat(quiet.status()).isEqualTo(PipelineRunStatus.COMPLETED);
    assertThat(quiet.selected()).isZero();
    assertThat(writes()).isEqualTo(writesBefore);

    // three edits of mapped fields, one of a field the mapping does not read
    List<String> ids = from.hubspot().ids(HubSpotObjectType.CONTACTS).stream().filter(id -> !id.equals(noLastName.id())).toList();
    for (int i = 0; i < 3; i++) {
      from.hubspot().updateRecord(HubSpotObjectType.CONTACTS, ids.get(i * 10), Map.of("jobtitle", "Edited " + i));
    }
    from.hubspot().updateRecord(HubSpotObjectType.CONTACTS, ids.get(100), Map.of("company", "Unmapped Inc."));
    fx.syncToEnd("hubspot-main", SyncMode.INCREMENTAL);
    PipelineRun edits = fx.runToEnd("contacts-copy");
    assertThat(edits.selected()).isEqualTo(4);
    assertThat(edits.synced()).isEqualTo(3);
    assertThat(edits.skipped()).isEqualTo(1);
    assertThat(edits.writeCalls()).isEqualTo(1);
    assertThat(writes()).isEqualTo(writesBefore + 1);
    RecordedRequest last = to.journal().matching(r -> r.path().endsWith("/batch/upsert")).getLast();
    assertThat(last.body()).contains("Edited 0").doesNotContain("Unmapped").doesNotContain("lastname");
    assertThat(fx.engine.events(edits.id(), 0)).extracting(PipelineEvent::type)
        .containsExactly("run-created", "batch-committed", "run-finished");
  }

  @Test
  void cancelledRunResumesFromItsPosition() {
    fx.syncToEnd("hubspot-main", SyncMode.FULL);
    fx.queue.pause(PipelineEngine.BATCH_JOB_KIND);
    PipelineRun run = fx.engine.trigger("contacts-copy", "test");
    assertThat(fx.engine.trigger("contacts-copy", "test").id()).as("a second trigger coalesces").isEqualTo(run.id());
    assertThat(fx.engine.cancel(run.id())).isTrue();
    assertThat(fx.engine.find(run.id()).orElseThrow().status()).isEqualTo(PipelineRunStatus.CANCELLED);
    fx.queue.resume(PipelineEngine.BATCH_JOB_KIND);
    PipelineRun resumed = fx.engine.resume(run.id()).orElseThrow();
    assertThat(resumed.generation()).isEqualTo(1);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120))
        .until(() -> !fx.engine.find(run.id()).orElseThrow().status().active());
    PipelineRun done = fx.engine.find(run.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(PipelineRunStatus.COMPLETED);
    assertThat(done.synced()).isEqualTo(from.hubspot().count(HubSpotObjectType.CONTACTS));
    assertThat(to.hubspot().count(HubSpotObjectType.CONTACTS)).isEqualTo(from.hubspot().count(HubSpotObjectType.CONTACTS));
    assertThat(fx.engine.events(run.id(), 0)).extracting(PipelineEvent::type)
        .startsWith("run-created", "run-cancelled", "run-resumed").endsWith("run-finished");
  }

  @Test
  void aRecordTheDestinationSchemaRefusesIsReportedWithFieldAndValueAndNeverSentHalf() {
    HubSpotRecord paris = from.hubspot().createRecord(HubSpotObjectType.CONTACTS,
        Map.of("email", "paris@example.com", "lastname", "Parisienne", "city", "Paris"));
    HubSpotRecord listed = from.hubspot().createRecord(HubSpotObjectType.CONTACTS,
        Map.of("email", "listed@example.com", "lastname", "Listed", "city", "Open"));
    fx.syncToEnd("hubspot-main", SyncMode.FULL);
    PipelineRun run = fx.runToEnd("revenue-copy");

    RecordResult refused = fx.engine.results(run.id(), "failed", null, 1000).stream()
        .filter(r -> r.sourceId().equals(paris.id())).findFirst().orElseThrow();
    assertThat(refused.reason()).isEqualTo("mapping");
    assertThat(refused.error()).contains("hs_lead_status").contains("'Paris'");
    RecordResult sent = fx.engine.results(run.id(), null, null, 1000).stream()
        .filter(r -> r.sourceId().equals(listed.id())).findFirst().orElseThrow();
    assertThat(sent.status()).as("%s", sent).isEqualTo("synced");
    assertThat(sent.destinationId()).isNotNull();
    // nothing of the refused record reached the destination, not even its valid fields
    assertThat(to.journal().matching(r -> r.path().contains("/batch/")).stream().map(RecordedRequest::body))
        .noneMatch(b -> b.contains("paris@example.com")).anyMatch(b -> b.contains("listed@example.com"));
    assertThat(to.hubspot().ids(HubSpotObjectType.CONTACTS).stream()
        .map(id -> to.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow().property("email")))
        .contains("listed@example.com").doesNotContain("paris@example.com");
  }

  @Test
  void aMappingThatDoesNotFitTheDestinationFailsTheRunBeforeSendingAnything() {
    fx.syncToEnd("hubspot-main", SyncMode.FULL);
    long before = writes();
    PipelineRun run = fx.runToEnd("misfit-copy");
    assertThat(run.status()).isEqualTo(PipelineRunStatus.FAILED);
    assertThat(run.lastError()).isEqualTo("the mapping does not fit hubspot-copy/contacts: "
        + "misfit.yaml:3: Job_Title: hubspot-copy/contacts has no field 'Job_Title' (did you mean 'jobtitle'?)");
    assertThat(run.selected()).isZero();
    assertThat(writes()).isEqualTo(before);
  }

  long writes() {
    return to.journal().matching(r -> Objects.equals(r.method(), "POST") && r.path().contains("/batch/")).size();
  }
}
