package dev.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitRegistryTest {

  private final RateLimitRegistry registry = RateLimitRegistry.builtIn();

  @Test
  void hubspotTiersCarryThePublishedLimits() {
    ConnectionLimits pro = registry.limitsFor("hubspot", "professional", Map.of());
    assertThat(pro.registryVersion()).isEqualTo(1);
    assertThat(pro.buckets()).containsEntry("10s", RateLimitSpec.of(190, Duration.ofSeconds(10)))
        .containsEntry("daily", RateLimitSpec.of(625_000, Duration.ofDays(1)))
        .containsEntry("search", RateLimitSpec.of(5, Duration.ofSeconds(1)));
    assertThat(registry.limitsFor("hubspot", "Starter", null).buckets().get("10s").permits()).isEqualTo(100);
    assertThat(registry.limitsFor("hubspot", "starter", null).buckets().get("daily").permits()).isEqualTo(250_000);
    assertThat(registry.limitsFor("hubspot", "enterprise", null).buckets().get("daily").permits()).isEqualTo(1_000_000);
    assertThat(registry.limitsFor("hubspot", null, null).tier()).isEqualTo("starter");
  }

  @Test
  void searchAndAssociationBatchesDoNotTakeTheTenSecondBucket() {
    ConnectionLimits l = registry.limitsFor("hubspot", "professional", Map.of());
    assertThat(l.bucketsFor("hubspot-main", "list")).containsExactly("hubspot-main:10s", "hubspot-main:daily");
    assertThat(l.bucketsFor("hubspot-main", "search")).containsExactly("hubspot-main:search", "hubspot-main:daily");
    assertThat(l.bucketsFor("hubspot-main", "associations")).containsExactly("hubspot-main:daily");
  }

  @Test
  void overridesReplaceTierBuckets() {
    ConnectionLimits l = registry.limitsFor("hubspot", "professional",
        Map.of("search", RateLimitSpec.of(500, Duration.ofSeconds(1))));
    assertThat(l.buckets().get("search").permits()).isEqualTo(500);
    assertThat(l.buckets().get("10s").permits()).isEqualTo(190);
  }

  @Test
  void unknownTierOrPlatformNamesTheChoices() {
    assertThatThrownBy(() -> registry.limitsFor("hubspot", "gold", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown hubspot tier 'gold'").hasMessageContaining("professional");
    assertThatThrownBy(() -> registry.limitsFor("pipedrive", null, Map.of()))
        .hasMessageContaining("pipedrive").hasMessageContaining("salesforce");
  }

  @Test
  void everyPlatformOfTheReferenceHasLimits() {
    assertThat(registry.platforms()).contains("hubspot", "salesforce", "mailchimp", "segment", "slack");
    assertThat(registry.limitsFor("salesforce", null, null).buckets().get("daily").permits()).isEqualTo(100_000);
    assertThat(registry.limitsFor("segment", null, null).buckets().get("1s").permits()).isEqualTo(1_000);
    assertThat(registry.limitsFor("slack", null, null).buckets().get("message").permits()).isEqualTo(1);
    assertThat(registry.limitsFor("mailchimp", null, null).buckets()).isEmpty();
  }

  @Test
  void limitsAsWrittenInTheConfig() {
    assertThat(RateLimitSpec.parse("190/10s")).isEqualTo(RateLimitSpec.of(190, Duration.ofSeconds(10)));
    assertThat(RateLimitSpec.parse(" 625000 / 1d ")).isEqualTo(RateLimitSpec.of(625_000, Duration.ofDays(1)));
    assertThat(RateLimitSpec.parse("5/1s")).isEqualTo(RateLimitSpec.of(5, Duration.ofSeconds(1)));
    assertThat(RateLimitSpec.parse("100/PT10S")).isEqualTo(RateLimitSpec.of(100, Duration.ofSeconds(10)));
    assertThat(RateLimitSpec.parse("3/500ms").window()).isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> RateLimitSpec.parse("fast")).hasMessageContaining("must look like 190/10s");
    assertThatThrownBy(() -> RateLimitSpec.parse("x/10s")).hasMessageContaining("not a whole number");
    assertThatThrownBy(() -> RateLimitSpec.parse("10/10 fortnights")).hasMessageContaining("must be like 10s");
    assertThatThrownBy(() -> RateLimitSpec.parse("0/10s")).hasMessageContaining("at least 1 permit");
  }

  @Test
  void everyConnectorPlatformHasItsLimitsAndTheMailchimpCapIsOverriddenPerConnection() {
    assertThat(registry.platforms()).containsAll(ConnectorFactory.SOURCE_PLATFORMS).containsAll(ConnectorFactory.DESTINATION_PLATFORMS);
    ConnectionLimits mc = registry.limitsFor("mailchimp", null, Map.of());
    assertThat(mc.registryVersion()).isEqualTo(2);
    assertThat(mc.buckets()).isEmpty();
    assertThat(mc.concurrency()).containsEntry("connections", 10);
    assertThat(mc.bucketsFor("mailchimp-main", "write")).isEmpty();
    ConnectionLimits seg = registry.limitsFor("segment", null, Map.of());
    assertThat(seg.buckets()).containsEntry("1s", RateLimitSpec.of(1_000, Duration.ofSeconds(1)));
    assertThat(seg.bucketsFor("segment-main", "write")).containsExactly("segment-main:1s");
    assertThat(registry.limitsFor("salesforce", null, Map.of()).buckets().get("daily").permits()).isEqualTo(100_000);

    ConnectorFactory factory = new ConnectorFactory(RateLimitGate.unlimited(), java.time.Clock.systemUTC());
    ConnectionConfig.Builder b = ConnectionConfig.builder("mc", "mailchimp").token("0123456789abcdef0123456789abcdef-us21")
        .setting("list_id", "a6b5da1054");
    assertThat(factory.limits(b.build()).concurrency()).containsEntry("connections", 10);
    assertThat(factory.limits(b.setting("max_connections", "4").build()).concurrency()).containsEntry("connections", 4);
    assertThatThrownBy(() -> factory.mailchimp(b.setting("max_connections", "0").build())).hasMessageContaining("max_connections");
    assertThatThrownBy(() -> factory.source(ConnectionConfig.builder("seg", "segment").token("wk").build()))
        .hasMessageContaining("cannot read from platform 'segment'");
  }
}
