package dev.sluice.connectors.hubspot;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceConnectorContract;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The source contract for HubSpot, against the sandbox portal over loopback. */
class HubSpotSourceConnectorTest extends SourceConnectorContract {

  private static final Duration OVERLAP = Duration.ofMinutes(2);
  private static HubSpotTestPortal portal;
  private static ConnectionConfig config;

  @BeforeAll
  static void start() {
    portal = new HubSpotTestPortal("conn_contract", HubSpotTestPortal.fastOptions(),
        new HubSpotDataGenerator.Spec(42, 430, 60, 90, 40, 0, 3, true));
    config = portal.connection("hubspot-contract", List.of("contacts", "companies", "deals", "tickets"))
        .incrementalOverlap(OVERLAP).build();
  }

  @AfterAll
  static void stop() {
    portal.close();
  }

  @Override
  protected SourceConnector newConnector() {
    // On the sandbox's clock: the read waits for the search index in the sandbox's time.
    return portal.sourceTimeFactory.source(config);
  }

  @Override
  protected List<String> objectTypes() {
    return List.of("contacts");
  }

  @Override
  protected Set<String> liveIds(String objectType) {
    return Set.copyOf(portal.sandbox.hubspot().ids(HubSpotTestPortal.type(objectType)));
  }

  @Override
  protected Set<String> archivedIds(String objectType) {
    return Set.copyOf(portal.archivedByTest);
  }

  @Override
  protected SourceRecord expected(String objectType, String id) {
    return portal.expected(objectType, id, config.properties().get(objectType));
  }

  @Override
  protected Set<String> touch(String objectType, int n) {
    return portal.touch(objectType, n);
  }

  @Override
  protected Set<String> archive(String objectType, int n) {
    return portal.archive(objectType, n);
  }

  @Override
  protected Instant sourceNow() {
    return portal.clock.instant();
  }

  @Override
  protected void elapse(Duration d) {
    portal.clock.advance(d);
  }

  @Override
  protected Duration overlap() {
    return OVERLAP;
  }

  @Override
  protected void lagChanges(Duration lag) {
    portal.sandbox.hubspot().setSearchIndexLag(lag);
  }

  @Override
  protected Duration settle() {
    return portal.sourceTimeFactory.searchIndexSettle(config);
  }
}
