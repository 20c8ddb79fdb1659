package dev.sluice.connectors;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One named connection from {@code sluice.yaml}, already resolved (the token is the value of the
 * environment variable, not its reference).
 *
 * <p>{@link #toString()} never prints the token.
 *
 * @param name the connection's name, e.g. {@code "hubspot-main"}; also the prefix of its rate-limit
 *     buckets
 * @param platform e.g. {@code "hubspot"}
 * @param baseUrl the API's base URL; the platform's default when built with null
 * @param token the API token (secret)
 * @param tokenSource where the token came from, for error messages, e.g. {@code "HUBSPOT_TOKEN"}; may be null
 * @param tier the plan whose limits apply (e.g. {@code "professional"}); null = the platform's default tier
 * @param limitOverrides explicit limits per bucket class ({@code "10s"}, {@code "daily"}, {@code "search"}),
 *     replacing the tier's
 * @param objects the streams to read; empty = every type the platform supports
 * @param properties per object type, the properties to read; an object without an entry reads the
 *     connector's default properties
 * @param cron optional cron expression for scheduled incremental syncs
 * @param incrementalOverlap how far before {@code incrementalSince} an incremental read starts, to
 *     cover the search index lag and clock skew (default 2 minutes)
 * @param searchIndexSettle how long after a run starts the platform's change feed (HubSpot: the search
 *     index) is known to hold every change made before it; an incremental stream waits for it before
 *     it completes. Null = the platform's default from the {@link RateLimitRegistry}.
 * @param dailyLimitZone the time zone whose midnight resets the platform's daily quota (HubSpot: the
 *     account's time zone); default UTC
 * @param settings the platform's own settings, by name (Mailchimp {@code list_id}, Salesforce
 *     {@code api_version}); each connector checks the names it knows and refuses others
 */
public record ConnectionConfig(
    String name,
    String platform,
    URI baseUrl,
    String token,
    String tokenSource,
    String tier,
    Map<String, RateLimitSpec> limitOverrides,
    List<String> objects,
    Map<String, List<String>> properties,
    String cron,
    Duration incrementalOverlap,
    Duration searchIndexSettle,
    ZoneId dailyLimitZone,
    Map<String, String> settings) {

  /** The search index lag HubSpot documents as "a short delay", with margin. */
  public static final Duration DEFAULT_INCREMENTAL_OVERLAP = Duration.ofMinutes(2);

  /** Default base URLs per platform. */
  static final Map<String, String> DEFAULT_BASE_URLS = Map.of("hubspot", "https://api.hubapi.com",
      "segment", "https://api.segment.io/v1",
      // only when the API key has no data-center suffix (see the constructor)
      "mailchimp", "https://us1.api.mailchimp.com/3.0");

  /** A config without platform settings (the form before {@code settings} existed). */
  public ConnectionConfig(String name, String platform, URI baseUrl, String token, String tokenSource, String tier,
      Map<String, RateLimitSpec> limitOverrides, List<String> objects, Map<String, List<String>> properties, String cron,
      Duration incrementalOverlap, Duration searchIndexSettle, ZoneId dailyLimitZone) {
    this(name, platform, baseUrl, token, tokenSource, tier, limitOverrides, objects, properties, cron, incrementalOverlap,
        searchIndexSettle, dailyLimitZone, Map.of());
  }

  public ConnectionConfig {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a connection needs a name");
    }
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException(
          "connection name '" + name + "' may only contain letters, digits, '-', '_' and '.'");
    }
    if (platform == null || platform.isBlank()) {
      throw new IllegalArgumentException("connection '" + name + "' needs a platform");
    }
    platform = platform.trim().toLowerCase(java.util.Locale.ROOT);
    settings = settings == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(settings));
    if (baseUrl == null && "mailchimp".equals(platform) && token != null && token.matches(".*-[a-z]+[0-9]+")) {
      // Mailchimp's data center is the API key's suffix: <key>-us21 → https://us21.api.mailchimp.com/3.0
      baseUrl = URI.create("https://" + token.substring(token.lastIndexOf('-') + 1) + ".api.mailchimp.com/3.0");
    }
    if (baseUrl == null) {
      String def = DEFAULT_BASE_URLS.get(platform);
      if (def == null) {
        throw new IllegalArgumentException("connection '" + name + "' needs a base_url (no default for platform '" + platform + "')");
      }
      baseUrl = URI.create(def);
    }
    String url = baseUrl.toString();
    if (url.endsWith("/")) {
      // Request paths start with '/': keep one.
      baseUrl = URI.create(url.replaceAll("/+$", ""));
    }
    if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
      throw new IllegalArgumentException("connection '" + name + "': base_url must be http or https, got '" + baseUrl + "'");
    }
    if ("http".equals(baseUrl.getScheme()) && token != null && !token.isBlank() && !isLoopback(baseUrl.getHost())) {
      throw new IllegalArgumentException("connection '" + name + "': base_url " + baseUrl.getScheme() + "://" + baseUrl.getHost()
          + " would send the token in clear text; use https:// (plain http only to a loopback host, such as the sandbox on 127.0.0.1)");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("connection '" + name + "' has no token"
          + (tokenSource == null ? "" : " (is " + tokenSource + " set?)"));
    }
    limitOverrides = Map.copyOf(limitOverrides == null ? Map.of() : limitOverrides);
    objects = List.copyOf(objects == null ? List.of() : objects);
    Map<String, List<String>> props = new LinkedHashMap<>();
    if (properties != null) {
      properties.forEach((k, v) -> props.put(k, List.copyOf(v)));
    }
    properties = java.util.Collections.unmodifiableMap(props);
    if (incrementalOverlap == null) {
      incrementalOverlap = DEFAULT_INCREMENTAL_OVERLAP;
    }
    if (incrementalOverlap.isNegative()) {
      throw new IllegalArgumentException("connection '" + name + "': incremental overlap must not be negative");
    }
    if (dailyLimitZone == null) {
      dailyLimitZone = ZoneId.of("UTC");
    }
    if (searchIndexSettle != null && searchIndexSettle.isNegative()) {
      throw new IllegalArgumentException("connection '" + name + "': search index settle time must not be negative");
    }
  }

  /** The platform setting {@code name}, or null when the config does not give it. */
  public String setting(String name) {
    return settings.get(name);
  }

  /** {@code localhost}, {@code 127.0.0.0/8} or {@code ::1}, by the URL's text alone (no name lookup). */
  static boolean isLoopback(String host) {
    if (host == null) return false;
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return h.equalsIgnoreCase("localhost") || h.matches("127(\\.\\d{1,3}){3}") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
  }

  /** Starts a config for connection {@code name} on {@code platform}. */
  public static Builder builder(String name, String platform) {
    return new Builder(name, platform);
  }

  /** A builder initialised from this config. */
  public Builder toBuilder() {
    Builder b = new Builder(name, platform);
    b.baseUrl = baseUrl;
    b.token = token;
    b.tokenSource = tokenSource;
    b.tier = tier;
    b.limitOverrides = limitOverrides;
    b.objects = objects;
    b.properties = properties;
    b.cron = cron;
    b.incrementalOverlap = incrementalOverlap;
    b.searchIndexSettle = searchIndexSettle;
    b.dailyLimitZone = dailyLimitZone;
    b.settings = settings;
    return b;
  }

  @Override
  public String toString() {
    return "ConnectionConfig[name=" + name + ", platform=" + platform + ", baseUrl=" + baseUrl
        + ", token=***" + (tokenSource == null ? "" : " (from " + tokenSource + ")")
        + ", tier=" + tier + ", limitOverrides=" + limitOverrides + ", objects=" + objects
        + ", properties=" + properties + ", cron=" + cron + ", incrementalOverlap=" + incrementalOverlap
        + ", searchIndexSettle=" + searchIndexSettle + ", dailyLimitZone=" + dailyLimitZone + ", settings=" + settings + "]";
  }

  /** Builds a {@link ConnectionConfig}; validation happens in {@link #build()}. */
  public static final class Builder {
    private final String name;
    private final String platform;
    private URI baseUrl;
    private String token;
    private String tokenSource;
    private String tier;
    private Map<String, RateLimitSpec> limitOverrides = Map.of();
    private List<String> objects = List.of();
    private Map<String, List<String>> properties = Map.of();
    private String cron;
    private Duration incrementalOverlap;
    private Duration searchIndexSettle;
    private ZoneId dailyLimitZone;
    private Map<String, String> settings = Map.of();

    private Builder(String name, String platform) {
      this.name = name;
      this.platform = platform;
    }

    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl == null ? null : URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
      return this;
    }

    public Builder baseUrl(URI baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /** The token value and, for error messages, where it came from (e.g. the variable's name; may be null). */
    public Builder token(String token, String tokenSource) {
      this.token = token;
      this.tokenSource = tokenSource;
      return this;
    }

    public Builder token(String token) {
      return token(token, null);
    }

    public Builder tier(String tier) {
      this.tier = tier;
      return this;
    }

    public Builder limitOverrides(Map<String, RateLimitSpec> limitOverrides) {
      this.limitOverrides = Objects.requireNonNull(limitOverrides);
      return this;
    }

    public Builder limit(String bucketClass, RateLimitSpec spec) {
      Map<String, RateLimitSpec> m = new LinkedHashMap<>(limitOverrides);
      m.put(bucketClass, spec);
      this.limitOverrides = m;
      return this;
    }

    public Builder objects(List<String> objects) {
      this.objects = Objects.requireNonNull(objects);
      return this;
    }

    public Builder properties(Map<String, List<String>> properties) {
      this.properties = Objects.requireNonNull(properties);
      return this;
    }

    public Builder properties(String objectType, List<String> props) {
      Map<String, List<String>> m = new LinkedHashMap<>(properties);
      m.put(objectType, props);
      this.properties = m;
      return this;
    }

    public Builder cron(String cron) {
      this.cron = cron;
      return this;
    }

    public Builder incrementalOverlap(Duration overlap) {
      this.incrementalOverlap = overlap;
      return this;
    }

    /** Null = the platform's default (see {@link RateLimitRegistry#searchIndexSettle}). */
    public Builder searchIndexSettle(Duration settle) {
      this.searchIndexSettle = settle;
      return this;
    }

    /** Null = UTC. */
    public Builder dailyLimitZone(ZoneId zone) {
      this.dailyLimitZone = zone;
      return this;
    }

    /** The platform's own settings (replacing any given before). */
    public Builder settings(Map<String, String> settings) {
      this.settings = Objects.requireNonNull(settings);
      return this;
    }

    /** One platform setting, e.g. {@code setting("list_id", "a6b5da1054")}. */
    public Builder setting(String name, String value) {
      Map<String, String> m = new LinkedHashMap<>(settings);
      m.put(name, value);
      this.settings = m;
      return this;
    }

    /** @throws IllegalArgumentException with a one-line reason for a missing or bad value */
    public ConnectionConfig build() {
      return new ConnectionConfig(name, platform, baseUrl, token, tokenSource, tier, limitOverrides, objects,
          properties, cron, incrementalOverlap, searchIndexSettle, dailyLimitZone, settings);
    }
  }
}
