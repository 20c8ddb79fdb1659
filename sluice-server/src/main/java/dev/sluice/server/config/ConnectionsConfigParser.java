package dev.sluice.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.RateLimitRegistry;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.inbound.WebhookSources;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code connections.<name>}: platform, base URL, token, tier and limit overrides, objects and
 * properties, cron, the platform's own settings, and the webhook secret each platform signs with.
 * Every error names its YAML path, as {@link ConfigParser}'s do.
 */
final class ConnectionsConfigParser {
  private static final Set<String> CONNECTION_KEYS =
      Set.of("platform", "base_url", "token", "tier", "limits", "objects", "properties", "cron", "search_index_settle_ms",
          "daily_limit_time_zone", "webhooks", "settings");
  /** The one key of {@code connections.<name>.webhooks} per platform. */
  private static final Map<String, String> WEBHOOK_KEYS =
      Map.of("hubspot", "app_secret", "salesforce", "organization_id", "mailchimp", "path_secret");
  /** {@code limits:} keys and the window each one counts over. */
  private static final Map<String, Duration> LIMIT_KEYS = Map.of(
      "requests_per_10s", Duration.ofSeconds(10), "requests_per_day", Duration.ofDays(1), "search_per_second", Duration.ofSeconds(1),
      "requests_per_second", Duration.ofSeconds(1), "write_requests_per_minute", Duration.ofMinutes(1),
      "read_requests_per_minute", Duration.ofMinutes(1));
  /** {@code limits:} keys and the rate-limit registry's bucket class each one overrides. */
  private static final Map<String, String> LIMIT_BUCKETS =
      Map.of("requests_per_10s", "10s", "requests_per_day", "daily", "search_per_second", "search", "requests_per_second", "1s",
          "write_requests_per_minute", "write_minute", "read_requests_per_minute", "read_minute");
  /** Tiers in the order error messages list them (registry tiers not named here come last). */
  private static final List<String> TIER_ORDER = List.of("free", "starter", "professional", "enterprise");

  private final ConfigParser parser;
  private final RateLimitRegistry registry = RateLimitRegistry.builtIn();

  ConnectionsConfigParser(ConfigParser parser) {
    this.parser = parser;
  }

  /** {@code connections.<name>.webhooks: {app_secret | organization_id | path_secret: …}}. */
  void webhooks(ConnectionConfig c, JsonNode node, WebhookSources.Builder out) {
    JsonNode w = node.get("webhooks");
    if (w == null || w.isNull()) return;
    String path = "connections." + c.name() + ".webhooks";
    ConfigParser.requireObject(w, path);
    String key = WEBHOOK_KEYS.get(c.platform());
    if (key == null) throw new ConfigException(path, "platform '" + c.platform() + "' sends no webhooks Sluice receives");
    ConfigParser.checkKeys(w, path, Set.of(key));
    switch (c.platform()) {
      case "hubspot" -> out.hubspot(c.name(), parser.optionalSecret(w, path, key, c.name())
          .orElseThrow(() -> new ConfigException(path + "." + key, "missing (the app's client secret, e.g. ${HUBSPOT_APP_SECRET})")).reveal());
      case "salesforce" -> out.salesforce(c.name(), parser.optionalString(w, path, key)
          .orElseThrow(() -> new ConfigException(path + "." + key, "missing (the 15- or 18-character org id, 00D…)")));
      default -> out.mailchimp(c.name(), parser.optionalSecret(w, path, key, c.name())
          .orElseThrow(() -> new ConfigException(path + "." + key, "missing (a long random string, e.g. ${MAILCHIMP_WEBHOOK_SECRET})")).reveal());
    }
  }

  ConnectionConfig connection(String name, JsonNode node) {
    String path = "connections." + name;
    if (!ConfigParser.CONNECTION_NAME.matcher(name).matches()) {
      throw new ConfigException(path, "a connection name uses letters, digits, '-', '_' and '.' (at most 63 characters)");
    }
    ConfigParser.requireObject(node, path);
    ConfigParser.checkKeys(node, path, CONNECTION_KEYS);

    String platformName = parser.requiredString(node, path, "platform");
    Platform platform = Platform.named(platformName).orElseThrow(() -> new ConfigException(path + ".platform",
        "'" + platformName + "' is not one of " + Platform.names()));

    // Mailchimp's data center is the API key's suffix: without base_url the connection derives it.
    URI baseUrl = parser.optionalString(node, path, "base_url").map(s -> ConfigParser.url(s, path + ".base_url"))
        .orElse(platform == Platform.MAILCHIMP ? null : platform.defaultBaseUrl());

    Secret token = parser.optionalSecret(node, path, "token", name)
        .orElseThrow(() -> new ConfigException(path + ".token", "missing (write e.g. token: ${" + envNameFor(name) + "} and set that variable)"));

    Optional<String> tier = parser.optionalString(node, path, "tier").map(String::toLowerCase);
    tier.ifPresent(t -> {
      if (!registry.tiers(platform.configName()).contains(t)) {
        throw new ConfigException(path + ".tier", "'" + t + "' is not one of " + String.join(", ", tierNames(platform)));
      }
    });
    Map<String, RateLimitSpec> limitOverrides = new LinkedHashMap<>();
    JsonNode limitsNode = node.get("limits");
    if (limitsNode != null && !limitsNode.isNull()) {
      String lp = path + ".limits";
      ConfigParser.requireObject(limitsNode, lp);
      ConfigParser.checkKeys(limitsNode, lp, LIMIT_KEYS.keySet());
      for (Map.Entry<String, Duration> e : LIMIT_KEYS.entrySet()) {
        parser.optionalInt(limitsNode, lp, e.getKey(), 1, Integer.MAX_VALUE)
            .ifPresent(v -> limitOverrides.put(LIMIT_BUCKETS.get(e.getKey()), RateLimitSpec.of(v, e.getValue())));
      }
    }
    List<String> objects = platform.objects();
    JsonNode objectsNode = node.get("objects");
    if (objectsNode != null && !objectsNode.isNull()) {
      objects = parser.stringList(objectsNode, path + ".objects");
      if (objects.isEmpty()) throw new ConfigException(path + ".objects", "must name at least one object (" + String.join(", ", platform.objects()) + ")");
      for (int i = 0; i < objects.size(); i++) checkObject(platform, objects.get(i), path + ".objects[" + i + "]");
      if (new LinkedHashSet<>(objects).size() != objects.size()) throw new ConfigException(path + ".objects", "names an object twice");
    }

    Map<String, List<String>> properties = new LinkedHashMap<>();
    JsonNode propsNode = node.get("properties");
    if (propsNode != null && !propsNode.isNull()) {
      ConfigParser.requireObject(propsNode, path + ".properties");
      for (Map.Entry<String, JsonNode> e : propsNode.properties()) {
        String pp = path + ".properties." + e.getKey();
        checkObject(platform, e.getKey(), pp);
        if (!objects.contains(e.getKey())) throw new ConfigException(pp, "'" + e.getKey() + "' is not in this connection's objects " + objects);
        List<String> props = parser.stringList(e.getValue(), pp);
        if (props.isEmpty()) throw new ConfigException(pp, "must list at least one property (or leave the object out for the default set)");
        properties.put(e.getKey(), props);
      }
    }

    Optional<String> cron = parser.optionalString(node, path, "cron");
    cron.ifPresent(c -> {
      if (c.trim().split("\\s+").length != 5) {
        throw new ConfigException(path + ".cron", "'" + c + "' is not a 5-field cron expression (minute hour day-of-month month day-of-week)");
      }
    });

    // How long after a run starts its last search pass may begin (null: the platform's default).
    Duration settle = parser.optionalInt(node, path, "search_index_settle_ms", 0, 600_000).map(Duration::ofMillis).orElse(null);
    // The daily quota resets at midnight in the account's time zone (HubSpot: the portal's setting).
    java.time.ZoneId dailyZone = parser.optionalString(node, path, "daily_limit_time_zone").map(z -> {
      try {
        return java.time.ZoneId.of(z.trim());
      } catch (java.time.DateTimeException e) {
        throw new ConfigException(path + ".daily_limit_time_zone", "'" + z + "' is not a time zone (e.g. UTC, Europe/Berlin, America/New_York)");
      }
    }).orElse(null);

    Map<String, String> settings = settings(node.get("settings"), path + ".settings");

    ConnectionConfig built;
    try {
      built = ConnectionConfig.builder(name, platform.configName())
          .baseUrl(baseUrl)
          .token(token.reveal(), token.source())
          .tier(tier.orElse(null))
          .limitOverrides(limitOverrides)
          .objects(objects)
          .properties(properties)
          .cron(cron.map(String::trim).orElse(null))
          .searchIndexSettle(settle)
          .dailyLimitZone(dailyZone)
          .settings(settings)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, e.getMessage());
    }
    try {
      switch (platform) {
        case SALESFORCE -> dev.sluice.connectors.salesforce.SalesforceConnector.validate(built);
        // A Mailchimp connection may only receive webhooks: its audience is needed to read or write.
        case MAILCHIMP -> {
          if (!settings.isEmpty()) dev.sluice.connectors.mailchimp.MailchimpConnector.validate(built);
        }
        case SEGMENT -> dev.sluice.connectors.segment.SegmentConnector.validate(built);
        default -> { }
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + ".settings", e.getMessage());
    }
    return built;
  }

  /** {@code settings:}: the platform's own settings, names to scalar values (Mailchimp {@code list_id}, Salesforce {@code api_version}). */
  private static Map<String, String> settings(JsonNode node, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    ConfigParser.requireObject(node, path);
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      JsonNode v = e.getValue();
      if (!v.isValueNode() || v.isNull()) {
        throw new ConfigException(path + "." + e.getKey(), "must be a single value (text or number)");
      }
      out.put(e.getKey(), v.asText());
    }
    return out;
  }

  private static String envNameFor(String connection) {
    return connection.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_TOKEN";
  }

  private static void checkObject(Platform platform, String object, String path) {
    if (!platform.objects().contains(object)) {
      throw new ConfigException(path, "'" + object + "' is not a " + platform.configName() + " object (one of "
          + String.join(", ", platform.objects()) + ")");
    }
  }

  /** The registry's tiers of {@code platform}, cheapest first as the registry lists them. */
  private List<String> tierNames(Platform platform) {
    List<String> names = new ArrayList<>(registry.tiers(platform.configName()));
    names.sort(java.util.Comparator.comparingInt(t -> TIER_ORDER.indexOf(t) < 0 ? TIER_ORDER.size() : TIER_ORDER.indexOf(t)));
    return names;
  }
}
