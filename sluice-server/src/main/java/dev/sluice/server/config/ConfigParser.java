package dev.sluice.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.inbound.WebhookSources;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.sluice.connectors.ConnectionConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.sluice.sync.SyncRetention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns {@code sluice.yaml} into a {@link SluiceConfig}. Walks the YAML tree by hand rather than
 * binding it to classes, so that every error names the exact YAML path and the expected form.
 */
final class ConfigParser {
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  static final Pattern CONNECTION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Set<String> TOP_KEYS = Set.of("connections", "server", "workers", "database", "leads", "retention", "rules", "inbound",
      "pipelines", "llm");
  private static final Set<String> INBOUND_KEYS = Set.of("public_base_url", "keep_events_days", "standard", "commit_batch", "committers");
  private static final Set<String> SERVER_KEYS = Set.of("host", "port", "api_token", "tls", "metrics_token");
  private static final Set<String> TLS_KEYS = Set.of("certificate", "key");
  private static final Set<String> WORKER_KEYS = Set.of("concurrency");
  private static final Set<String> DATABASE_KEYS = Set.of("url");
  private static final Set<String> RETENTION_KEYS = Set.of("sync_events", "record_changes", "sync_runs");
  private static final java.util.regex.Pattern AGE = java.util.regex.Pattern.compile("(\\d{1,6})\\s*([dhm])");
  /** Upper bound on in-process handlers: beyond this the pool, not the workers, is the limit. */
  private static final int MAX_CONCURRENCY = 1024;

  private final Map<String, String> env;
  private final ObjectMapper yaml;

  /**
   * False for commands that only read the database (runs, explain): a connection token whose
   * variable is unset then becomes a placeholder instead of an error.
   */
  private final boolean tokensRequired;

  ConfigParser(Map<String, String> env) {
    this(env, true);
  }

  ConfigParser(Map<String, String> env, boolean tokensRequired) {
    this.tokensRequired = tokensRequired;
    this.env = env;
    this.yaml = new ObjectMapper(new YAMLFactory());
    this.yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  SluiceConfig parseFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("", "cannot read config file " + file + ": " + e.getMessage());
    }
    try {
      return parse(text, Optional.of(file));
    } catch (ConfigException e) {
      throw new ConfigException(e.path(), e.getMessage().substring(e.path().isEmpty() ? 0 : e.path().length() + 2) + " (in " + file + ")");
    }
  }

  SluiceConfig parse(String text, Optional<Path> source) {
    JsonNode root;
    try {
      refuseAliases(text);
      root = yaml.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new ConfigException("", "not valid YAML" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("", "cannot read the YAML: " + e.getMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) root = yaml.createObjectNode();
    requireObject(root, "");
    checkKeys(root, "", TOP_KEYS);

    Map<String, ConnectionConfig> connections = new LinkedHashMap<>();
    WebhookSources.Builder webhooks = WebhookSources.builder();
    JsonNode conns = root.get("connections");
    if (conns != null && !conns.isNull()) {
      requireObject(conns, "connections");
      ConnectionsConfigParser parser = new ConnectionsConfigParser(this);
      for (Map.Entry<String, JsonNode> e : conns.properties()) {
        ConnectionConfig c = parser.connection(e.getKey(), e.getValue());
        connections.put(e.getKey(), c);
        parser.webhooks(c, e.getValue(), webhooks);
      }
    }
    SluiceConfig.InboundSettings inbound = inbound(objectOrEmpty(root, "inbound"), webhooks);

    JsonNode server = objectOrEmpty(root, "server");
    checkKeys(server, "server", SERVER_KEYS);
    String host = optionalString(server, "server", "host").orElse(SluiceConfig.ServerSettings.DEFAULT_HOST);
    int port = optionalInt(server, "server", "port", 0, 65535).orElse(SluiceConfig.ServerSettings.DEFAULT_PORT);
    Optional<Secret> apiToken = optionalSecret(server, "server", "api_token", null);
    if (apiToken.isEmpty()) {
      String fromEnv = env.get(SluiceConfig.API_TOKEN_ENV);
      if (fromEnv != null && !fromEnv.isBlank()) apiToken = Optional.of(Secret.of(fromEnv, "$" + SluiceConfig.API_TOKEN_ENV));
    }

    JsonNode workers = objectOrEmpty(root, "workers");
    checkKeys(workers, "workers", WORKER_KEYS);
    int concurrency = optionalInt(workers, "workers", "concurrency", 1, MAX_CONCURRENCY)
        .orElse(SluiceConfig.WorkerSettings.DEFAULT_CONCURRENCY);

    JsonNode database = objectOrEmpty(root, "database");
    checkKeys(database, "database", DATABASE_KEYS);
    Optional<String> dbUrl = optionalString(database, "database", "url");
    if (dbUrl.isEmpty()) {
      String fromEnv = env.get(SluiceConfig.DATABASE_URL_ENV);
      if (fromEnv != null && !fromEnv.isBlank()) dbUrl = Optional.of(fromEnv);
    }

    SluiceConfig.LeadSettings leads = new LeadsConfigParser(this).parse(root.get("leads"), connections);

    Optional<SluiceConfig.Tls> tls = tls(server);

    Optional<Secret> metricsToken = optionalSecret(server, "server", "metrics_token", null);

    return new SluiceConfig(connections, new SluiceConfig.ServerSettings(host, port, apiToken, tls, metricsToken),
        new SluiceConfig.WorkerSettings(concurrency), dbUrl, source, leads, retention(objectOrEmpty(root, "retention")),
        new RulesConfigParser(this).parse(root.get("rules"), source), inbound,
        new PipelinesConfigParser(this).parse(root.get("pipelines"), connections, source), llm(root.get("llm")));
  }

  private static final Set<String> LLM_KEYS = Set.of("base_url", "model", "api_key");

  /** {@code llm: {base_url, model, api_key}}: an OpenAI-compatible endpoint that drafts mappings. */
  private Optional<SluiceConfig.LlmSettings> llm(JsonNode node) {
    if (node == null || node.isNull()) return Optional.empty();
    requireObject(node, "llm");
    checkKeys(node, "llm", LLM_KEYS);
    String base = requiredString(node, "llm", "base_url");
    URI uri;
    try {
      uri = new URI(base);
    } catch (URISyntaxException e) {
      throw new ConfigException("llm.base_url", "'" + base + "' is not a URL");
    }
    if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
      throw new ConfigException("llm.base_url", "'" + base + "' must be an http(s) URL such as https://api.openai.com/v1");
    }
    String model = requiredString(node, "llm", "model");
    return Optional.of(new SluiceConfig.LlmSettings(uri, model, optionalSecret(node, "llm", "api_key", null)));
  }

  /**
   * YAML aliases ({@code *name}) are refused before anything is built: the reader would take a
   * scalar alias for the text of its name, and nested aliases can expand exponentially.
   */
  private void refuseAliases(String text) throws IOException {
    try (JsonParser p = yaml.getFactory().createParser(text)) {
      while (p.nextToken() != null) {
        if (p instanceof YAMLParser y && y.isCurrentAlias()) {
          throw new ConfigException("", "line " + p.currentLocation().getLineNr() + ": YAML aliases (*" + p.getText()
              + ") are not supported in sluice.yaml; write the value out");
        }
      }
    }
  }

  private Optional<SluiceConfig.Tls> tls(JsonNode server) {
    JsonNode tls = server.get("tls");
    if (tls == null || tls.isNull()) return Optional.empty();
    requireObject(tls, "server.tls");
    checkKeys(tls, "server.tls", TLS_KEYS);
    Path certificate = optionalString(tls, "server.tls", "certificate").map(Path::of)
        .orElseThrow(() -> new ConfigException("server.tls.certificate", "missing: the PEM file of the certificate chain"));
    Path key = optionalString(tls, "server.tls", "key").map(Path::of)
        .orElseThrow(() -> new ConfigException("server.tls.key", "missing: the PEM file of the private key (PKCS#8)"));
    for (Map.Entry<String, Path> f : Map.of("server.tls.certificate", certificate, "server.tls.key", key).entrySet()) {
      if (!Files.isReadable(f.getValue())) throw new ConfigException(f.getKey(), "cannot read " + f.getValue());
    }
    return Optional.of(new SluiceConfig.Tls(certificate, key));
  }

  /** {@code retention:} — ages like {@code 30d}, {@code 12h} or {@code 90m}; the defaults for keys left out. */
  private SyncRetention retention(JsonNode node) {
    checkKeys(node, "retention", RETENTION_KEYS);
    Duration events = age(node, "sync_events").orElse(SyncRetention.EVENTS_DEFAULT);
    Duration changes = age(node, "record_changes").orElse(SyncRetention.RECORD_CHANGES_DEFAULT);
    Duration runs = age(node, "sync_runs").orElse(SyncRetention.RUNS_DEFAULT);
    try {
      return new SyncRetention(events, changes, runs);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("retention", e.getMessage());
    }
  }

  private Optional<Duration> age(JsonNode node, String key) {
    Optional<String> text = optionalString(node, "retention", key);
    if (text.isEmpty()) return Optional.empty();
    java.util.regex.Matcher m = AGE.matcher(text.get().trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new ConfigException("retention." + key, "must be a positive age like 30d, 12h or 90m, got '" + text.get() + "'");
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(switch (m.group(2)) {
      case "d" -> Duration.ofDays(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofMinutes(n);
    });
  }

  /** {@code inbound: {public_base_url, keep_events_days, standard: {<source>: {secrets: [...]}}}}. */
  private SluiceConfig.InboundSettings inbound(JsonNode node, WebhookSources.Builder out) {
    checkKeys(node, "inbound", INBOUND_KEYS);
    optionalString(node, "inbound", "public_base_url").ifPresent(u -> out.publicBaseUrl(url(u, "inbound.public_base_url")));
    Duration keep = optionalInt(node, "inbound", "keep_events_days", 1, 3650).map(d -> Duration.ofDays(d))
        .orElse(SluiceConfig.InboundSettings.DEFAULT_KEEP_EVENTS);
    int commitBatch = optionalInt(node, "inbound", "commit_batch", 1, 10_000).orElse(SluiceConfig.InboundSettings.DEFAULT_COMMIT_BATCH);
    int committers = optionalInt(node, "inbound", "committers", 1, 256).orElse(SluiceConfig.InboundSettings.DEFAULT_COMMITTERS);
    JsonNode standard = node.get("standard");
    if (standard != null && !standard.isNull()) {
      requireObject(standard, "inbound.standard");
      for (Map.Entry<String, JsonNode> e : standard.properties()) {
        String path = "inbound.standard." + e.getKey();
        if (!CONNECTION_NAME.matcher(e.getKey()).matches()) throw new ConfigException(path, "a source name uses letters, digits, '-', '_' and '.'");
        requireObject(e.getValue(), path);
        checkKeys(e.getValue(), path, Set.of("secrets"));
        JsonNode list = e.getValue().get("secrets");
        if (list == null || !list.isArray() || list.isEmpty()) throw new ConfigException(path + ".secrets", "expected a list of one or more secrets (a line \"- ${SHOP_WEBHOOK_SECRET}\" each)");
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          ObjectNode holder = yaml.createObjectNode().set("s", list.get(i));
          secrets.add(optionalSecret(holder, path + ".secrets[" + i + "]", "s", null).orElseThrow().reveal());
        }
        try {
          out.standard(e.getKey(), secrets);
        } catch (IllegalArgumentException bad) {
          throw new ConfigException(path + ".secrets", bad.getMessage());
        }
      }
    }
    return new SluiceConfig.InboundSettings(out.build(), keep, commitBatch, committers);
  }

  static URI url(String value, String path) {
    try {
      URI uri = new URI(value);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new ConfigException(path, "'" + value + "' is not an http(s) URL with a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(path, "'" + value + "' is not a URL: " + e.getReason());
    }
  }

  // --- tree walking with paths ---

  static void requireObject(JsonNode node, String path) {
    if (!node.isObject()) throw new ConfigException(path, "expected a mapping (key: value lines), got " + describe(node));
  }

  private JsonNode objectOrEmpty(JsonNode parent, String key) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) return yaml.createObjectNode();
    requireObject(n, key);
    return n;
  }

  static void checkKeys(JsonNode node, String path, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        throw new ConfigException(path.isEmpty() ? k : path + "." + k,
            "unknown key (expected one of " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  String requiredString(JsonNode node, String path, String key) {
    return optionalString(node, path, key).orElseThrow(() -> new ConfigException(path + "." + key, "missing"));
  }

  Optional<String> optionalString(JsonNode node, String path, String key) {
    JsonNode n = node.get(key);
    if (n == null || n.isNull()) return Optional.empty();
    if (!n.isValueNode() || n.isBinary()) throw new ConfigException(path + "." + key, "expected a text value, got " + describe(n));
    String resolved = resolve(n.asText(), path + "." + key, null).trim();
    return resolved.isEmpty() ? Optional.empty() : Optional.of(resolved);
  }

  Optional<Secret> optionalSecret(JsonNode node, String path, String key, String connection) {
    JsonNode n = node.get(key);
    if (n == null || n.isNull()) return Optional.empty();
    if (!n.isTextual()) throw new ConfigException(path + "." + key, "expected a text value such as ${SOME_VARIABLE}, got a "
        + n.getNodeType().name().toLowerCase(Locale.ROOT)); // never echo what may be a literal secret
    String raw = n.asText().trim();
    String value;
    try {
      value = resolve(raw, path + "." + key, connection);
    } catch (ConfigException e) {
      if (tokensRequired || connection == null) throw e;
      // A placeholder the vendor refuses: this command never calls the vendor.
      return Optional.of(Secret.of("unset:" + raw, sourceOf(raw) + " (unset)"));
    }
    if (value.isEmpty()) throw new ConfigException(path + "." + key, "is empty" + (raw.contains("${") ? " (" + sourceOf(raw) + " resolved to an empty string)" : ""));
    return Optional.of(Secret.of(value, sourceOf(raw)));
  }

  /**
   * Where a secret came from, safe to print: the variables' names only ({@code ${HUBSPOT_TOKEN}}),
   * never a {@code :-default} (a default is often a real token pasted for a test).
   */
  static String sourceOf(String raw) {
    Matcher m = ENV_REFERENCE.matcher(raw);
    List<String> names = new ArrayList<>();
    while (m.find()) names.add("${" + m.group(1) + "}");
    return names.isEmpty() ? "literal in the config file" : String.join(" ", names);
  }

  Optional<Integer> optionalInt(JsonNode node, String path, String key, int min, int max) {
    JsonNode n = node.get(key);
    if (n == null || n.isNull()) return Optional.empty();
    String p = path + "." + key;
    long v;
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      v = n.asLong();
    } else if (n.isTextual()) {
      String text = resolve(n.asText(), p, null).trim();
      try {
        v = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new ConfigException(p, "expected a whole number, got '" + text + "'");
      }
    } else {
      throw new ConfigException(p, "expected a whole number, got " + describe(n));
    }
    if (v < min || v > max) throw new ConfigException(p, v + " is out of range " + min + ".." + max);
    return Optional.of((int) v);
  }

  List<String> stringList(JsonNode n, String path) {
    List<String> out = new ArrayList<>();
    if (n.isTextual()) {
      // "contacts, deals" is accepted as a short form of [contacts, deals].
      for (String s : n.asText().split(",")) if (!s.isBlank()) out.add(s.trim());
      return out;
    }
    if (!n.isArray()) throw new ConfigException(path, "expected a list such as [a, b], got " + describe(n));
    for (int i = 0; i < n.size(); i++) {
      JsonNode item = n.get(i);
      if (!item.isTextual()) throw new ConfigException(path + "[" + i + "]", "expected a text value, got " + describe(item));
      out.add(item.asText().trim());
    }
    return out;
  }

  /** Replaces each {@code ${VAR}} / {@code ${VAR:-default}} with its value from the environment. */
  private String resolve(String raw, String path, String connection) {
    Matcher m = ENV_REFERENCE.matcher(raw);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null || value.isEmpty()) {
        if (m.group(2) != null) {
          value = m.group(2);
        } else {
          throw new ConfigException(path, "environment variable " + m.group(1) + " is not set"
              + (connection == null ? "" : " (needed by connection '" + connection + "')"));
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String describe(JsonNode n) {
    JsonNodeType t = n.getNodeType();
    return switch (t) {
      case OBJECT -> "a mapping";
      case ARRAY -> "a list";
      case BOOLEAN -> "a boolean (" + n.asText() + ")";
      case NUMBER -> "a number (" + n.asText() + ")";
      case STRING -> "'" + n.asText() + "'";
      default -> t.name().toLowerCase(Locale.ROOT);
    };
  }
}
