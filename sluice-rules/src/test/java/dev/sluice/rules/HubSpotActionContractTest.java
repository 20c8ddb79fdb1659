package dev.sluice.rules;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.connectors.hubspot.HubSpotConnector;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The contract for the HubSpot actions against the sandbox portal, through a real
 * {@link HubSpotConnector} (shared rate limits in PostgreSQL on the test's clock).
 */
abstract class HubSpotActionContractTest extends ActionContractTest {
  static final Duration SETTLE = Duration.ofSeconds(3);

  @Override
  protected void startDestination() {
    sandbox = Sandbox.builder().port(0).clock(clock)
        .hubspot(HubSpotOptions.builder().customLimits(1_000_000, 100_000_000L).searchPerSecond(100_000).build()).start();
  }

  @Override
  protected RulesEngine.Builder targets(RulesEngine.Builder b, URI base) {
    ConnectorFactory factory = new ConnectorFactory(new RateLimits(db.dataSource(), queue.schema(), clock), clock);
    ConnectionConfig config = ConnectionConfig.builder("crm", "hubspot").baseUrl(base).token(sandbox.hubspot().token(), "HUBSPOT_TOKEN")
        .limit("10s", RateLimitSpec.of(1_000, Duration.ofSeconds(10)))
        .limit("daily", RateLimitSpec.of(1_000_000, Duration.ofDays(1)))
        .limit("search", RateLimitSpec.of(1_000, Duration.ofSeconds(1)))
        .searchIndexSettle(SETTLE).build();
    return b.targets(ActionTargets.builder().hubspot("crm", factory.hubspot(config), SETTLE).build());
  }

  @Override
  protected String objectId(long eventId) {
    return sandbox.hubspot().createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "Deal " + eventId, "dealstage", "appointment")).id();
  }

  @Override
  protected FaultProxy.Answer rejection() {
    return new FaultProxy.Answer(400, Map.of("Content-Type", "application/json"),
        "{\"status\":\"error\",\"message\":\"contract_rejected: Property values were not valid\",\"correlationId\":\"c0ffee\",\"category\":\"VALIDATION_ERROR\"}");
  }

  /** Records of {@code type} whose {@code property} ends with {@code marker}. */
  int count(HubSpotObjectType type, String property, String marker) {
    return (int) sandbox.hubspot().ids(type).stream()
        .map(id -> sandbox.hubspot().record(type, id).orElseThrow())
        .filter(r -> r.property(property) != null && r.property(property).endsWith(marker)).count();
  }
}
