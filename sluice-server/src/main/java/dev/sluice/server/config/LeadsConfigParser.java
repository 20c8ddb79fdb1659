package dev.sluice.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.leads.LeadDrain;
import dev.sluice.leads.LeadSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code leads:} section of {@code sluice.yaml}:
 * <pre>{@code
 * leads:
 *   drainers: 4                       # per destination connection, per process
 *   lease_seconds: 60                 # a batch a dead drainer held is sent again after this
 *   sources:
 *     website:
 *       key: ${WEBSITE_LEAD_KEY}      # the public intake key of this source (not the admin token)
 *       destination: hubspot-main     # a configured connection; leave out to store only
 *       origins: [https://www.example.com]
 *       thank_you_url: https://www.example.com/thanks
 *       strict: true
 *       fields: [firstname, lastname, company]
 *       honeypot: _hp
 *       per_ip_per_minute: 30
 *       email_rules: [strip_plus_tag, gmail_dots]
 *       mapping: {first_name: firstname}
 * }</pre>
 */
final class LeadsConfigParser {
  private static final Set<String> KEYS = Set.of("sources", "drainers", "lease_seconds");
  private static final Set<String> SOURCE_KEYS = Set.of("key", "destination", "origins", "thank_you_url", "strict", "fields",
      "honeypot", "per_ip_per_minute", "email_rules", "mapping", "commit");

  private final ConfigParser parser;

  LeadsConfigParser(ConfigParser parser) {
    this.parser = parser;
  }

  SluiceConfig.LeadSettings parse(JsonNode node, Map<String, ConnectionConfig> connections) {
    if (node == null || node.isNull()) return SluiceConfig.LeadSettings.none();
    ConfigParser.requireObject(node, "leads");
    ConfigParser.checkKeys(node, "leads", KEYS);
    int drainers = parser.optionalInt(node, "leads", "drainers", 1, 64).orElse(LeadDrain.Settings.DEFAULT_DRAINERS);
    java.time.Duration lease = parser.optionalInt(node, "leads", "lease_seconds", 2, 3600).map(java.time.Duration::ofSeconds)
        .orElse(LeadDrain.Settings.DEFAULT_LEASE);
    List<LeadSource> sources = new ArrayList<>();
    JsonNode list = node.get("sources");
    if (list != null && !list.isNull()) {
      ConfigParser.requireObject(list, "leads.sources");
      for (Map.Entry<String, JsonNode> e : list.properties()) sources.add(source(e.getKey(), e.getValue(), connections));
    }
    for (int i = 0; i < sources.size(); i++) {
      for (int j = i + 1; j < sources.size(); j++) {
        // Two sources with one key would make the key ambiguous.
        if (sources.get(j).keyMatches(keyOf(list, sources.get(i).name()))) {
          throw new ConfigException("leads.sources." + sources.get(j).name() + ".key", "is the same as the key of " + sources.get(i).name());
        }
      }
    }
    return new SluiceConfig.LeadSettings(sources, drainers, lease);
  }

  private String keyOf(JsonNode list, String name) {
    return parser.optionalSecret(list.get(name), "leads.sources." + name, "key", "lead source " + name).map(Secret::reveal).orElse("");
  }

  private LeadSource source(String name, JsonNode node, Map<String, ConnectionConfig> connections) {
    String path = "leads.sources." + name;
    if (!LeadSource.NAME.matcher(name).matches()) {
      throw new ConfigException(path, "a lead source name uses letters, digits, '-', '_' and '.' (at most 63 characters)");
    }
    ConfigParser.requireObject(node, path);
    ConfigParser.checkKeys(node, path, SOURCE_KEYS);
    Secret key = parser.optionalSecret(node, path, "key", "lead source " + name)
        .orElseThrow(() -> new ConfigException(path + ".key", "missing (write e.g. key: ${" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")
            + "_LEAD_KEY} and set that variable to a random string of 16 or more characters)"));
    if (key.reveal().length() < 16) throw new ConfigException(path + ".key", "must be at least 16 characters (it is public, but must not be guessable)");
    LeadSource.Builder b;
    try {
      b = LeadSource.builder(name, key.reveal());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, e.getMessage());
    }
    parser.optionalString(node, path, "destination").ifPresent(d -> {
      ConnectionConfig c = connections.get(d);
      if (c == null) {
        throw new ConfigException(path + ".destination", "'" + d + "' is not a configured connection"
            + (connections.isEmpty() ? "" : " (configured: " + String.join(", ", connections.keySet()) + ")"));
      }
      if (!"hubspot".equals(c.platform())) {
        throw new ConfigException(path + ".destination", "leads can drain into hubspot connections only so far ('" + d + "' is " + c.platform() + ")");
      }
      b.destination(d);
    });
    JsonNode origins = node.get("origins");
    if (origins != null && !origins.isNull()) {
      List<String> list = parser.stringList(origins, path + ".origins");
      for (int i = 0; i < list.size(); i++) {
        String o = list.get(i);
        if (!o.equals("*")) {
          ConfigParser.url(o, path + ".origins[" + i + "]");
          if (o.endsWith("/") || o.indexOf('/', o.indexOf("//") + 2) >= 0) {
            throw new ConfigException(path + ".origins[" + i + "]", "an origin is scheme://host[:port] with no path, e.g. https://www.example.com");
          }
        }
      }
      b.origins(list);
    }
    parser.optionalString(node, path, "thank_you_url").ifPresent(u -> b.thankYouUrl(ConfigParser.url(u, path + ".thank_you_url")));
    boolean strict = bool(node, path, "strict");
    b.strict(strict);
    JsonNode fields = node.get("fields");
    if (fields != null && !fields.isNull()) b.fields(new LinkedHashSet<>(parser.stringList(fields, path + ".fields")));
    else if (strict) throw new ConfigException(path + ".fields", "a strict source must list the fields it accepts");
    JsonNode honeypot = node.get("honeypot");
    if (honeypot != null) b.honeypot(honeypot.isNull() || honeypot.asText().isBlank() ? null : honeypot.asText().trim());
    parser.optionalInt(node, path, "per_ip_per_minute", 0, 1_000_000).ifPresent(b::perIpPerMinute);
    JsonNode rules = node.get("email_rules");
    if (rules != null && !rules.isNull()) {
      EnumSet<LeadSource.EmailRule> set = EnumSet.noneOf(LeadSource.EmailRule.class);
      List<String> names = parser.stringList(rules, path + ".email_rules");
      for (int i = 0; i < names.size(); i++) {
        try {
          set.add(LeadSource.EmailRule.valueOf(names.get(i).toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(path + ".email_rules[" + i + "]", "'" + names.get(i) + "' is not one of strip_plus_tag, gmail_dots");
        }
      }
      b.emailRules(set);
    }
    JsonNode mapping = node.get("mapping");
    if (mapping != null && !mapping.isNull()) {
      ConfigParser.requireObject(mapping, path + ".mapping");
      Map<String, String> m = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : mapping.properties()) {
        JsonNode v = e.getValue();
        if (!v.isNull() && !v.isTextual()) throw new ConfigException(path + ".mapping." + e.getKey(), "expected a CRM property name (or empty to drop the field)");
        m.put(e.getKey(), v.isNull() ? "" : v.asText().trim());
      }
      b.mapping(m);
    }
    parser.optionalString(node, path, "commit").ifPresent(c -> {
      switch (c) {
        case "group" -> b.commitMode(LeadSource.CommitMode.GROUP);
        case "per_request" -> b.commitMode(LeadSource.CommitMode.PER_REQUEST);
        default -> throw new ConfigException(path + ".commit", "'" + c + "' is not one of group, per_request");
      }
    });
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, e.getMessage());
    }
  }

  private static boolean bool(JsonNode node, String path, String key) {
    JsonNode n = node.get(key);
    if (n == null || n.isNull()) return false;
    if (n.isBoolean()) return n.asBoolean();
    throw new ConfigException(path + "." + key, "expected true or false");
  }
}
