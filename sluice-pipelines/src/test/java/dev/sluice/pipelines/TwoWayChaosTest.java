package dev.sluice.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import dev.sluice.sandbox.salesforce.SObjectRecord;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chaos for a two-way pipeline (issue 12): HubSpot contacts ↔ Salesforce Contacts while the sandbox
 * answers both sides with 429s, 5xx, slow answers and dropped connections, and worker processes are
 * killed in the middle of a run in each direction. Nobody intervenes: the surviving and restarted
 * workers finish, and then both sides hold every person exactly once with the configured winner's
 * values, and a cycle without faults writes nothing.
 */
class TwoWayChaosTest {
  private static final Logger log = LoggerFactory.getLogger(TwoWayChaosTest.class);
  static final int BOTH = 100;
  static final int HUBSPOT_ONLY = 200;
  static final int SALESFORCE_ONLY = 100;
  static final int BATCH = 20;

  final List<Process> workers = new ArrayList<>();

  @AfterEach
  void killWorkers() {
    workers.forEach(Process::destroyForcibly);
  }

  @Test
  void faultsOnBothSidesAndKilledWorkersEndWithBothSidesEqualAndNoDuplicate() throws Exception {
    SalesforceSandbox salesforce = new SalesforceSandbox(SalesforceOptions.builder().counts(0, 0, 0, 0).build());
    try (TestDatabase db = TestDatabase.create("pipelines_chaos", 8);
         Sandbox sandbox = Sandbox.builder().journalCapacity(500_000)
             .hubspot(HubSpotOptions.builder().customLimits(20_000, 50_000_000).searchPerSecond(200).build())
             .platform(salesforce).start()) {
      for (int i = 0; i < BOTH + HUBSPOT_ONLY; i++) {
        sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "h" + i + "@example.com", "firstname", "Hub" + i,
            "lastname", "Person" + i, "jobtitle", "HS title " + i));
      }
      // Salesforce's versions are strictly newer: its first names win the "newest" rule
      java.time.Instant hubspotDone = java.time.Instant.now();
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2))
          .until(() -> java.time.Instant.now().isAfter(hubspotDone.plusMillis(10)));
      for (int i = 0; i < BOTH; i++) {
        salesforce.createRecord("Contact", Map.of("Email", "h" + i + "@example.com", "FirstName", "Sf" + i, "LastName", "Person" + i,
            "Title", i % 2 == 0 ? "SF title " + i : ""));
      }
      for (int i = 0; i < SALESFORCE_ONLY; i++) {
        salesforce.createRecord("Contact", Map.of("Email", "s" + i + "@example.com", "FirstName", "Sal" + i, "LastName", "Force" + i));
      }
      PipelineFixture fx = new PipelineFixture(db.dataSource());
      fx.hubspot("hubspot-main", sandbox.baseUrl(), sandbox.hubspot().token());
      fx.salesforce("salesforce-main", sandbox.baseUrl(), SalesforceOptions.DEFAULT_ACCESS_TOKEN);
      fx.engineOnly(db.dataSource(), TwoWayPipelineTest.pipelines(BATCH)); // this JVM triggers and watches only
      workers.add(PipelineWorkerProcess.start(db.jdbcUrl(), db.user(), sandbox, BATCH));
      workers.add(PipelineWorkerProcess.start(db.jdbcUrl(), db.user(), sandbox, BATCH));

      sandbox.faults().add(FaultRule.tooManyRequests(0.08));
      sandbox.faults().add(FaultRule.serverError(503, 0.03));
      sandbox.faults().add(FaultRule.serverError(500, 0.02));
      sandbox.faults().add(FaultRule.slow(Duration.ofMillis(150), 0.20));
      sandbox.faults().add(FaultRule.dropConnection(0.02));

      fx.syncToEnd("hubspot-main", "contacts", SyncMode.FULL);
      fx.syncToEnd("salesforce-main", "Contact", SyncMode.FULL);
      runKillingAWorker(fx, "hs-to-sf", db, sandbox);
      fx.syncToEnd("salesforce-main", "Contact", SyncMode.FULL);
      runKillingAWorker(fx, "sf-to-hs", db, sandbox);

      // faults stay on: cycles until neither direction writes or fails anything
      List<String> cycles = new ArrayList<>();
      boolean quiet = false;
      for (int i = 0; i < 6 && !quiet; i++) {
        fx.syncToEnd("hubspot-main", "contacts", SyncMode.FULL);
        fx.syncToEnd("salesforce-main", "Contact", SyncMode.FULL);
        PipelineRun a = fx.runToEnd("hs-to-sf");
        PipelineRun b = fx.runToEnd("sf-to-hs");
        cycles.add(a + " / " + b);
        quiet = a.synced() + a.failed() + b.synced() + b.failed() == 0;
      }
      assertThat(quiet).as("converged under faults: %s", cycles).isTrue();
      sandbox.faults().clear();

      Map<String, List<String>> hubspot = hubspotPeople(sandbox);
      Map<String, List<String>> sf = salesforcePeople(salesforce);
      assertThat(sandbox.hubspot().count(HubSpotObjectType.CONTACTS)).as("no duplicate in HubSpot").isEqualTo(hubspot.size());
      assertThat(salesforce.records("Contact")).as("no duplicate in Salesforce").hasSize(sf.size());
      assertThat(sf.keySet()).hasSize(BOTH + HUBSPOT_ONLY + SALESFORCE_ONLY);
      assertThat(sf).isEqualTo(hubspot);
      for (int i = 0; i < BOTH; i++) {
        assertThat(sf.get("h" + i + "@example.com")).as("h%d", i)
            .containsExactly("Sf" + i, "Person" + i, i % 2 == 0 ? "SF title " + i : "HS title " + i);
      }
      assertThat(sf.get("h150@example.com")).containsExactly("Hub150", "Person150", "HS title 150");
      assertThat(sf.get("s7@example.com")).containsExactly("Sal7", "Force7", "");

      java.util.Set<Integer> statuses = new TreeSet<>();
      sandbox.journal().matching(r -> r.fault() != null).forEach(r -> statuses.add(r.status()));
      log.info("chaos: faulted answers by status {}", statuses);
      assertThat(statuses).as("429s and 5xx were served").contains(429, 503);

      // without faults, a converged cycle writes nothing
      long before = writes(sandbox);
      fx.syncToEnd("hubspot-main", "contacts", SyncMode.FULL);
      fx.syncToEnd("salesforce-main", "Contact", SyncMode.FULL);
      fx.runToEnd("hs-to-sf");
      fx.runToEnd("sf-to-hs");
      assertThat(writes(sandbox)).isEqualTo(before);
      fx.close();
    }
  }

  /** Runs {@code pipeline}, kills a worker process once a few batches committed, starts a new one, waits for the end. */
  private void runKillingAWorker(PipelineFixture fx, String pipeline, TestDatabase db, Sandbox sandbox) throws Exception {
    PipelineRun run = fx.engine.trigger(pipeline, "test");
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
        .until(() -> fx.engine.find(run.id()).orElseThrow(), r -> r.batchesCommitted() >= 3 || !r.status().active());
    Process victim = workers.remove(0);
    victim.destroyForcibly().waitFor();
    log.info("chaos: killed a worker during {} at batch {}", pipeline, fx.engine.find(run.id()).orElseThrow().batchesCommitted());
    workers.add(PipelineWorkerProcess.start(db.jdbcUrl(), db.user(), sandbox, BATCH));
    PipelineRun done;
    try {
      done = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
          .until(() -> fx.engine.find(run.id()).orElseThrow(), r -> !r.status().active());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(pipeline + " did not end: " + fx.engine.find(run.id()).orElseThrow() + "\n" + batchJobs(db)
          + fx.engine.events(run.id(), 0).stream().map(ev -> ev.at() + " " + ev.type() + " " + ev.payload()).collect(Collectors.joining("\n")), e);
    }
    assertThat(done.status()).as("%s", done).isIn(PipelineRunStatus.COMPLETED, PipelineRunStatus.PARTIALLY_COMPLETED);
  }

  /** The queue's view of the pipeline batch jobs (waiting, running, dead), for a run that did not end. */
  static String batchJobs(TestDatabase db) {
    StringBuilder out = new StringBuilder();
    try (var c = db.dataSource().getConnection(); var st = c.createStatement(); var rs = st.executeQuery(
        "SELECT id, payload::text, state, attempt, run_at, lease, last_error FROM sluice.job WHERE kind = 'pipeline-batch'"
            + " UNION ALL SELECT id, payload::text, state, attempt, run_at, NULL, last_error FROM sluice.job_dead"
            + " WHERE kind = 'pipeline-batch' ORDER BY 1")) {
      while (rs.next()) {
        out.append("job ").append(rs.getLong(1)).append(' ').append(rs.getString(2)).append(' ').append(rs.getString(3))
            .append(" attempt ").append(rs.getInt(4)).append(" run_at ").append(rs.getString(5)).append(" lease ")
            .append(rs.getString(6)).append(" error ").append(rs.getString(7)).append('\n');
      }
    } catch (java.sql.SQLException e) {
      out.append("(jobs not readable: ").append(e.getMessage()).append(")\n");
    }
    return out.toString();
  }

  static Map<String, List<String>> hubspotPeople(Sandbox sandbox) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String id : sandbox.hubspot().ids(HubSpotObjectType.CONTACTS)) {
      HubSpotRecord r = sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow();
      out.put(r.property("email"), List.of(text(r.property("firstname")), text(r.property("lastname")), text(r.property("jobtitle"))));
    }
    return out;
  }

  static Map<String, List<String>> salesforcePeople(SalesforceSandbox salesforce) {
    return salesforce.records("Contact").stream().collect(Collectors.toMap(r -> (String) r.get("Email"),
        r -> List.of(text(r.get("FirstName")), text(r.get("LastName")), text(r.get("Title"))), (a, b) -> a, TreeMap::new));
  }

  static String text(Object v) {
    return v == null ? "" : v.toString();
  }

  static long writes(Sandbox sandbox) {
    Predicate<RecordedRequest> write = r -> r.path().contains("/batch/upsert") || r.path().contains("/batch/create")
        || r.path().contains("/batch/update") || (r.path().contains("/composite/sobjects") && !"GET".equals(r.method()));
    return sandbox.journal().matching(write).size();
  }
}
