package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceConnectorContract;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Error classification under injected faults, auth, the shared limiter, real limits, property chunking. */
class HubSpotConnectorTest {

  private static HubSpotTestPortal portal;
  private static ConnectionConfig config;

  @BeforeAll
  static void start() {
    // 150 custom properties: the property list does not fit one URL.
    portal = new HubSpotTestPortal("conn_errors", HubSpotTestPortal.fastOptions(),
        new HubSpotDataGenerator.Spec(3, 250, 20, 10, 10, 0, 150, true));
    config = portal.connection("hubspot-errors", List.of("contacts", "companies", "deals", "tickets")).build();
  }

  @AfterAll
  static void stop() {
    portal.close();
  }

  @AfterEach
  void clearFaults() {
    portal.sandbox.faults().clear();
  }

  private static ConnectorException readFirstPage(ConnectionConfig cfg) {
    try (SourceConnector c = portal.factory.source(cfg)) {
      ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> c.fetchRecords(StreamRequest.full("contacts")));
      awaitReadAheads(c);
      return e;
    }
  }

  /** A read-ahead of the next page may still be sending: let it end, or it may spend the next test's fault. */
  private static void awaitReadAheads(SourceConnector c) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .until(() -> ((HubSpotConnector) c).readAheadsRunning() == 0);
  }

  @Test
  void longPropertyListsAreChunkedAndMergedPerRecord() throws Exception {
    List<String> props = config.properties().get("contacts");
    assertThat(props.size()).isGreaterThan(150);
    portal.sandbox.journal().clear();
    try (SourceConnector c = portal.factory.source(config)) {
      Page p = c.fetchRecords(StreamRequest.full("contacts"));
      // the first page's chunk requests (the read-ahead of the next page, with after=, may run meanwhile)
      List<RecordedRequest> lists = portal.sandbox.journal().matching(r -> r.path().equals("/crm/v3/objects/contacts")
          && !r.query().contains("after="));
      assertThat(lists.size()).isGreaterThan(1);
      assertThat(lists).allSatisfy(r -> assertThat(portal.sandbox.baseUrl().length() + r.path().length() + 1 + r.query().length())
          .isLessThanOrEqualTo(HubSpotStreamReader.MAX_URL_LENGTH));
      assertThat(p.requestsUsed()).isEqualTo(lists.size() + 3);
      for (SourceRecord r : p.records()) {
        assertThat(SourceConnectorContract.normal(r))
            .isEqualTo(SourceConnectorContract.normal(portal.expected("contacts", r.externalId(), props)));
      }
      awaitReadAheads(c);
    }
  }

  @Test
  void tooManyRequestsIsRateLimitedWithAWait() throws Exception {
    portal.sandbox.faults().add(FaultRule.tooManyRequests(1.0).onPath("/crm/v3/objects/contacts").times(1));
    ConnectorException e = readFirstPage(config);
    assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
    assertThat(e.retryAfter()).isPositive();
    assertThat(e.httpStatus()).isEqualTo(429);
    assertThat(e.getMessage()).contains("contacts list first page");
    assertThat(readFirstPage(config)).isNull();
  }

  @Test
  void serverErrorsAndDroppedConnectionsAreRetryable() {
    for (int status : new int[] {500, 502, 503, 504}) {
      portal.sandbox.faults().add(FaultRule.serverError(status, 1.0).times(1));
      ConnectorException e = readFirstPage(config);
      assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RETRYABLE);
      assertThat(e.httpStatus()).isEqualTo(status);
    }
    // Twice: the JDK client itself retries an idempotent GET once on a dropped connection.
    portal.sandbox.faults().add(FaultRule.dropConnection(1.0).times(2));
    ConnectorException dropped = readFirstPage(config);
    assertThat(dropped.kind()).isEqualTo(ConnectorException.Kind.RETRYABLE);
    assertThat(dropped.getMessage()).contains("contacts list first page");
  }

  @Test
  void associationFaultsFailThePageToo() {
    portal.sandbox.faults().add(FaultRule.serverError(503, 1.0).onPath("/crm/v4/associations/").times(1));
    ConnectorException e = readFirstPage(config);
    assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RETRYABLE);
    assertThat(e.getMessage()).contains("associations contacts→");
  }

  @Test
  void aTruncatedPageIsMalformedWithItsPosition() {
    portal.sandbox.faults().add(FaultRule.malformedBody(1.0).onPath("/crm/v3/objects/contacts").times(1));
    ConnectorException e = readFirstPage(config);
    assertThat(e.kind()).isEqualTo(ConnectorException.Kind.MALFORMED);
    assertThat(e.getMessage()).contains("contacts list first page (phase active)");
  }

  @Test
  void aBadTokenNamesTheConnectionAndWhatToFix() {
    ConnectionConfig bad = config.toBuilder().token("pat-na1-wrong", "HUBSPOT_TOKEN").build();
    ConnectorException e = readFirstPage(bad);
    assertThat(e.kind()).isEqualTo(ConnectorException.Kind.AUTH);
    assertThat(e.getMessage())
        .startsWith("HubSpot rejected the token of connection 'hubspot-errors' (401): check HUBSPOT_TOKEN")
        .doesNotContain("pat-na1-wrong");
  }

  @Test
  void anExhaustedSharedBucketSnoozesInsteadOfWaiting() throws Exception {
    // Three requests per 10 s, shared by every connector built for this connection name.
    ConnectionConfig tight = portal.connection("hubspot-tight", List.of("contacts"))
        .properties("contacts", List.of("email")).limit("10s", RateLimitSpec.of(3, Duration.ofSeconds(10))).build();
    int pages = 0;
    ConnectorException limited = null;
    StreamRequest req = StreamRequest.full("contacts");
    try (SourceConnector a = portal.factory.source(tight); SourceConnector b = portal.factory.source(tight)) {
      for (int i = 0; i < 10 && limited == null; i++) {
        try {
          Page p = (i % 2 == 0 ? a : b).fetchRecords(req);
          req = req.resumeFrom(p.nextCheckpoint());
          pages++;
        } catch (ConnectorException e) {
          limited = e;
        }
      }
    }
    assertThat(limited).isNotNull();
    assertThat(limited.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
    assertThat(limited.retryAfter()).isGreaterThan(HubSpotHttp.MAX_LIMITER_WAIT);
    assertThat(limited.getMessage()).contains("hubspot-tight:10s");
    assertThat(pages).isLessThanOrEqualTo(3);
  }

  @Test
  void archivedRecordsAreMarkedAfterTheActiveOnes() throws Exception {
    String id = portal.sandbox.hubspot().ids(HubSpotObjectType.TICKETS).get(0);
    portal.sandbox.hubspot().archiveRecord(HubSpotObjectType.TICKETS, id);
    Set<String> active = new HashSet<>();
    Set<String> archived = new HashSet<>();
    try (SourceConnector c = portal.factory.source(config)) {
      StreamRequest req = StreamRequest.full("tickets");
      while (true) {
        Page p = c.fetchRecords(req);
        p.records().forEach(r -> (r.archived() ? archived : active).add(r.externalId()));
        if (p.streamDone()) {
          break;
        }
        req = req.resumeFrom(p.nextCheckpoint());
      }
    }
    assertThat(archived).containsExactly(id);
    assertThat(active).doesNotContain(id).hasSize(portal.sandbox.hubspot().count(HubSpotObjectType.TICKETS));
  }

  @Test
  void realProfessionalLimitsAreNeverExceeded() throws Exception {
    try (HubSpotTestPortal real = new HubSpotTestPortal("conn_reallimits", HubSpotOptions.builder(),
        new HubSpotDataGenerator.Spec(5, 900, 30, 0, 0, 0, 1, false), true)) {
      ConnectionConfig cfg = ConnectionConfig.builder("hubspot-real", "hubspot").baseUrl(real.sandbox.baseUrl())
          .token(real.sandbox.hubspot().token(), "HUBSPOT_TOKEN").tier("professional").objects(List.of("contacts")).build();
      long records = 0;
      try (SourceConnector c = real.factory.source(cfg)) {
        for (StreamRequest first : List.of(StreamRequest.full("contacts"),
            StreamRequest.incremental("contacts", real.sandboxClock.instant().minus(Duration.ofDays(800))))) {
          StreamRequest req = first;
          while (true) {
            Page p;
            try {
              p = c.fetchRecords(req);
            } catch (ConnectorException e) {
              assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
              continue; // the limiter said wait: a sync job would snooze; here we simply ask again
            }
            records += p.records().size();
            if (p.streamDone()) {
              break;
            }
            req = req.resumeFrom(p.nextCheckpoint());
          }
        }
      }
      assertThat(records).isEqualTo(1_800);
      assertThat(real.sandbox.counters().tooManyRequestsServed()).isZero();
    }
  }

  /** Records what the connector feeds back; grants every permit (the limiter itself is the queue's business). */
  private static final class RecordingGate implements RateLimitGate {
    final List<String> observed = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void define(String name, RateLimitSpec limit) {}

    @Override
    public java.util.Optional<Duration> acquire(List<String> names, int permits, Duration maxWait) {
      return java.util.Optional.empty();
    }

    @Override
    public void observe(String name, long remaining, Duration windowLeft) {
      observed.add(name + " " + remaining + " " + windowLeft);
    }
  }

  @Test
  void hubSpotsOwnCountLowersTheSharedBucketWhenItRunsLow() throws Exception {
    RecordingGate gate = new RecordingGate();
    ConnectorFactory factory = new ConnectorFactory(gate, java.time.Clock.systemUTC());
    ConnectionConfig cfg = portal.connection("hubspot-observed", List.of("contacts")).properties("contacts", List.of("email"))
        .limit("10s", RateLimitSpec.of(20, Duration.ofSeconds(10))).build();
    portal.sandbox.hubspot().resetRateLimits();
    portal.sandbox.hubspot().setLimits(20, 100_000_000L);
    try (SourceConnector c = factory.source(cfg)) {
      StreamRequest req = StreamRequest.full("contacts");
      ConnectorException limited = null;
      for (int i = 0; i < 30 && limited == null; i++) {
        try {
          req = req.resumeFrom(c.fetchRecords(req).nextCheckpoint());
        } catch (ConnectorException e) {
          limited = e;
        }
      }
      // The sandbox's clock stands still, so its 10-second window fills after 20 calls.
      assertThat(limited).isNotNull();
      assertThat(limited.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
      assertThat(gate.observed).contains("hubspot-observed:10s 1 PT0S", "hubspot-observed:10s 0 PT0S");
      assertThat(gate.observed).noneMatch(o -> o.startsWith("hubspot-observed:10s 10 "));
      assertThat(gate.observed.get(gate.observed.size() - 1)).startsWith("hubspot-observed:10s 0 PT").isNotEqualTo("hubspot-observed:10s 0 PT0S");
    } finally {
      portal.sandbox.hubspot().setLimits(1_000_000, 100_000_000L);
      portal.sandbox.hubspot().resetRateLimits();
    }
  }

  @Test
  void withoutConfiguredPropertiesEveryPropertyThePortalListsIsRead() throws Exception {
    ConnectionConfig bare = ConnectionConfig.builder("hubspot-bare", "hubspot").baseUrl(portal.sandbox.baseUrl())
        .token(portal.sandbox.hubspot().token()).tier("professional")
        .limit("10s", RateLimitSpec.of(1_000_000, Duration.ofSeconds(10))).objects(List.of("contacts")).build();
    try (HubSpotConnector c = portal.factory.hubspot(bare)) {
      Page p = c.fetchRecords(StreamRequest.full("contacts"));
      // Either the portal's full property list or, where it serves none, the defaults: email is in both.
      assertThat(c.properties("contacts")).contains("email", "lastmodifieddate");
      assertThat(p.records()).isNotEmpty().allSatisfy(r -> assertThat(r.properties()).containsKey("email"));
    }
  }
}
