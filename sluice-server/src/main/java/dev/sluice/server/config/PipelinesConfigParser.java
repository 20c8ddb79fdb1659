package dev.sluice.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.pipelines.Mapping;
import dev.sluice.pipelines.MappingException;
import dev.sluice.pipelines.Pipeline;
import dev.sluice.pipelines.Unsubscribes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code pipelines:} section of {@code sluice.yaml}: each pipeline pushes the mirror records of
 * one source connection's object through a mapping file to one destination connection's object.
 * <pre>{@code
 * pipelines:
 *   contacts-to-salesforce:
 *     from: hubspot-main/contacts        # a synced connection and one of its objects
 *     to: salesforce-main/Contact        # a destination connection and its object
 *     mapping: mappings/contacts-to-salesforce.yaml   # relative to this file
 *     match: Email                       # the mapped field that identifies a person (default: the email field)
 *     batch_size: 200                    # default: the destination's largest batch
 *     cron: "0 * * * *"                  # optional schedule
 *     deletes: propagate                 # a deleted source record deletes its destination record (default: ignore)
 *     unsubscribes: delete               # Mailchimp sources: an unsubscribed member deletes its destination record,
 *                                        # or {set: {field: value}} writes those fields; default ignore
 * }</pre>
 * The mapping file is compiled here, so a broken one stops every command with its errors.
 */
final class PipelinesConfigParser {
  private static final Set<String> KEYS = Set.of("from", "to", "mapping", "match", "batch_size", "cron", "deletes",
      "unsubscribes");
  /** Destination fields taken as the match key when {@code match:} is left out, in this order. */
  private static final List<String> EMAIL_FIELDS = List.of("email", "email_address");

  private final ConfigParser parser;

  PipelinesConfigParser(ConfigParser parser) {
    this.parser = parser;
  }

  Map<String, Pipeline> parse(JsonNode node, Map<String, ConnectionConfig> connections, Optional<Path> source) {
    Map<String, Pipeline> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) return out;
    ConfigParser.requireObject(node, "pipelines");
    Path base = source.map(Path::toAbsolutePath).map(Path::getParent).orElse(Path.of("").toAbsolutePath());
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      out.put(e.getKey(), pipeline(e.getKey(), e.getValue(), connections, base));
    }
    return out;
  }

  private Pipeline pipeline(String name, JsonNode node, Map<String, ConnectionConfig> connections, Path base) {
    String path = "pipelines." + name;
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new ConfigException(path, "a pipeline name uses letters, digits, '-', '_' and '.' (at most 63 characters)");
    }
    ConfigParser.requireObject(node, path);
    ConfigParser.checkKeys(node, path, KEYS);
    String[] from = endpoint(node, path, "from", connections, ConnectorFactory.SOURCE_PLATFORMS, "read from");
    String[] to = endpoint(node, path, "to", connections, ConnectorFactory.DESTINATION_PLATFORMS, "write to");
    if (!connections.get(from[0]).objects().contains(from[1])) {
      throw new ConfigException(path + ".from", "'" + from[1] + "' is not synced by connection '" + from[0] + "' (its objects: "
          + String.join(", ", connections.get(from[0]).objects()) + "); the pipeline reads the mirror");
    }
    String file = parser.optionalString(node, path, "mapping")
        .orElseThrow(() -> new ConfigException(path + ".mapping", "missing: the mapping file (YAML, destination field: CEL expression over source)"));
    Path mappingFile = base.resolve(file).normalize();
    Mapping mapping;
    try {
      if (!Files.isRegularFile(mappingFile)) throw new ConfigException(path + ".mapping", "mapping file " + mappingFile + " does not exist");
      mapping = Mapping.load(mappingFile);
    } catch (IOException e) {
      throw new ConfigException(path + ".mapping", "cannot read " + mappingFile + ": " + e.getMessage());
    } catch (MappingException e) {
      throw new ConfigException(path + ".mapping", e.getMessage());
    }
    String match = parser.optionalString(node, path, "match").orElseGet(() -> defaultMatch(mapping, path));
    if (!mapping.destinationFields().contains(match)) {
      throw new ConfigException(path + ".match", "'" + match + "' is not a field of the mapping (" + String.join(", ", mapping.destinationFields()) + ")");
    }
    int batchSize = parser.optionalInt(node, path, "batch_size", 1, 10_000).orElse(0);
    Optional<String> cron = parser.optionalString(node, path, "cron");
    cron.ifPresent(c -> {
      if (c.trim().split("\\s+").length != 5) {
        throw new ConfigException(path + ".cron", "'" + c + "' is not a 5-field cron expression (minute hour day-of-month month day-of-week)");
      }
    });
    String deletes = parser.optionalString(node, path, "deletes").orElse("ignore");
    if (!deletes.equals("ignore") && !deletes.equals("propagate")) {
      throw new ConfigException(path + ".deletes", "must be propagate or ignore, got '" + deletes + "'");
    }
    Unsubscribes unsubscribes = unsubscribes(node.get("unsubscribes"), path + ".unsubscribes", connections.get(from[0]));
    try {
      return new Pipeline(name, from[0], from[1], to[0], to[1], match, mapping, batchSize, cron.map(String::trim).orElse(null),
          deletes.equals("propagate"), unsubscribes);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, e.getMessage());
    }
  }

  /** {@code connection/object} of a configured connection whose platform Sluice can read from or write to. */
  private String[] endpoint(JsonNode node, String path, String key, Map<String, ConnectionConfig> connections, Set<String> platforms,
      String verb) {
    String p = path + "." + key;
    String text = parser.optionalString(node, path, key)
        .orElseThrow(() -> new ConfigException(p, "missing: connection/object, e.g. " + (key.equals("from") ? "hubspot-main/contacts" : "salesforce-main/Contact")));
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
      throw new ConfigException(p, "'" + text + "' is not connection/object, e.g. " + (key.equals("from") ? "hubspot-main/contacts" : "salesforce-main/Contact"));
    }
    String connection = text.substring(0, slash);
    String object = text.substring(slash + 1);
    ConnectionConfig c = connections.get(connection);
    if (c == null) {
      throw new ConfigException(p, "unknown connection '" + connection + "'"
          + (connections.isEmpty() ? " (no connections are configured)" : " (configured: " + String.join(", ", connections.keySet()) + ")"));
    }
    if (!platforms.contains(c.platform())) {
      throw new ConfigException(p, "Sluice cannot " + verb + " platform '" + c.platform() + "' (it can " + verb + ": "
          + String.join(", ", new TreeSet<>(platforms)) + ")");
    }
    List<String> objects = Platform.named(c.platform()).map(Platform::objects).orElse(List.of());
    if (!objects.isEmpty() && !objects.contains(object)) {
      throw new ConfigException(p, "'" + object + "' is not a " + c.platform() + " object (one of " + String.join(", ", objects) + ")");
    }
    return new String[] {connection, object};
  }

  /** {@code ignore} (default), {@code delete} or {@code {set: {field: value, ...}}}; only a Mailchimp source has unsubscribes. */
  private static Unsubscribes unsubscribes(JsonNode u, String path, ConnectionConfig source) {
    if (u == null || u.isNull() || (u.isTextual() && u.asText().equals("ignore"))) {
      return Unsubscribes.IGNORE;
    }
    if (!source.platform().equals("mailchimp")) {
      throw new ConfigException(path, "only a Mailchimp source has unsubscribes (a member's status); '" + source.name() + "' is "
          + source.platform() + " (use deletes: for deleted records)");
    }
    if (u.isTextual() && u.asText().equals("delete")) {
      return Unsubscribes.deleting();
    }
    JsonNode set = u.isObject() && u.size() == 1 ? u.get("set") : null;
    if (set == null || !set.isObject() || set.isEmpty()) {
      throw new ConfigException(path, "must be ignore, delete or {set: {field: value, ...}}, got " + u);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : set.properties()) {
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw new ConfigException(path + ".set." + e.getKey(), "must be a value (text, number or true/false), got " + e.getValue());
      }
      fields.put(e.getKey(), e.getValue().asText());
    }
    return Unsubscribes.setting(fields);
  }

  private static String defaultMatch(Mapping mapping, String path) {
    for (String candidate : EMAIL_FIELDS) {
      for (String f : mapping.destinationFields()) {
        if (f.equalsIgnoreCase(candidate)) return f;
      }
    }
    throw new ConfigException(path + ".match", "missing, and the mapping has no email field: name the mapped field that identifies "
        + "a record in both systems (one of " + String.join(", ", mapping.destinationFields()) + ")");
  }
}
