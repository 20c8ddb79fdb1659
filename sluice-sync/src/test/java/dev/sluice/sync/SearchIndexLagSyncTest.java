package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobWorker;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 end to end: an incremental run triggered right after changes, while the portal's search
 * index still lags them, completes with every one of them in the mirror. Its page jobs snooze for
 * the index (the run's phase says so) instead of holding a worker or spending attempts.
 */
class SearchIndexLagSyncTest {
  static final String CONNECTION = SandboxSyncTest.CONNECTION;

  TestDatabase db;
  Sandbox sandbox;
  SyncProcessFixture fx;
  JobWorker worker;

  @BeforeEach
  void start() {
    db = TestDatabase.create("sync_index_lag", 20);
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().customLimits(20_000, 50_000_000).searchPerSecond(200)
        .initialData(new HubSpotDataGenerator.Spec(17, 600, 80, 120, 60, 0, 2, false)).build()).start();
    fx = new SyncProcessFixture(db.dataSource(), null, sandbox.baseUrl(), Map.of(CONNECTION, sandbox.hubspot().token()),
        MirrorCheck.portalProperties(sandbox), SyncProcessFixture.SETTINGS);
    worker = fx.startWorker(8);
  }

  @AfterEach
  void stop() {
    worker.close();
    fx.close();
    sandbox.close();
    db.close();
  }

  SyncRun runToEnd(SyncMode mode) {
    long id = fx.engine.trigger(new SyncRequest(CONNECTION, SyncProcessFixture.OBJECTS, mode)).id();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
        .until(() -> !fx.engine.find(id).orElseThrow().status().active());
    return fx.engine.find(id).orElseThrow();
  }

  @Test
  void anIncrementalRunStartedInsideTheSearchLagHoldsEveryChangeMadeBeforeIt() throws Exception {
    assertThat(runToEnd(SyncMode.FULL).status()).isEqualTo(RunStatus.COMPLETED);
    // The index lags the writes by most of the connection's settle time; the run starts right after them.
    sandbox.hubspot().setSearchIndexLag(SyncProcessFixture.SEARCH_INDEX_SETTLE.minusMillis(200));
    List<String> contacts = sandbox.hubspot().ids(HubSpotObjectType.CONTACTS);
    for (String id : contacts.subList(10, 30)) {
      sandbox.hubspot().updateRecord(HubSpotObjectType.CONTACTS, id, Map.of("firstname", "Edited"));
    }
    sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "lagged@example.com", "firstname", "Lagged"));
    for (String id : sandbox.hubspot().ids(HubSpotObjectType.COMPANIES).subList(3, 8)) {
      sandbox.hubspot().updateRecord(HubSpotObjectType.COMPANIES, id, Map.of("name", "Renamed " + id));
    }
    sandbox.hubspot().archiveRecord(HubSpotObjectType.DEALS, sandbox.hubspot().ids(HubSpotObjectType.DEALS).get(4));

    SyncRun inc = runToEnd(SyncMode.INCREMENTAL);

    assertThat(inc.status()).as("%s", inc).isEqualTo(RunStatus.COMPLETED);
    StreamCounts c = inc.counts().get("contacts");
    assertThat(c.created()).isEqualTo(1);
    assertThat(c.updated()).isEqualTo(20);
    assertThat(inc.counts().get("companies").updated()).isEqualTo(5);
    List<SyncEvent> events = fx.engine.events(inc.id(), 0);
    Instant created = events.stream().filter(e -> e.type() == SyncEventType.RUN_CREATED).findFirst().orElseThrow().at();
    Instant settled = created.plus(SyncProcessFixture.SEARCH_INDEX_SETTLE);
    for (String stream : SyncProcessFixture.OBJECTS) {
      List<SyncEvent> snoozes = events.stream()
          .filter(e -> stream.equals(e.stream()) && e.type() == SyncEventType.SNOOZE).toList();
      if (snoozes.isEmpty()) {
        // On a loaded machine a stream's searches may only run once the settle time has passed: then no
        // wait is due, but the stream must still have searched after the index settled.
        assertThat(events).as("%s searched after the index settled", stream)
            .anyMatch(e -> stream.equals(e.stream()) && e.type() == SyncEventType.PAGE_COMMITTED
                && !e.at().isBefore(settled) && e.payload().path("position").asText().matches(".*\\(phase (search|settle)\\).*"));
        continue;
      }
      assertThat(snoozes).as("%s waited for the search index", stream).allSatisfy(e -> {
        assertThat(e.payload().path("cause").asText()).isEqualTo(PageJobHandler.SEARCH_INDEX);
        assertThat(e.payload().path("wait_ms").asLong()).isBetween(1L, SyncProcessFixture.SEARCH_INDEX_SETTLE.toMillis());
      });
    }
    assertThat(events).as("a snooze is no failed attempt").noneMatch(e -> e.type() == SyncEventType.RETRY);
    events.stream().filter(e -> e.type() == SyncEventType.SNOOZE).findFirst().ifPresent(e ->
        assertThat(RunProjection.phase(SyncEventType.SNOOZE, e.stream(), e.payload()))
            .startsWith(e.stream() + ": waiting for the search index"));
    new MirrorCheck(db, sandbox, fx, CONNECTION).assertMirrorEqualsSandbox();
  }
}
