package dev.sluice.connectors.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ErrorAction;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceConnectorContract;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.salesforce.SObjectRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The source contract for Salesforce Contacts against the sandbox (queryAll by SystemModstamp,
 * nextRecordsUrl pages of 10, deletes as archived records), plus Salesforce's own failures:
 * REQUEST_LIMIT_EXCEEDED, 5xx, an expired session, an expired query locator.
 */
class SalesforceSourceContractTest extends SourceConnectorContract {

  private static SalesforceTestOrg org;
  private static ConnectionConfig config;
  private static final AtomicInteger TOUCHED = new AtomicInteger();
  private static final Set<String> used = new java.util.HashSet<>();

  @BeforeAll
  static void start() {
    org = new SalesforceTestOrg("conn_sfsource", 45);
    config = org.connection("salesforce-main").objects(List.of("Contact", "Account")).build();
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  @AfterEach
  void clearFaults() {
    org.env.sandbox.faults().clear();
  }

  @Override
  protected SourceConnector newConnector() {
    return org.env.factory.source(config);
  }

  @Override
  protected List<String> objectTypes() {
    return List.of("Contact", "Account");
  }

  @Override
  protected Set<String> liveIds(String objectType) {
    Set<String> s = new TreeSet<>();
    org.salesforce.records(objectType).forEach(r -> s.add(r.id()));
    return s;
  }

  @Override
  protected Set<String> archivedIds(String objectType) {
    Set<String> s = new TreeSet<>();
    org.salesforce.deletedRecords(objectType).forEach(r -> s.add(r.id()));
    return s;
  }

  @Override
  protected SourceRecord expected(String objectType, String id) {
    return org.expected(objectType, id);
  }

  private synchronized List<SObjectRecord> unused(String objectType, int n) {
    List<SObjectRecord> out = new java.util.ArrayList<>();
    for (SObjectRecord r : org.salesforce.records(objectType)) {
      if (out.size() < n && used.add(r.id())) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  protected Set<String> touch(String objectType, int n) {
    Set<String> ids = new LinkedHashSet<>();
    for (SObjectRecord r : unused(objectType, n)) {
      org.salesforce.updateRecord(objectType, r.id(), Map.of("Title", "Touched " + TOUCHED.incrementAndGet()));
      ids.add(r.id());
    }
    return ids;
  }

  @Override
  protected Set<String> archive(String objectType, int n) {
    Set<String> ids = new LinkedHashSet<>();
    for (SObjectRecord r : unused(objectType, n)) {
      assertThat(org.salesforce.deleteRecord(objectType, r.id())).isTrue();
      ids.add(r.id());
    }
    return ids;
  }

  @Override
  protected Instant sourceNow() {
    return org.env.clock.instant();
  }

  @Override
  protected void elapse(Duration d) {
    org.env.clock.advance(d);
  }

  @Override
  protected Duration overlap() {
    return config.incrementalOverlap();
  }

  @Override
  protected void lagChanges(Duration lag) {
    // SystemModstamp queries see a committed change at once.
  }

  @Override
  protected Duration settle() {
    return Duration.ZERO;
  }

  @Test
  void anExpiredQueryLocatorRestartsAtTheLastSecondReadWithoutLosingRecords() throws Exception {
    try (SourceConnector c = newConnector()) {
      Page first = c.fetchRecords(StreamRequest.full("Contact"));
      assertThat(first.streamDone()).isFalse();
      // A checkpoint whose locator Salesforce no longer knows.
      String stale = first.nextCheckpoint().replaceAll("/queryAll/[^\"]+", "/queryAll/01gSTALE000000000-10");
      Set<String> rest = new TreeSet<>();
      List<Page> pages = readAll(c, StreamRequest.full("Contact").resumeFrom(stale));
      pages.forEach(p -> p.records().forEach(r -> rest.add(r.externalId())));
      Set<String> all = new TreeSet<>(rest);
      first.records().forEach(r -> all.add(r.externalId()));
      Set<String> expected = new TreeSet<>(liveIds("Contact"));
      expected.addAll(archivedIds("Contact"));
      assertThat(all).isEqualTo(expected);
    }
  }

  @Test
  void aSpentAllocationIsWaitedOutForAMinute() throws Exception {
    try (SalesforceTestOrg small = new SalesforceTestOrg("conn_sfspent",
        dev.sluice.sandbox.salesforce.SalesforceOptions.builder().counts(1, 1, 0, 0).dailyApiAllocation(3).build());
         SourceConnector c = small.env.factory.source(small.connection("salesforce-small").objects(List.of("Account")).build())) {
      ConnectorException refused = null;
      for (int i = 0; i < 5 && refused == null; i++) {
        try {
          c.fetchRecords(StreamRequest.full("Account"));
        } catch (ConnectorException e) {
          refused = e;
        }
      }
      assertThat(refused).isNotNull();
      assertThat(refused.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
      assertThat(refused.retryAfter()).isEqualTo(SalesforceHttp.REQUEST_LIMIT_WAIT);
      assertThat(refused.getMessage()).contains("is spent");
      assertThat(small.salesforce.requestLimitExceededCount()).isEqualTo(1);
    }
  }

  @Test
  void onlyARefusalThatShowsASpentAllocationIsTheAllocation() {
    assertThat(SalesforceHttp.allocationSpent("TotalRequests Limit exceeded.", java.util.Optional.of("api-usage=100000/100000"))).isTrue();
    assertThat(SalesforceHttp.allocationSpent("TotalRequests Limit exceeded.", java.util.Optional.empty())).isTrue();
    assertThat(SalesforceHttp.allocationSpent("TotalRequests Limit exceeded.", java.util.Optional.of("api-usage=25/5000"))).isFalse();
    assertThat(SalesforceHttp.allocationSpent("TotalRequests Limit exceeded.",
        java.util.Optional.of("api-usage=25/5000; per-app-api-usage=250/250(appName=sluice)"))).isTrue();
    assertThat(SalesforceHttp.allocationSpent("ConcurrentPerOrgLongTxn Limit exceeded.",
        java.util.Optional.of("api-usage=5000/5000"))).isFalse();
  }

  @Test
  void requestLimitExceededIsSnoozedAndServerErrorsRetried() throws Exception {
    try (SourceConnector c = newConnector()) {
      // the injected refusal answers a Sforce-Limit-Info with calls left: not the allocation, seconds
      org.env.sandbox.faults().add(FaultRule.tooManyRequests(1.0).onPath("/services/data/v65.0/queryAll").times(1));
      assertThatThrownBy(() -> c.fetchRecords(StreamRequest.full("Account"))).isInstanceOfSatisfying(ConnectorException.class, e -> {
        assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).isEqualTo(SalesforceHttp.REQUEST_BURST_WAIT);
        assertThat(c.handleError(e, 1).decision()).isEqualTo(ErrorAction.Decision.SNOOZE);
      });
      org.env.sandbox.faults().add(FaultRule.serverError(503, 1.0).onPath("/services/data/v65.0/queryAll").times(1));
      assertThatThrownBy(() -> c.fetchRecords(StreamRequest.full("Account")))
          .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RETRYABLE));
      assertThat(c.fetchRecords(StreamRequest.full("Account")).records()).isNotEmpty();
    }
  }

  @Test
  void anExpiredSessionIsAClearAuthError() {
    ConnectionConfig expired = org.connection("salesforce-expired").token("00Dexpired!token", "SF_TOKEN").build();
    try (SourceConnector c = org.env.factory.source(expired)) {
      assertThatThrownBy(() -> c.fetchRecords(StreamRequest.full("Contact"))).isInstanceOfSatisfying(ConnectorException.class, e -> {
        assertThat(e.kind()).isEqualTo(ConnectorException.Kind.AUTH);
        assertThat(e.getMessage()).contains("salesforce-expired", "INVALID_SESSION_ID", "SF_TOKEN");
      });
    }
  }

  @Test
  void estimateCountsTheLiveRecords() throws Exception {
    try (SourceConnector c = newConnector()) {
      assertThat(c.estimateTotal(StreamRequest.full("Account")).orElseThrow()).isEqualTo(liveIds("Account").size());
    }
  }
}
