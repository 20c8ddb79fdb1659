package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.SourceConnectorContract;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotSandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Incremental reads: the 10,000-result search cap, many records at one timestamp, the search index lag. */
class HubSpotIncrementalTest {

  private static final int CONTACTS = 26_000;
  private static HubSpotTestPortal portal;

  @BeforeAll
  static void start() {
    portal = new HubSpotTestPortal("conn_incr", HubSpotTestPortal.fastOptions(),
        new HubSpotDataGenerator.Spec(7, CONTACTS, 300, 0, 0, 0, 1, false));
  }

  @AfterAll
  static void stop() {
    portal.close();
  }

  private ConnectionConfig config(Duration overlap) {
    return portal.connection("hubspot-incr", List.of("contacts")).incrementalOverlap(overlap).build();
  }

  private static List<SourceRecord> readAll(SourceConnector c, StreamRequest first) throws Exception {
    List<SourceRecord> out = new ArrayList<>();
    StreamRequest req = first;
    while (true) {
      Page p = c.fetchRecords(req);
      out.addAll(p.records());
      if (p.streamDone()) {
        return out;
      }
      req = req.resumeFrom(p.nextCheckpoint());
    }
  }

  private static Set<String> activeIdsOnce(List<SourceRecord> records) {
    Set<String> ids = new HashSet<>();
    for (SourceRecord r : records) {
      if (!r.archived()) {
        assertThat(ids.add(r.externalId())).as("%s returned twice", r.externalId()).isTrue();
      }
    }
    return ids;
  }

  @Test
  void moreThanTenThousandModifiedRecordsComeBackExactlyOnce() throws Exception {
    // Every generated contact was modified within the last two years: all 26,000 match the search,
    // far past the 10,000 results one search query can page through.
    Instant since = portal.clock.instant().minus(Duration.ofDays(3 * 365));
    Set<String> live = Set.copyOf(portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS));
    assertThat(live).hasSizeGreaterThanOrEqualTo(CONTACTS);
    try (SourceConnector c = portal.factory.source(config(Duration.ofMinutes(2)))) {
      assertThat(c.estimateTotal(StreamRequest.incremental("contacts", since))).hasValue(live.size());
      List<SourceRecord> records = readAll(c, StreamRequest.incremental("contacts", since));
      Set<String> ids = activeIdsOnce(records);
      assertThat(ids).isEqualTo(live);
      // Ascending last-modified order is what makes the re-anchoring sound.
      Instant prev = Instant.MIN;
      for (SourceRecord r : records) {
        assertThat(r.sourceUpdatedAt()).isAfterOrEqualTo(prev);
        prev = r.sourceUpdatedAt();
      }
    }
  }

  @Test
  void hundredsOfRecordsModifiedInTheSameMillisecondAreWalkedById() throws Exception {
    portal.clock.advance(Duration.ofHours(1));
    Instant since = portal.clock.instant();
    portal.clock.advance(Duration.ofSeconds(5));
    // The sandbox clock stands still: 450 changes share one last-modified value (> 2 search pages).
    Set<String> sameInstant = portal.touch("contacts", 450);
    portal.clock.advance(Duration.ofMillis(1));
    Set<String> later = new HashSet<>();
    for (String id : portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).subList(100, 130)) {
      portal.sandbox.hubspot().updateRecord(HubSpotObjectType.CONTACTS, id, java.util.Map.of("lastname", "Later"));
      later.add(id);
    }
    try (SourceConnector c = portal.factory.source(config(Duration.ZERO))) {
      Set<String> ids = activeIdsOnce(readAll(c, StreamRequest.incremental("contacts", since)));
      Set<String> expected = new HashSet<>(sameInstant);
      expected.addAll(later);
      assertThat(ids).isEqualTo(expected);
    }
  }

  /**
   * Issue 16: a run started right after a burst of changes, inside the search index lag, completes
   * with every change made before it started: 26,000 matching contacts (past the 10,000-result cap
   * of one query), 450 of them changed in one millisecond (ties over several search pages), edits at
   * distinct times and new contacts, with 429s, 5xx and dropped connections on the searches. The
   * read waits (on the sandbox's clock) only between its search passes and at most the settle time.
   */
  @Test
  void aRunInsideTheSearchIndexLagHoldsEveryChangeMadeBeforeItStarted() throws Exception {
    HubSpotSandbox hubspot = portal.sandbox.hubspot();
    portal.clock.advance(Duration.ofHours(2));
    Instant since = portal.clock.instant().minus(Duration.ofDays(3 * 365));
    Duration lag = Duration.ofSeconds(3);
    ConnectionConfig config = config(Duration.ofMinutes(2));
    Duration settle = portal.sourceTimeFactory.searchIndexSettle(config);
    assertThat(settle).as("HubSpot's default from the registry").isEqualTo(Duration.ofSeconds(5));
    hubspot.setSearchIndexLag(lag);
    try {
      Set<String> tied = portal.touch("contacts", 450);
      portal.clock.advance(Duration.ofMillis(1));
      Set<String> edited = new HashSet<>();
      for (String id : hubspot.ids(HubSpotObjectType.CONTACTS).subList(200, 240)) {
        portal.clock.advance(Duration.ofMillis(7));
        hubspot.updateRecord(HubSpotObjectType.CONTACTS, id, Map.of("lastname", "Edited " + id));
        edited.add(id);
      }
      Set<String> created = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        portal.clock.advance(Duration.ofMillis(3));
        created.add(hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "new" + i + "@example.com",
            "firstname", "New", "lastname", "Contact " + i)).id());
      }
      portal.clock.advance(Duration.ofMillis(1));
      Instant runStart = portal.clock.instant();
      portal.sandbox.faults().add(FaultRule.tooManyRequests(0.05).onPath("/crm/v3/objects/contacts/search"));
      portal.sandbox.faults().add(FaultRule.serverError(502, 0.05).onPath("/crm/v3/objects/contacts/search"));
      portal.sandbox.faults().add(FaultRule.dropConnection(0.03).onPath("/crm/v3/objects/contacts/search"));

      Map<String, SourceRecord> mirror = new HashMap<>();
      Duration waited = Duration.ZERO;
      int faults = 0;
      int waits = 0;
      List<String> properties = config.properties().get("contacts");
      try (SourceConnector c = portal.sourceTimeFactory.source(config)) {
        StreamRequest req = StreamRequest.incremental("contacts", since).startedAt(runStart);
        while (true) {
          Duration wait = c.waitBeforeReading(req);
          if (wait.isPositive()) {
            // The sync engine snoozes the page job for this long; here the sandbox's time passes.
            waited = waited.plus(wait);
            portal.clock.advance(wait);
            waits++;
          }
          Page p;
          try {
            p = c.fetchRecords(req);
          } catch (ConnectorException e) {
            assertThat(e.kind().transientFailure()).as("%s", e.getMessage()).isTrue();
            faults++;
            continue; // the queue repeats the same page
          }
          p.records().forEach(r -> mirror.put(r.externalId(), r)); // upserts, the last read wins
          if (p.streamDone()) {
            break;
          }
          req = req.resumeFrom(p.nextCheckpoint());
        }
      } finally {
        portal.sandbox.faults().clear();
      }
      assertThat(faults).as("faults injected").isPositive();
      assertThat(waits).as("one wait: between the pass inside the lag and the passes after it").isEqualTo(1);
      assertThat(waited).isPositive().isLessThanOrEqualTo(settle);
      Set<String> live = Set.copyOf(hubspot.ids(HubSpotObjectType.CONTACTS));
      assertThat(mirror.keySet()).containsAll(tied).containsAll(edited).containsAll(created).isEqualTo(live);
      for (String id : live) {
        assertThat(SourceConnectorContract.normal(mirror.get(id))).as("contact %s", id)
            .isEqualTo(SourceConnectorContract.normal(portal.expected("contacts", id, properties)));
      }
    } finally {
      hubspot.setSearchIndexLag(Duration.ZERO);
    }
  }

  /** Without a run start (no guarantee asked for), a read inside the lag misses what the index has not caught up with. */
  @Test
  void withoutTheRunStartAReadInsideTheLagDoesNotWait() throws Exception {
    portal.clock.advance(Duration.ofHours(2));
    portal.sandbox.hubspot().setSearchIndexLag(Duration.ofSeconds(30));
    try {
      String id = portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(5);
      Instant since = portal.clock.instant();
      portal.clock.advance(Duration.ofSeconds(10));
      portal.sandbox.hubspot().updateRecord(HubSpotObjectType.CONTACTS, id, Map.of("lastname", "Lagged"));
      portal.clock.advance(Duration.ofSeconds(1));
      try (SourceConnector c = portal.sourceTimeFactory.source(config(Duration.ofMinutes(2)))) {
        StreamRequest req = StreamRequest.incremental("contacts", since);
        assertThat(c.waitBeforeReading(req)).isZero();
        assertThat(activeIdsOnce(readAll(c, req))).doesNotContain(id);
      }
    } finally {
      portal.sandbox.hubspot().setSearchIndexLag(Duration.ZERO);
    }
  }
}
