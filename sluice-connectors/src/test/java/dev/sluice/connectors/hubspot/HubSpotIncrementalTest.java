package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Incremental reads: the 10,000-result search cap, many records at one timestamp, index lag. */
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
      Page p = c.readPage(req);
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
    try (SourceConnector c = portal.factory.source(config(Duration.ofMinutes(2)))) {
      assertThat(c.estimateTotal(StreamRequest.incremental("contacts", since))).hasValue(CONTACTS);
      List<SourceRecord> records = readAll(c, StreamRequest.incremental("contacts", since));
      Set<String> ids = activeIdsOnce(records);
      assertThat(ids).hasSize(CONTACTS).isEqualTo(Set.copyOf(portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS)));
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

  @Test
  void theOverlapCoversTheSearchIndexLag() throws Exception {
    portal.clock.advance(Duration.ofHours(2));
    portal.sandbox.hubspot().setSearchIndexLag(Duration.ofSeconds(30));
    try {
      String id = portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(5);
      portal.sandbox.hubspot().updateRecord(HubSpotObjectType.CONTACTS, id, java.util.Map.of("lastname", "Lagged"));
      portal.clock.advance(Duration.ofSeconds(1));
      Instant previousRunStart = portal.clock.instant();
      try (SourceConnector c = portal.factory.source(config(Duration.ofMinutes(2)))) {
        // The previous run, one second after the change, could not see it yet (still unindexed).
        Set<String> seenThen = activeIdsOnce(readAll(c, StreamRequest.incremental("contacts",
            previousRunStart.minus(Duration.ofMinutes(10)))));
        assertThat(seenThen).doesNotContain(id);
        portal.clock.advance(Duration.ofMinutes(1));
        // The next run starts from the previous run's start: only the overlap brings the change in.
        Set<String> withOverlap = activeIdsOnce(readAll(c, StreamRequest.incremental("contacts", previousRunStart)));
        assertThat(withOverlap).contains(id);
      }
      try (SourceConnector noOverlap = portal.factory.source(config(Duration.ZERO))) {
        assertThat(activeIdsOnce(readAll(noOverlap, StreamRequest.incremental("contacts", previousRunStart)))).doesNotContain(id);
      }
    } finally {
      portal.sandbox.hubspot().setSearchIndexLag(Duration.ZERO);
    }
  }
}
