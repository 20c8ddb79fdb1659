package dev.sluice.server.config;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.sync.SyncRetention;
import dev.sluice.inbound.WebhookSources;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The validated contents of {@code sluice.yaml} plus the environment it refers to.
 *
 * <p>Where the file is: {@code --config PATH}, else {@code SLUICE_CONFIG}, else {@code ./sluice.yaml}
 * when it exists; with none of these the config has no connections and takes the server token and
 * database from the environment ({@code SLUICE_API_TOKEN}, {@code SLUICE_DATABASE_URL}).
 *
 * @param connections connections by name, in file order
 * @param server the HTTP server
 * @param workers the in-process workers
 * @param database the database URL, empty for the embedded PostgreSQL
 * @param source the file read, or empty when none
 * @param leads the lead intake's sources and drain settings
 * @param retention how long sync history is kept ({@code retention:}; defaults {@link SyncRetention#DEFAULTS})
 * @param rules the rules files and the Slack workspaces their actions post to ({@code rules:})
 * @param inbound webhook receivers: per-connection secrets, Standard Webhooks sources, retention
 * @param pipelines pipelines by name, in file order ({@code pipelines:}; their mapping files compiled)
 * @param llm the OpenAI-compatible endpoint {@code sluice mapping draft} asks ({@code llm:}), if configured
 */
public record SluiceConfig(
    Map<String, ConnectionConfig> connections,
    ServerSettings server,
    WorkerSettings workers,
    Optional<String> database,
    Optional<Path> source,
    LeadSettings leads,
    SyncRetention retention,
    RuleSettings rules,
    InboundSettings inbound,
    Map<String, dev.sluice.pipelines.Pipeline> pipelines,
    Optional<LlmSettings> llm) {

  /** Environment variable naming the config file. */
  public static final String CONFIG_ENV = "SLUICE_CONFIG";
  /** Environment variable holding the admin API's bearer token. */
  public static final String API_TOKEN_ENV = "SLUICE_API_TOKEN";
  /** Environment variable naming an external PostgreSQL. */
  public static final String DATABASE_URL_ENV = "SLUICE_DATABASE_URL";
  /** The file looked for in the working directory when nothing else names one. */
  public static final String DEFAULT_FILE = "sluice.yaml";

  public SluiceConfig {
    connections = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(connections));
    pipelines = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
  }

  /**
   * The {@code rules:} section: rules files (absolute, resolved against the config file's directory)
   * and what their actions may name (Slack workspaces, signing keys).
   */
  public record RuleSettings(java.util.List<Path> files, dev.sluice.rules.ActionTargets targets) {
    public RuleSettings {
      files = java.util.List.copyOf(files);
      java.util.Objects.requireNonNull(targets);
    }

    public static RuleSettings none() {
      return new RuleSettings(java.util.List.of(), dev.sluice.rules.ActionTargets.NONE);
    }
  }

  /**
   * {@code llm:}: an OpenAI-compatible chat endpoint that drafts mappings ({@code POST {base_url}/chat/completions}).
   *
   * @param apiKey sent as a bearer token; empty for an endpoint without authentication
   */
  public record LlmSettings(java.net.URI baseUrl, String model, Optional<Secret> apiKey) {}

  /** The HTTP server's settings. */
  public record ServerSettings(String host, int port, Optional<Secret> apiToken, Optional<Tls> tls, Optional<Secret> metricsToken) {
    /** Port used when the config names none. */
    public static final int DEFAULT_PORT = 8080;
    /**
     * Interface bound when the config names none: loopback only, so that a first {@code serve}
     * is not reachable from the network until the operator says so ({@code server.host: 0.0.0.0},
     * best behind TLS or a reverse proxy).
     */
    public static final String DEFAULT_HOST = "127.0.0.1";

    public ServerSettings(String host, int port, Optional<Secret> apiToken) {
      this(host, port, apiToken, Optional.empty(), Optional.empty());
    }
  }

  /** {@code server.tls}: PEM certificate chain and PKCS#8 private key files; the API then speaks only HTTPS. */
  public record Tls(Path certificate, Path key) {}
  /**
   * Webhook receivers ({@code connections.<name>.webhooks} and the {@code inbound:} section).
   *
   * @param sources which connection or Standard Webhooks source accepts which sender, with its secret
   * @param keepEvents how long stored events are kept
   * @param commitBatch most requests stored in one transaction ({@code inbound.commit_batch}; 1 = one
   *     transaction per request, the benchmark's baseline)
   * @param committers storing transactions in flight at once ({@code inbound.committers})
   */
  public record InboundSettings(WebhookSources sources, Duration keepEvents, int commitBatch, int committers) {
    /** Events are kept this long when the config names no {@code inbound.keep_events_days}. */
    public static final Duration DEFAULT_KEEP_EVENTS = Duration.ofDays(30);
    public static final int DEFAULT_COMMIT_BATCH = dev.sluice.postgres.GroupCommitter.DEFAULT_MAX_BATCH;
    public static final int DEFAULT_COMMITTERS = dev.sluice.postgres.GroupCommitter.DEFAULT_COMMITTERS;
  }

  /** The in-process workers' settings. */
  public record WorkerSettings(int concurrency) {
    /** Handlers run at once per process when the config names no number. */
    public static final int DEFAULT_CONCURRENCY = 8;
  }

  /**
   * The {@code leads:} section: lead sources (each with its intake key) and drainers per connection.
   */
  public record LeadSettings(java.util.List<dev.sluice.leads.LeadSource> sources, int drainersPerConnection,
      java.time.Duration lease) {
    public LeadSettings {
      sources = java.util.List.copyOf(sources);
    }

    /** No lead sources. */
    public static LeadSettings none() {
      return new LeadSettings(java.util.List.of(), dev.sluice.leads.LeadDrain.Settings.DEFAULT_DRAINERS,
          dev.sluice.leads.LeadDrain.Settings.DEFAULT_LEASE);
    }
  }

  /** The connection called {@code name}, or a clear error listing the configured ones. */
  public ConnectionConfig connection(String name) {
    ConnectionConfig c = connections.get(name);
    if (c == null) {
      throw new ConfigException("", "unknown connection '" + name + "'"
          + (connections.isEmpty() ? " (no connections are configured" + source.map(p -> " in " + p).orElse("; pass --config or set SLUICE_CONFIG") + ")"
              : " (configured: " + String.join(", ", connections.keySet()) + ")"));
    }
    return c;
  }

  /**
   * Loads the config the way every command does: {@code option} (from {@code --config}) first,
   * then {@code SLUICE_CONFIG}, then {@code ./sluice.yaml} in {@code workingDir} when present.
   */
  public static SluiceConfig locateAndLoad(String option, Map<String, String> env, Path workingDir) {
    Optional<Path> file = locate(option, env, workingDir);
    return file.isPresent() ? load(file.get(), env) : fromEnvironment(env);
  }

  /**
   * As {@link #locateAndLoad} for commands that only read the database ({@code runs},
   * {@code explain}): a connection whose token variable is unset does not stop them (it could not
   * be synced by this process; every other value is still checked).
   */
  public static SluiceConfig locateAndLoadForReading(String option, Map<String, String> env, Path workingDir) {
    Optional<Path> file = locate(option, env, workingDir);
    ConfigParser parser = new ConfigParser(env, false);
    return file.isPresent() ? parser.parseFile(file.get()) : parser.parse("{}", Optional.empty());
  }

  /** The config file to read, if any (an explicitly named one must exist). */
  public static Optional<Path> locate(String option, Map<String, String> env, Path workingDir) {
    String named = option != null && !option.isBlank() ? option : env.get(CONFIG_ENV);
    if (named != null && !named.isBlank()) {
      Path p = workingDir.resolve(named);
      if (!Files.isRegularFile(p)) {
        throw new ConfigException("", "config file " + p + " does not exist"
            + (option != null && !option.isBlank() ? " (from --config)" : " (from " + CONFIG_ENV + ")"));
      }
      return Optional.of(p);
    }
    Path dflt = workingDir.resolve(DEFAULT_FILE);
    return Files.isRegularFile(dflt) ? Optional.of(dflt) : Optional.empty();
  }

  /** Reads and validates {@code file}, resolving {@code ${VAR}} references from {@code env}. */
  public static SluiceConfig load(Path file, Map<String, String> env) {
    return new ConfigParser(env).parseFile(file);
  }

  /** Parses YAML text (for tests and embedded configs such as the demo's). */
  public static SluiceConfig parse(String yaml, Map<String, String> env) {
    return new ConfigParser(env).parse(yaml, Optional.empty());
  }

  /** A config with no connections, its server token and database from the environment. */
  public static SluiceConfig fromEnvironment(Map<String, String> env) {
    return new ConfigParser(env).parse("{}", Optional.empty());
  }
}
