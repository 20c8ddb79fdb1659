package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.RateLimitRegistry;
import dev.sluice.connectors.RateLimitSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SluiceConfigTest {
  private static final Map<String, String> ENV = Map.of("HUBSPOT_TOKEN", "pat-na1-secret-value", "SLUICE_API_TOKEN", "api-secret");

  private static final String EXAMPLE = """
      connections:
        hubspot-main:
          platform: hubspot
          base_url: https://api.hubapi.com
          token: ${HUBSPOT_TOKEN}
          tier: professional
          objects: [contacts, companies, deals, tickets]
      """;

  private static ConnectionLimits limits(ConnectionConfig c) {
    return RateLimitRegistry.builtIn().limitsFor(c.platform(), c.tier(), c.limitOverrides());
  }

  @Test
  void parsesTheDocumentedExample() {
    SluiceConfig config = SluiceConfig.parse(EXAMPLE, ENV);
    ConnectionConfig c = config.connection("hubspot-main");
    assertThat(c.platform()).isEqualTo("hubspot");
    assertThat(c.baseUrl()).isEqualTo(URI.create("https://api.hubapi.com"));
    assertThat(c.token()).isEqualTo("pat-na1-secret-value");
    assertThat(c.tokenSource()).isEqualTo("${HUBSPOT_TOKEN}");
    assertThat(c.tier()).isEqualTo("professional");
    assertThat(c.limitOverrides()).isEmpty();
    assertThat(limits(c).buckets()).containsEntry("10s", RateLimitSpec.of(190, Duration.ofSeconds(10)))
        .containsEntry("daily", RateLimitSpec.of(625_000, Duration.ofDays(1)));
    assertThat(c.objects()).containsExactly("contacts", "companies", "deals", "tickets");
    assertThat(c.cron()).isNull();
    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.server().apiToken()).get().extracting(Secret::reveal).isEqualTo("api-secret");
    assertThat(config.workers().concurrency()).isEqualTo(8);
    assertThat(config.database()).isEmpty();
  }

  @Test
  void theTokenNeverAppearsInPrintedForms() {
    SluiceConfig config = SluiceConfig.parse(EXAMPLE, ENV);
    assertThat(config.toString()).doesNotContain("pat-na1-secret-value").doesNotContain("api-secret");
    assertThat(config.connection("hubspot-main").toString()).doesNotContain("pat-na1-secret-value").contains("${HUBSPOT_TOKEN}");
  }

  @Test
  void defaultsAndOptionalKeys() {
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          crm:
            platform: HubSpot
            token: ${HUBSPOT_TOKEN}
            limits: {requests_per_10s: 50}
            properties:
              contacts: [email, firstname]
            cron: "*/15 * * * *"
        server: {port: "${PORT:-9090}", api_token: "${SLUICE_API_TOKEN}"}
        workers: {concurrency: 3}
        database: {url: "postgres://u:p@db:5432/sluice"}
        """, ENV);
    ConnectionConfig c = config.connection("crm");
    assertThat(c.baseUrl()).isEqualTo(URI.create("https://api.hubapi.com"));
    assertThat(c.objects()).containsExactly("contacts", "companies", "deals", "tickets");
    assertThat(c.tier()).isNull();
    assertThat(limits(c).tier()).isEqualTo("starter");
    assertThat(limits(c).buckets()).containsEntry("10s", RateLimitSpec.of(50, Duration.ofSeconds(10)))
        .containsEntry("daily", RateLimitSpec.of(250_000, Duration.ofDays(1)));
    assertThat(c.properties()).containsOnlyKeys("contacts");
    assertThat(c.properties().get("contacts")).containsExactly("email", "firstname");
    assertThat(c.cron()).isEqualTo("*/15 * * * *");
    assertThat(config.server().port()).isEqualTo(9090);
    assertThat(config.workers().concurrency()).isEqualTo(3);
    assertThat(config.database()).contains("postgres://u:p@db:5432/sluice");
  }

  @Test
  void databaseAndApiTokenFallBackToTheEnvironment() {
    SluiceConfig config = SluiceConfig.fromEnvironment(Map.of("SLUICE_DATABASE_URL", "postgres://x@h/db", "SLUICE_API_TOKEN", "t"));
    assertThat(config.database()).contains("postgres://x@h/db");
    assertThat(config.server().apiToken()).isPresent();
    assertThat(config.connections()).isEmpty();
    assertThat(SluiceConfig.fromEnvironment(Map.of()).server().apiToken()).isEmpty();
  }

  @Test
  void missingVariableNamesConnectionAndVariable() {
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("connections.hubspot-main.token: environment variable HUBSPOT_TOKEN is not set (needed by connection 'hubspot-main')");
  }

  @Test
  void readOnlyCommandsStartWithoutTheConnectionTokens(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("sluice.yaml"), EXAMPLE + "server: {port: 81}\n");
    SluiceConfig config = SluiceConfig.locateAndLoadForReading(null, Map.of(), dir);
    assertThat(config.connection("hubspot-main").token()).isEqualTo("unset:${HUBSPOT_TOKEN}");
    assertThat(config.server().port()).isEqualTo(81);
    // every other value is still checked
    Files.writeString(dir.resolve("sluice.yaml"), EXAMPLE.replace("professional", "gold"));
    assertThatThrownBy(() -> SluiceConfig.locateAndLoadForReading(null, Map.of(), dir)).hasMessageContaining("'gold'");
  }

  @Test
  void badTierIsNamedWithItsPath() {
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("professional", "gold"), ENV))
        .hasMessageStartingWith("connections.hubspot-main.tier: 'gold' is not one of free, starter, professional, enterprise");
  }

  @Test
  void unknownPlatformObjectAndKey() {
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("platform: hubspot", "platform: pipedrive"), ENV))
        .hasMessage("connections.hubspot-main.platform: 'pipedrive' is not one of hubspot, salesforce, mailchimp, segment, google_sheets");
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("tickets]", "invoices]"), ENV))
        .hasMessage("connections.hubspot-main.objects[3]: 'invoices' is not a hubspot object (one of contacts, companies, deals, tickets)");
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("tier:", "teir:"), ENV))
        .hasMessageStartingWith("connections.hubspot-main.teir: unknown key (expected one of base_url, cron, daily_limit_time_zone, limits, objects,");
    assertThatThrownBy(() -> SluiceConfig.parse("connection: {}", ENV))
        .hasMessageStartingWith("connection: unknown key");
  }

  @Test
  void theSearchIndexSettleTimeIsPerConnectionWithThePlatformsDefault() {
    assertThat(SluiceConfig.parse(EXAMPLE, ENV).connection("hubspot-main").searchIndexSettle()).isNull();
    ConnectionConfig c = SluiceConfig.parse(EXAMPLE.replace("tier: professional", "tier: professional\n    search_index_settle_ms: 2500"), ENV)
        .connection("hubspot-main");
    assertThat(c.searchIndexSettle()).isEqualTo(java.time.Duration.ofMillis(2500));
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("tier: professional", "tier: professional\n    search_index_settle_ms: -1"), ENV))
        .hasMessageStartingWith("connections.hubspot-main.search_index_settle_ms: -1 is out of range");
  }

  @Test
  void theDailyLimitResetsAtMidnightInTheConnectionsTimeZone() {
    assertThat(SluiceConfig.parse(EXAMPLE, ENV).connection("hubspot-main").dailyLimitZone()).isEqualTo(java.time.ZoneId.of("UTC"));
    ConnectionConfig c = SluiceConfig.parse(EXAMPLE.replace("tier: professional", "tier: professional\n    daily_limit_time_zone: Europe/Berlin"), ENV)
        .connection("hubspot-main");
    assertThat(c.dailyLimitZone()).isEqualTo(java.time.ZoneId.of("Europe/Berlin"));
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("tier: professional", "tier: professional\n    daily_limit_time_zone: Mars/Olympus"), ENV))
        .hasMessageStartingWith("connections.hubspot-main.daily_limit_time_zone: 'Mars/Olympus' is not a time zone");
  }

  @Test
  void wrongTypesSayWhatWasExpected() {
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE + "server: {port: abc}\n", ENV))
        .hasMessage("server.port: expected a whole number, got 'abc'");
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE + "server: {port: 70000}\n", ENV))
        .hasMessage("server.port: 70000 is out of range 0..65535");
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE + "workers: [1]\n", ENV))
        .hasMessage("workers: expected a mapping (key: value lines), got a list");
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("[contacts, companies, deals, tickets]", "{a: 1}"), ENV))
        .hasMessage("connections.hubspot-main.objects: expected a list such as [a, b], got a mapping");
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("${HUBSPOT_TOKEN}", "12345"), ENV))
        .hasMessage("connections.hubspot-main.token: expected a text value such as ${SOME_VARIABLE}, got a number");
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("https://api.hubapi.com", "ftp://x"), ENV))
        .hasMessage("connections.hubspot-main.base_url: 'ftp://x' is not an http(s) URL with a host");
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE + "  other:\n    platform: hubspot\n", ENV))
        .hasMessageStartingWith("connections.other.token: missing");
    assertThatThrownBy(() -> SluiceConfig.parse(EXAMPLE.replace("tier: professional", "tier: professional\n    cron: every hour"), ENV))
        .hasMessageStartingWith("connections.hubspot-main.cron: 'every hour' is not a 5-field cron expression");
  }

  @Test
  void invalidYamlGivesLineAndColumn() {
    assertThatThrownBy(() -> SluiceConfig.parse("connections:\n  a: [unclosed\n", ENV))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("not valid YAML at line");
    assertThatThrownBy(() -> SluiceConfig.parse("server: {port: 1}\nserver: {port: 2}\n", ENV))
        .hasMessageContaining("Duplicate field 'server'");
  }

  @Test
  void unknownConnectionListsTheConfiguredOnes() {
    SluiceConfig config = SluiceConfig.parse(EXAMPLE, ENV);
    assertThatThrownBy(() -> config.connection("nope")).hasMessage("unknown connection 'nope' (configured: hubspot-main)");
  }

  @Test
  void locatesTheFileByOptionThenEnvironmentThenWorkingDirectory(@TempDir Path dir) throws IOException {
    assertThat(SluiceConfig.locate(null, Map.of(), dir)).isEmpty();
    Files.writeString(dir.resolve("sluice.yaml"), EXAMPLE);
    Files.writeString(dir.resolve("other.yaml"), "workers: {concurrency: 2}\n");
    assertThat(SluiceConfig.locate(null, Map.of(), dir)).contains(dir.resolve("sluice.yaml"));
    assertThat(SluiceConfig.locate(null, Map.of("SLUICE_CONFIG", "other.yaml"), dir)).contains(dir.resolve("other.yaml"));
    assertThat(SluiceConfig.locate("sluice.yaml", Map.of("SLUICE_CONFIG", "other.yaml"), dir)).contains(dir.resolve("sluice.yaml"));
    assertThat(SluiceConfig.locateAndLoad(null, Map.of("SLUICE_CONFIG", "other.yaml"), dir).workers().concurrency()).isEqualTo(2);
    assertThatThrownBy(() -> SluiceConfig.locate("missing.yaml", Map.of(), dir))
        .hasMessageContaining("missing.yaml does not exist (from --config)");
    assertThatThrownBy(() -> SluiceConfig.load(dir.resolve("sluice.yaml"), Map.of()))
        .hasMessageStartingWith("connections.hubspot-main.token: environment variable HUBSPOT_TOKEN is not set")
        .hasMessageEndingWith("(in " + dir.resolve("sluice.yaml") + ")");
    assertThat(List.of(SluiceConfig.load(dir.resolve("sluice.yaml"), ENV).source())).containsExactly(java.util.Optional.of(dir.resolve("sluice.yaml")));
  }

  @Test
  void webhookSecretsPerConnectionAndStandardSources() {
    String yaml = """
        connections:
          hubspot-main:
            platform: hubspot
            token: ${HUBSPOT_TOKEN}
            webhooks:
              app_secret: ${HUBSPOT_APP_SECRET}
          sf:
            platform: salesforce
            base_url: https://example.my.salesforce.com
            token: ${SF_TOKEN}
            webhooks:
              organization_id: 00D000000000001AAA
          mc:
            platform: mailchimp
            token: ${MC_TOKEN}
            webhooks:
              path_secret: ${MC_HOOK_SECRET}
        inbound:
          public_base_url: https://hooks.example.com
          keep_events_days: 7
          standard:
            shop:
              secrets:
                - ${SHOP_SECRET}
        """;
    Map<String, String> env = Map.of("HUBSPOT_TOKEN", "t", "HUBSPOT_APP_SECRET", "app-secret", "SF_TOKEN", "t", "MC_TOKEN", "t",
        "MC_HOOK_SECRET", "path-secret", "SHOP_SECRET", "whsec_c2hvcC1zZWNyZXQ=");
    SluiceConfig config = SluiceConfig.parse(yaml, env);
    var sources = config.inbound().sources();
    assertThat(sources.names(dev.sluice.inbound.WebhookSender.HUBSPOT)).containsExactly("hubspot-main");
    assertThat(sources.names(dev.sluice.inbound.WebhookSender.SALESFORCE)).containsExactly("sf");
    assertThat(sources.names(dev.sluice.inbound.WebhookSender.MAILCHIMP)).containsExactly("mc");
    assertThat(sources.names(dev.sluice.inbound.WebhookSender.STANDARD)).containsExactly("shop");
    assertThat(config.inbound().keepEvents()).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(config.toString()).doesNotContain("app-secret", "path-secret", "c2hvcC1zZWNyZXQ");

    assertThatThrownBy(() -> SluiceConfig.parse(yaml.replace("app_secret:", "secret:"), env))
        .hasMessageStartingWith("connections.hubspot-main.webhooks.secret: unknown key (expected one of app_secret)");
    assertThatThrownBy(() -> SluiceConfig.parse(yaml.replace("${SHOP_SECRET}", "${NOPE}"), env))
        .hasMessageContaining("NOPE");
    assertThatThrownBy(() -> SluiceConfig.parse(yaml.replace("whsec_c2hvcC1zZWNyZXQ=", "x"), Map.of()))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void mailchimpAndSegmentConnectionsTakeTheirSettingsAndMailchimpItsDataCenterFromTheKey() {
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          mc:
            platform: mailchimp
            token: ${MC_KEY}
            settings:
              list_id: a6b5da1054
              max_connections: 4
          seg:
            platform: segment
            token: ${SEGMENT_WRITE_KEY}
            limits:
              requests_per_second: 200
        """, Map.of("MC_KEY", "0123456789abcdef0123456789abcdef-us21", "SEGMENT_WRITE_KEY", "wk"));
    ConnectionConfig mc = config.connections().get("mc");
    assertThat(mc.baseUrl()).hasToString("https://us21.api.mailchimp.com/3.0");
    assertThat(mc.setting("list_id")).isEqualTo("a6b5da1054");
    assertThat(limits(mc).concurrency()).containsEntry("connections", 10);
    assertThat(config.connections().get("seg").baseUrl()).hasToString("https://api.segment.io/v1");
    assertThat(limits(config.connections().get("seg")).buckets().get("1s").permits()).isEqualTo(200);
    assertThatThrownBy(() -> SluiceConfig.parse("""
        connections:
          mc:
            platform: mailchimp
            token: k-us21
            settings:
              listid: a6b5da1054
        """, Map.of())).hasMessageContaining("connections.mc.settings").hasMessageContaining("unknown Mailchimp setting 'listid'");
    assertThatThrownBy(() -> SluiceConfig.parse("""
        connections:
          mc:
            platform: mailchimp
            token: k-us21
            settings:
              list_id: [a, b]
        """, Map.of())).hasMessageContaining("connections.mc.settings.list_id");
  }
}
