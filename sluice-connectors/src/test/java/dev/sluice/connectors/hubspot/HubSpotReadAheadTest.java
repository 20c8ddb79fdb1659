package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.connectors.SourceConnectorContract;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Full-mode read-ahead against the sandbox over loopback, with the shared limiter in real Postgres:
 * the next page is requested before the caller asks for it, used only for exactly its checkpoint,
 * and a failed read-ahead costs a direct read, never a record.
 */
class HubSpotReadAheadTest {

  private static final String LIST_PATH = "/crm/v3/objects/contacts";

  private static HubSpotTestPortal portal;
  private static ConnectionConfig config;
  private static HttpClient client;
  private static WatchedGate gate;

  /**
   * The real Postgres-backed gate; runs a hook once when a read-ahead thread takes a list permit,
   * so a test can inject a fault into exactly the request read ahead.
   */
  static final class WatchedGate implements RateLimitGate {
    final RateLimitGate real;
    final AtomicReference<Runnable> onReadAheadList = new AtomicReference<>();

    WatchedGate(RateLimitGate real) {
      this.real = real;
    }

    @Override
    public void define(String name, RateLimitSpec limit) {
      real.define(name, limit);
    }

    @Override
    public Optional<Duration> acquire(List<String> names, int permits, Duration maxWait) {
      if (Thread.currentThread().getName().startsWith("hubspot-read-ahead-") && names.stream().anyMatch(n -> n.endsWith(":10s"))) {
        Runnable hook = onReadAheadList.getAndSet(null);
        if (hook != null) {
          hook.run();
        }
      }
      return real.acquire(names, permits, maxWait);
    }

    @Override
    public void observe(String name, long remaining, Duration windowLeft) {
      real.observe(name, remaining, windowLeft);
    }
  }

  @BeforeAll
  static void start() {
    portal = new HubSpotTestPortal("conn_readahead", HubSpotTestPortal.fastOptions(),
        new HubSpotDataGenerator.Spec(11, 350, 40, 60, 30, 0, 3, true));
    config = portal.connection("hubspot-readahead", List.of("contacts")).build();
    portal.factory.source(config).close(); // defines the connection's buckets in the shared limiter
    portal.archive("contacts", 4);
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    gate = new WatchedGate(QueueRateLimitGate.of(portal.rateLimits));
  }

  @AfterAll
  static void stop() {
    portal.close();
  }

  @BeforeEach
  void reset() {
    gate.onReadAheadList.set(null);
    portal.sandbox.faults().clear();
    portal.sandbox.journal().clear();
  }

  private final List<HubSpotConnector> opened = new ArrayList<>();

  /** A connector on the sandbox's manual clock, so a test can age a page read ahead. */
  private HubSpotConnector connector() {
    HubSpotConnector c = new HubSpotConnector(config, portal.factory.limits(config), gate, client, portal.clock, Duration.ZERO);
    opened.add(c);
    return c;
  }

  /** No read-ahead of this test may reach the sandbox during the next one. */
  @AfterEach
  void quiesce() {
    opened.forEach(HubSpotConnector::close);
    await().atMost(Duration.ofSeconds(60)).until(() -> opened.stream().allMatch(c -> c.readAheadsRunning() == 0));
  }

  /** The list requests the sandbox received for the page at {@code checkpoint}. */
  private static List<RecordedRequest> listRequestsFor(String checkpoint) {
    HubSpotCheckpoint cp = HubSpotCheckpoint.parse(checkpoint);
    String archived = "archived=" + (cp.phase() == HubSpotCheckpoint.Phase.ARCHIVED);
    String after = cp.after() == null ? null : "after=" + URLEncoder.encode(cp.after(), StandardCharsets.UTF_8);
    return portal.sandbox.journal().matching(r -> r.method().equals("GET") && r.path().equals(LIST_PATH)
        && r.query().contains(archived) && (after == null ? !r.query().contains("after=") : r.query().contains(after)));
  }

  private static List<String> listQueries() {
    return portal.sandbox.journal().matching(r -> r.method().equals("GET") && r.path().equals(LIST_PATH))
        .stream().map(RecordedRequest::query).toList();
  }

  /** Follows checkpoints to the end of the stream. */
  private List<Page> readRest(HubSpotConnector c, StreamRequest from) throws ConnectorException {
    List<Page> pages = new ArrayList<>();
    StreamRequest req = from;
    for (int guard = 0; guard < 1_000; guard++) {
      Page p = c.fetchRecords(req);
      pages.add(p);
      if (p.streamDone()) {
        return pages;
      }
      req = req.resumeFrom(p.nextCheckpoint());
    }
    throw new AssertionError("stream did not end");
  }

  /** Every record returned exactly once (by id and archived flag), equal to what the sandbox holds. */
  private static void assertExactlyTheSandbox(List<Page> pages) {
    Map<String, SourceRecord> active = new HashMap<>();
    Map<String, SourceRecord> archived = new HashMap<>();
    for (Page p : pages) {
      for (SourceRecord r : p.records()) {
        assertThat((r.archived() ? archived : active).put(r.externalId(), r)).as("record %s returned twice", r.externalId()).isNull();
      }
    }
    assertThat(active.keySet()).isEqualTo(new java.util.HashSet<>(portal.sandbox.hubspot().ids(HubSpotTestPortal.type("contacts"))));
    assertThat(archived.keySet()).isEqualTo(portal.archivedByTest);
    Stream.concat(active.values().stream(), archived.values().stream()).forEach(r ->
        assertThat(SourceConnectorContract.normal(r)).as("record %s", r.externalId())
            .isEqualTo(SourceConnectorContract.normal(portal.expected("contacts", r.externalId(), config.properties().get("contacts")))));
  }

  @Test
  void everyNextPageIsRequestedBeforeItIsAskedForAndUsedInsteadOfASecondRequest() throws Exception {
    try (HubSpotConnector c = connector()) {
      List<Page> pages = new ArrayList<>();
      StreamRequest req = StreamRequest.full("contacts");
      while (true) {
        Page p = c.fetchRecords(req);
        pages.add(p);
        if (p.streamDone()) {
          break;
        }
        String next = p.nextCheckpoint();
        // The next page's list request reaches the sandbox before fetchRecords is called for it.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(listRequestsFor(next)).hasSize(1));
        req = req.resumeFrom(next);
      }
      assertThat(pages.size()).as("the fixture spans several active and archived pages").isGreaterThan(4);
      // One list request per page: each page after the first came from the read-ahead.
      assertThat(listQueries()).doesNotHaveDuplicates().hasSize(pages.size());
      assertExactlyTheSandbox(pages);
      assertThat(c.pagesReadAhead()).as("nothing is read ahead past the end of the stream").isZero();
    }
  }

  @Test
  void aResumeFromAnotherCheckpointReadsDirectlyAndKeepsTheReadAheadForTheCheckpointItReturns() throws Exception {
    StreamRequest full = StreamRequest.full("contacts");
    try (HubSpotConnector c = connector()) {
      Page p1 = c.fetchRecords(full);
      Page p2 = c.fetchRecords(full.resumeFrom(p1.nextCheckpoint()));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(listRequestsFor(p2.nextCheckpoint())).hasSize(1));

      // A retry of page 2 (the checkpoint before the one read ahead): read directly, the same page.
      Page again = c.fetchRecords(full.resumeFrom(p1.nextCheckpoint()));
      assertThat(again.records()).isEqualTo(p2.records());
      assertThat(again.nextCheckpoint()).isEqualTo(p2.nextCheckpoint());
      assertThat(listRequestsFor(p1.nextCheckpoint())).hasSize(2);

      // Page 3 is then still the one read ahead, and it is what a direct read returns.
      Page p3 = c.fetchRecords(full.resumeFrom(p2.nextCheckpoint()));
      assertThat(listRequestsFor(p2.nextCheckpoint())).hasSize(1);
      try (HubSpotConnector fresh = connector()) {
        Page direct = fresh.fetchRecords(full.resumeFrom(p2.nextCheckpoint()));
        assertThat(direct.records()).isEqualTo(p3.records());
        assertThat(direct.nextCheckpoint()).isEqualTo(p3.nextCheckpoint());
      }

      // Starting over from the beginning ignores the page read ahead after page 3, and the stream
      // read from there is complete.
      Page first = c.fetchRecords(full);
      assertThat(first.records()).isEqualTo(p1.records());
      List<Page> all = new ArrayList<>();
      all.add(first);
      all.addAll(readRest(c, full.resumeFrom(first.nextCheckpoint())));
      assertExactlyTheSandbox(all);
    }
  }

  @Test
  void aPageReadAheadLongerAgoThanTheMaximumAgeIsReadAgain() throws Exception {
    StreamRequest full = StreamRequest.full("contacts");
    try (HubSpotConnector c = connector()) {
      Page p1 = c.fetchRecords(full);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(listRequestsFor(p1.nextCheckpoint())).hasSize(1));
      portal.clock.advance(HubSpotReadAhead.MAX_AGE.plusSeconds(1));
      Page p2 = c.fetchRecords(full.resumeFrom(p1.nextCheckpoint()));
      assertThat(listRequestsFor(p1.nextCheckpoint())).hasSize(2);
      assertThat(p2.records()).isNotEmpty();
    }
  }

  @Test
  void closingStopsTheReadAhead() throws Exception {
    HubSpotConnector c = connector();
    c.fetchRecords(StreamRequest.full("contacts"));
    c.close();
    assertThat(c.pagesReadAhead()).isZero();
    // A closed connector still reads directly if asked, but starts nothing in the background.
    Page p = c.fetchRecords(StreamRequest.full("contacts"));
    assertThat(c.pagesReadAhead()).isZero();
    assertThat(p.records()).isNotEmpty();
  }

  static Stream<FaultRule> faultsOnTheReadAhead() {
    return Stream.of(
        FaultRule.serverError(503, 1.0).onPath(LIST_PATH).times(1),
        FaultRule.malformedBody(1.0).onPath(LIST_PATH).times(1),
        FaultRule.serverError(502, 1.0).onPath("/crm/v4/associations/contacts/companies").times(1));
  }

  @ParameterizedTest
  @MethodSource("faultsOnTheReadAhead")
  void aFaultOnThePageReadAheadLosesAndDuplicatesNothing(FaultRule fault) throws Exception {
    // Armed now, injected when the first read-ahead takes its list permit: it hits that read-ahead.
    gate.onReadAheadList.set(() -> portal.sandbox.faults().add(fault));
    try (HubSpotConnector c = connector()) {
      List<Page> pages = readRest(c, StreamRequest.full("contacts"));
      List<RecordedRequest> faulted = portal.sandbox.journal().matching(r -> r.fault() != null);
      assertThat(faulted).as("the injected fault hit one request").hasSize(1);
      assertThat(gate.onReadAheadList.get()).isNull();
      // The page whose read-ahead failed was read again directly: page 2's list request twice.
      // An association fault is armed while page 1's own association reads (three in parallel) may
      // still be on their way, so it can hit page 1's direct read instead of the read-ahead; then page
      // 1 is read again and page 2's list once. Either way nothing is lost or duplicated (below).
      if (faulted.get(0).path().equals(LIST_PATH)) {
        assertThat(listRequestsFor(pages.get(0).nextCheckpoint())).hasSize(2);
      }
      assertExactlyTheSandbox(pages);
    }
  }
}
