package dev.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionConfigTest {

  @Test
  void toStringNeverPrintsTheToken() {
    ConnectionConfig c = ConnectionConfig.builder("hubspot-main", "hubspot").token("pat-na1-secret-value", "HUBSPOT_TOKEN").build();
    assertThat(c.toString()).doesNotContain("pat-na1-secret-value").contains("***").contains("HUBSPOT_TOKEN");
  }

  @Test
  void defaultsBaseUrlAndOverlap() {
    ConnectionConfig c = ConnectionConfig.builder("hubspot-main", "HubSpot").token("t").build();
    assertThat(c.platform()).isEqualTo("hubspot");
    assertThat(c.baseUrl().toString()).isEqualTo("https://api.hubapi.com");
    assertThat(c.incrementalOverlap()).isEqualTo(ConnectionConfig.DEFAULT_INCREMENTAL_OVERLAP);
    assertThat(ConnectionConfig.builder("h", "hubspot").token("t").baseUrl(java.net.URI.create("http://127.0.0.1:8080/"))
        .build().baseUrl().toString()).isEqualTo("http://127.0.0.1:8080");
  }

  @Test
  void missingValuesAreOneLineReasons() {
    assertThatThrownBy(() -> ConnectionConfig.builder("hubspot-main", "hubspot").token(null, "HUBSPOT_TOKEN").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connection 'hubspot-main' has no token (is HUBSPOT_TOKEN set?)");
    assertThatThrownBy(() -> ConnectionConfig.builder("x", "hubspot").token("t").baseUrl("ftp://x").build())
        .hasMessageContaining("base_url must be http or https");
    assertThatThrownBy(() -> ConnectionConfig.builder("a b", "hubspot").token("t").build())
        .hasMessageContaining("may only contain");
  }

  @Test
  void factoryRejectsUnknownObjectsAndTiers() {
    ConnectorFactory f = new ConnectorFactory(RateLimitGate.unlimited(), Clock.systemUTC());
    assertThatThrownBy(() -> f.validate(ConnectionConfig.builder("h", "hubspot").token("t").objects(List.of("contacts", "leads")).build()))
        .hasMessageContaining("unknown HubSpot object 'leads'");
    assertThatThrownBy(() -> f.validate(ConnectionConfig.builder("h", "hubspot").token("t").tier("platinum").build()))
        .hasMessageContaining("unknown hubspot tier 'platinum'");
    assertThatThrownBy(() -> f.source(ConnectionConfig.builder("sl", "slack").token("t").baseUrl("https://slack.com/api").build()))
        .hasMessageContaining("cannot read from platform 'slack'");
  }
}
