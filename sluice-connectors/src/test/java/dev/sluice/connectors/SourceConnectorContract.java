package dev.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SourceConnector} must do, checked against a real source (for HubSpot: the
 * sandbox over loopback). A subclass supplies the connector and an oracle view of the source.
 *
 * <p>Tests mutate the source; each one only relies on what it changed itself.
 */
public abstract class SourceConnectorContract {

  /** A new connector on the source (a fresh instance each call: resuming must not need memory). */
  protected abstract SourceConnector newConnector();

  /** The object types to exercise (at least one with associations and archived records). */
  protected abstract List<String> objectTypes();

  /** Ids of every live record of {@code objectType} in the source now. */
  protected abstract Set<String> liveIds(String objectType);

  /** Ids of every archived record of {@code objectType} in the source now. */
  protected abstract Set<String> archivedIds(String objectType);

  /** The record as the source holds it now, as the connector must return it. */
  protected abstract SourceRecord expected(String objectType, String id);

  /** Changes {@code n} live records now (moving their last-modified time); returns their ids. */
  protected abstract Set<String> touch(String objectType, int n);

  /** Archives {@code n} live records now; returns their ids. */
  protected abstract Set<String> archive(String objectType, int n);

  /** The source's current time (what a sync run would record as its start). */
  protected abstract Instant sourceNow();

  /** Lets the source's time pass (e.g. advance a manual clock), so later changes are strictly later. */
  protected abstract void elapse(Duration d);

  /** The connection's incremental overlap. */
  protected abstract Duration overlap();

  /**
   * Makes the source's change feed lag its writes by {@code lag} (HubSpot: the search index sees a
   * write that long after it; Salesforce {@code SystemModstamp} and Mailchimp {@code last_changed}
   * queries: whatever delay their source can show); {@code Duration.ZERO} restores it. A source
   * whose feed cannot lag ignores it.
   */
  protected abstract void lagChanges(Duration lag);

  /** The connection's settle time: how long after a write its change feed is taken to hold it (zero: at once). */
  protected abstract Duration settle();

  /** Every page of one stream run, following checkpoints. */
  protected static List<Page> readAll(SourceConnector c, StreamRequest first) throws ConnectorException {
    List<Page> pages = new ArrayList<>();
    StreamRequest req = first;
    for (int guard = 0; guard < 100_000; guard++) {
      Page p = c.fetchRecords(req);
      pages.add(p);
      if (p.streamDone()) {
        assertThat(p.nextCheckpoint()).isNull();
        return pages;
      }
      req = req.resumeFrom(p.nextCheckpoint());
    }
    throw new AssertionError("stream did not end");
  }

  /** Comparable form: drops null-valued properties (absent and null are the same fact). */
  public static Map<String, Object> normal(SourceRecord r) {
    Map<String, String> props = new TreeMap<>();
    r.properties().forEach((k, v) -> {
      if (v != null) {
        props.put(k, v);
      }
    });
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.externalId());
    m.put("archived", r.archived());
    m.put("properties", props);
    m.put("associations", r.archived() ? Map.of() : r.associations());
    m.put("updatedAt", r.sourceUpdatedAt());
    return m;
  }

  @Test
  void fullReadReturnsEveryRecordExactlyOnceAsTheSourceHoldsIt() throws Exception {
    String type = objectTypes().get(0);
    archive(type, 3);
    try (SourceConnector c = newConnector()) {
      List<Page> pages = readAll(c, StreamRequest.full(type));
      Map<String, SourceRecord> active = new LinkedHashMap<>();
      Map<String, SourceRecord> archived = new LinkedHashMap<>();
      for (Page p : pages) {
        for (SourceRecord r : p.records()) {
          assertThat(r.objectType()).isEqualTo(type);
          SourceRecord prev = (r.archived() ? archived : active).put(r.externalId(), r);
          assertThat(prev).as("record %s returned twice", r.externalId()).isNull();
        }
      }
      assertThat(active.keySet()).isEqualTo(liveIds(type));
      assertThat(archived.keySet()).isEqualTo(archivedIds(type));
      for (SourceRecord r : active.values()) {
        assertThat(normal(r)).as("record %s", r.externalId()).isEqualTo(normal(expected(type, r.externalId())));
      }
      for (SourceRecord r : archived.values()) {
        assertThat(normal(r)).as("archived record %s", r.externalId()).isEqualTo(normal(expected(type, r.externalId())));
      }
      assertThat(pages.stream().mapToInt(Page::requestsUsed).sum()).isGreaterThanOrEqualTo(pages.size());
    }
  }

  @Test
  void resumingFromAnyCheckpointContinuesWithoutLossOrDuplication() throws Exception {
    String type = objectTypes().get(0);
    List<Page> pages;
    try (SourceConnector c = newConnector()) {
      pages = readAll(c, StreamRequest.full(type));
    }
    assertThat(pages.size()).as("the fixture needs several pages").isGreaterThan(2);
    StreamRequest req = StreamRequest.full(type);
    for (int i = 0; i < pages.size() - 1; i++) {
      // A new connector per page, as after a worker was killed and the job re-run elsewhere.
      try (SourceConnector fresh = newConnector()) {
        Page again = fresh.fetchRecords(req.resumeFrom(pages.get(i).nextCheckpoint()));
        assertThat(ids(again)).as("page %d after resuming", i + 1).isEqualTo(ids(pages.get(i + 1)));
        assertThat(again.nextCheckpoint()).isEqualTo(pages.get(i + 1).nextCheckpoint());
      }
    }
  }

  @Test
  void theSamePageReadTwiceIsTheSame() throws Exception {
    String type = objectTypes().get(0);
    try (SourceConnector c = newConnector()) {
      Page a = c.fetchRecords(StreamRequest.full(type));
      Page b = c.fetchRecords(StreamRequest.full(type));
      assertThat(b.records()).isEqualTo(a.records());
      // A cursor-paged source (Salesforce query locators) opens a new cursor per read: the
      // checkpoints may differ, but each leads to the same next page.
      if (!a.streamDone()) {
        assertThat(b.nextCheckpoint()).isNotNull();
        assertThat(ids(c.fetchRecords(StreamRequest.full(type).resumeFrom(b.nextCheckpoint()))))
            .isEqualTo(ids(c.fetchRecords(StreamRequest.full(type).resumeFrom(a.nextCheckpoint()))));
      }
    }
  }

  @Test
  void incrementalReturnsExactlyTheRecordsChangedSinceMinusTheOverlap() throws Exception {
    String type = objectTypes().get(0);
    elapse(overlap().plusSeconds(1));
    Instant since = sourceNow();
    elapse(Duration.ofSeconds(1));
    Set<String> touched = touch(type, 7);
    Set<String> archivedNow = archive(type, 2);
    Set<String> expectedActive = new HashSet<>();
    Instant from = since.minus(overlap());
    for (String id : liveIds(type)) {
      Instant u = expected(type, id).sourceUpdatedAt();
      if (u != null && !u.isBefore(from)) {
        expectedActive.add(id);
      }
    }
    assertThat(expectedActive).containsAll(touched);
    try (SourceConnector c = newConnector()) {
      List<Page> pages = readAll(c, StreamRequest.incremental(type, since));
      Set<String> active = new HashSet<>();
      Set<String> archived = new HashSet<>();
      for (Page p : pages) {
        for (SourceRecord r : p.records()) {
          assertThat((r.archived() ? archived : active).add(r.externalId())).as("%s returned twice", r.externalId()).isTrue();
          if (!r.archived()) {
            assertThat(normal(r)).isEqualTo(normal(expected(type, r.externalId())));
          }
        }
      }
      assertThat(active).isEqualTo(expectedActive);
      assertThat(archived).containsAll(archivedNow);
    }
  }

  /**
   * The incremental guarantee (issue 16): once a read that knows its run's start is done, it holds
   * every change the source made before the run started, in a version at least that recent, even
   * when the change feed lags the writes by almost the settle time and the run starts inside that
   * lag. The connector waits only through {@link SourceConnector#waitBeforeReading} (the caller's
   * snooze), at most the settle time. A change made during the read is in this read or in the next.
   */
  @Test
  void aCompletedIncrementalReadHoldsEveryChangeMadeBeforeTheRunStarted() throws Exception {
    String type = objectTypes().get(0);
    Duration settle = settle();
    elapse(overlap().plus(settle).plusSeconds(1));
    Instant since = sourceNow();
    elapse(Duration.ofSeconds(1));
    lagChanges(settle.isZero() ? Duration.ZERO : settle.minusMillis(Math.max(1, settle.toMillis() / 5)));
    try {
      Set<String> before = new HashSet<>(touch(type, 5));
      elapse(Duration.ofMillis(3));
      before.addAll(touch(type, 3));
      elapse(Duration.ofMillis(1));
      Instant runStart = sourceNow();
      Map<String, SourceRecord> read = new LinkedHashMap<>();
      Set<String> during = Set.of();
      Duration waited = Duration.ZERO;
      try (SourceConnector c = newConnector()) {
        StreamRequest req = StreamRequest.incremental(type, since).startedAt(runStart);
        for (int page = 0; ; page++) {
          Duration wait = c.waitBeforeReading(req);
          if (wait.isPositive()) {
            waited = waited.plus(wait);
            elapse(wait);
            assertThat(c.waitBeforeReading(req)).as("the wait is over").isZero();
          }
          Page p = c.fetchRecords(req);
          p.records().forEach(r -> read.put(r.externalId(), r));
          if (page == 0) {
            elapse(Duration.ofMillis(1));
            during = touch(type, 2);
          }
          if (p.streamDone()) {
            break;
          }
          assertThat(page).as("pages").isLessThan(10_000);
          req = req.resumeFrom(p.nextCheckpoint());
        }
      }
      for (String id : before) {
        assertThat(read).as("the change to %s made before the run started", id).containsKey(id);
        assertThat(normal(read.get(id))).as("record %s", id).isEqualTo(normal(expected(type, id)));
      }
      assertThat(waited).as("waited for the change feed").isLessThanOrEqualTo(settle);
      if (!settle.isZero()) {
        assertThat(waited).as("a run inside the lag waits for it").isPositive();
      }
      Set<String> missed = new HashSet<>();
      for (String id : during) {
        SourceRecord r = read.get(id);
        if (r == null || !normal(r).equals(normal(expected(type, id)))) {
          missed.add(id);
        }
      }
      // The next run starts from this one's start: what this read missed, it reads.
      elapse(settle.plusSeconds(1));
      Map<String, SourceRecord> next = new LinkedHashMap<>();
      try (SourceConnector c = newConnector()) {
        StreamRequest req = StreamRequest.incremental(type, runStart).startedAt(sourceNow());
        while (true) {
          Duration wait = c.waitBeforeReading(req);
          assertThat(wait).isLessThanOrEqualTo(settle);
          elapse(wait);
          Page p = c.fetchRecords(req);
          p.records().forEach(r -> next.put(r.externalId(), r));
          if (p.streamDone()) {
            break;
          }
          req = req.resumeFrom(p.nextCheckpoint());
        }
      }
      for (String id : missed) {
        assertThat(next).as("the change to %s made during the run, in the next run", id).containsKey(id);
        assertThat(normal(next.get(id))).isEqualTo(normal(expected(type, id)));
      }
    } finally {
      lagChanges(Duration.ZERO);
    }
  }

  @Test
  void unknownObjectTypesAndForeignCheckpointsAreRejected() {
    try (SourceConnector c = newConnector()) {
      assertThatThrownBy(() -> c.fetchRecords(StreamRequest.full("no_such_objects"))).isInstanceOf(IllegalArgumentException.class);
      String type = objectTypes().get(0);
      assertThatThrownBy(() -> c.fetchRecords(StreamRequest.full(type).resumeFrom("{\"cursor\":1}")))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  protected static List<String> ids(Page p) {
    return p.records().stream().map(r -> r.externalId() + (r.archived() ? "(archived)" : "")).toList();
  }

  protected static Set<String> idSet(List<Page> pages) {
    Set<String> s = new HashSet<>();
    pages.forEach(p -> p.records().forEach(r -> s.add(r.externalId())));
    return s;
  }

  protected static <T> T require(T t) {
    return Objects.requireNonNull(t);
  }
}
