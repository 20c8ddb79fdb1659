package dev.sluice.connectors;

import dev.sluice.connectors.hubspot.HubSpotConnector;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Builds connectors from {@link ConnectionConfig}s. Each connection's rate-limit buckets are defined
 * in the shared limiter ({@code <connection>:10s}, {@code <connection>:daily}, {@code
 * <connection>:search} for HubSpot) from the {@link RateLimitRegistry} and the config's overrides,
 * so every process building the same connection agrees on one limiter. Thread-safe.
 */
public final class ConnectorFactory {

  /** Platforms with a source connector (every one syncs into the mirror). */
  public static final Set<String> SOURCE_PLATFORMS = Set.of("hubspot", "salesforce", "mailchimp");
  /** Platforms with a destination connector. */
  public static final Set<String> DESTINATION_PLATFORMS = Set.of("hubspot", "salesforce", "mailchimp", "segment");
  /** The per-connection setting that overrides the size of the platform's {@code connections} cap. */
  public static final String MAX_CONNECTIONS_SETTING = "max_connections";

  private final RateLimitGate gate;
  private final ConcurrencyGate slots;
  private final RateLimitRegistry registry;
  private final Clock clock;
  private final HttpClient http;

  /**
   * @param gate the shared limiter (production: {@link QueueRateLimitGate})
   * @param clock time source for checkpoints and rate-limit arithmetic
   */
  public ConnectorFactory(RateLimitGate gate, Clock clock) {
    this(gate, RateLimitRegistry.builtIn(), clock);
  }

  /** A factory whose connectors share the queue's Postgres-backed rate limits (the production setup). */
  public ConnectorFactory(dev.sluice.queue.ratelimit.RateLimits rateLimits, Clock clock) {
    this(QueueRateLimitGate.of(rateLimits), clock);
  }

  /**
   * As {@link #ConnectorFactory(RateLimitGate, Clock)} with a custom registry. Concurrency caps are
   * shared through PostgreSQL when {@code gate} is a {@link QueueRateLimitGate}, else held in this
   * process only.
   */
  public ConnectorFactory(RateLimitGate gate, RateLimitRegistry registry, Clock clock) {
    this(gate, gate instanceof QueueRateLimitGate q ? q.concurrencyGate() : ConcurrencyGate.inProcess(), registry, clock);
  }

  /** A factory over the given shared rate limits and concurrency caps. */
  public ConnectorFactory(RateLimitGate gate, ConcurrencyGate slots, RateLimitRegistry registry, Clock clock) {
    this.gate = Objects.requireNonNull(gate, "gate");
    this.slots = Objects.requireNonNull(slots, "slots");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
    // One client for every connector: it pools connections per host.
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /**
   * The limits that apply to {@code config} (registry tier plus overrides).
   *
   * @throws IllegalArgumentException for an unknown platform or tier
   */
  public ConnectionLimits limits(ConnectionConfig config) {
    return limits(registry, config);
  }

  /**
   * The limits that apply to {@code config} in {@code registry}: its tier, its bucket overrides and
   * its {@value #MAX_CONNECTIONS_SETTING} setting (the size of a {@code connections} cap).
   *
   * @throws IllegalArgumentException for an unknown platform or tier, or a bad setting
   */
  public static ConnectionLimits limits(RateLimitRegistry registry, ConnectionConfig config) {
    ConnectionLimits limits = registry.limitsFor(config.platform(), config.tier(), config.limitOverrides());
    String max = config.setting(MAX_CONNECTIONS_SETTING);
    if (max != null && limits.concurrency().containsKey("connections")) {
      try {
        limits = limits.withConcurrency("connections", Integer.parseInt(max.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("connection '" + config.name() + "': " + MAX_CONNECTIONS_SETTING + " '" + max
            + "' is not a whole number");
      }
    }
    return limits;
  }


  /** The connection's search index settle time: its own, else the platform's default from the registry. */
  public Duration searchIndexSettle(ConnectionConfig config) {
    return config.searchIndexSettle() != null ? config.searchIndexSettle() : registry.searchIndexSettle(config.platform());
  }

  /**
   * Checks a config without building anything: platform, tier and objects are known.
   *
   * @throws IllegalArgumentException with a one-line reason
   */
  public void validate(ConnectionConfig config) {
    if ("hubspot".equals(config.platform())) {
      HubSpotConnector.validate(config);
    } else if ("salesforce".equals(config.platform())) {
      dev.sluice.connectors.salesforce.SalesforceConnector.validate(config);
    } else if ("mailchimp".equals(config.platform())) {
      dev.sluice.connectors.mailchimp.MailchimpConnector.validate(config);
    } else if ("segment".equals(config.platform())) {
      dev.sluice.connectors.segment.SegmentConnector.validate(config);
    } else if (!registry.platforms().contains(config.platform())) {
      throw new IllegalArgumentException("connection '" + config.name() + "': unknown platform '" + config.platform()
          + "' (known: " + String.join(", ", registry.platforms()) + ")");
    }
    limits(config);
  }

  /**
   * A source connector for {@code config}; defines its rate-limit buckets.
   *
   * @throws IllegalArgumentException when the platform has no source connector or the config is bad
   */
  public SourceConnector source(ConnectionConfig config) {
    if (!SOURCE_PLATFORMS.contains(config.platform())) {
      throw new IllegalArgumentException("connection '" + config.name() + "': Sluice cannot read from platform '"
          + config.platform() + "' (sources: " + String.join(", ", new java.util.TreeSet<>(SOURCE_PLATFORMS)) + ")");
    }
    return switch (config.platform()) {
      case "salesforce" -> salesforce(config);
      case "mailchimp" -> mailchimp(config);
      default -> hubspot(config, "read from");
    };
  }

  /**
   * A destination connector for {@code config}; defines its rate-limit buckets.
   *
   * @throws IllegalArgumentException when the platform has no destination connector or the config is bad
   */
  public DestinationConnector destination(ConnectionConfig config) {
    if (!DESTINATION_PLATFORMS.contains(config.platform())) {
      throw new IllegalArgumentException("connection '" + config.name() + "': Sluice cannot write to platform '"
          + config.platform() + "' (destinations: " + String.join(", ", new java.util.TreeSet<>(DESTINATION_PLATFORMS)) + ")");
    }
    return switch (config.platform()) {
      case "salesforce" -> salesforce(config);
      case "mailchimp" -> mailchimp(config);
      case "segment" -> segment(config);
      default -> hubspot(config, "write to");
    };
  }

  /** The Salesforce connector (source and destination) for a Salesforce connection; its daily allocation is a rolling 24 hours. */
  public dev.sluice.connectors.salesforce.SalesforceConnector salesforce(ConnectionConfig config) {
    requirePlatform(config, "salesforce");
    validate(config);
    ConnectionLimits limits = limits(config);
    limits.buckets().forEach((cls, spec) -> gate.define(ConnectionLimits.bucketName(config.name(), cls), spec));
    return new dev.sluice.connectors.salesforce.SalesforceConnector(config, limits, gate, http, clock);
  }

  /**
   * The Mailchimp connector (source and destination of one audience's members); defines the
   * account's shared cap of simultaneous connections ({@code <connection>:connections}).
   */
  public dev.sluice.connectors.mailchimp.MailchimpConnector mailchimp(ConnectionConfig config) {
    requirePlatform(config, "mailchimp");
    validate(config);
    ConnectionLimits limits = limits(config);
    defineLimits(config, limits);
    return new dev.sluice.connectors.mailchimp.MailchimpConnector(config, limits, gate, slots, http, clock);
  }

  /** The Segment connector (a destination: identify and track through /v1/batch) for a Segment connection. */
  public dev.sluice.connectors.segment.SegmentConnector segment(ConnectionConfig config) {
    requirePlatform(config, "segment");
    validate(config);
    ConnectionLimits limits = limits(config);
    defineLimits(config, limits);
    return new dev.sluice.connectors.segment.SegmentConnector(config, limits, gate, http, clock);
  }

  /**
   * Defines the rate-limit buckets of a connection whose requests no connector makes (Google Sheets:
   * the {@code sheets.append} action calls it) and answers the shared gate to take their permits from.
   *
   * @throws IllegalArgumentException for an unknown platform or tier
   */
  public RateLimitGate gate(ConnectionConfig config) {
    validate(config);
    defineLimits(config, limits(config));
    return gate;
  }

  /** Defines a connection's rate-limit buckets and concurrency caps in the shared limiter. */
  private void defineLimits(ConnectionConfig config, ConnectionLimits limits) {
    limits.buckets().forEach((cls, spec) -> gate.define(ConnectionLimits.bucketName(config.name(), cls), spec));
    limits.concurrency().forEach((cls, n) -> slots.define(ConnectionLimits.capName(config.name(), cls), n));
  }

  private static void requirePlatform(ConnectionConfig config, String platform) {
    if (!platform.equals(config.platform())) {
      throw new IllegalArgumentException("connection '" + config.name() + "' is a " + config.platform() + " connection, not " + platform);
    }
  }

  /** The HubSpot connector (source, destination, tasks, associations) for a HubSpot connection. */
  public HubSpotConnector hubspot(ConnectionConfig config) {
    return hubspot(config, "use");
  }

  private HubSpotConnector hubspot(ConnectionConfig config, String verb) {
    if (!"hubspot".equals(config.platform())) {
      throw new IllegalArgumentException("connection '" + config.name() + "': Sluice cannot " + verb + " platform '"
          + config.platform() + "' yet (supported: hubspot)");
    }
    validate(config);
    ConnectionLimits limits = limits(config);
    // A daily quota is a fixed window reset at midnight in the connection's time zone.
    limits.buckets().forEach((cls, spec) -> gate.define(ConnectionLimits.bucketName(config.name(), cls),
        spec.daily() ? spec.resettingAt(config.dailyLimitZone()) : spec));
    return new HubSpotConnector(config, limits, gate, http, clock, searchIndexSettle(config));
  }
}
