package dev.sluice.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The published rate limits of each platform, per tier and endpoint class, loaded from the
 * versioned resources {@code dev/sluice/connectors/ratelimits/<platform>.v<N>.json} (the current
 * version of each platform is named in {@code index.json}). Immutable and thread-safe.
 */
public final class RateLimitRegistry {

  private static final String DIR = "/dev/sluice/connectors/ratelimits/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile RateLimitRegistry builtIn;

  private final Map<String, JsonNode> platforms;

  private RateLimitRegistry(Map<String, JsonNode> platforms) {
    this.platforms = Map.copyOf(platforms);
  }

  /** The registry shipped in this jar. */
  public static RateLimitRegistry builtIn() {
    RateLimitRegistry r = builtIn;
    if (r == null) {
      JsonNode index = read("index.json");
      Map<String, JsonNode> m = new LinkedHashMap<>();
      index.fields().forEachRemaining(e -> {
        if (!e.getKey().startsWith("_")) {
          m.put(e.getKey(), read(e.getValue().asText()));
        }
      });
      r = new RateLimitRegistry(m);
      builtIn = r;
    }
    return r;
  }

  private static JsonNode read(String file) {
    try (InputStream in = RateLimitRegistry.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("rate-limit resource " + DIR + file + " is missing from the jar");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("rate-limit resource " + DIR + file + " is unreadable", e);
    }
  }

  /** The platforms with limits in this registry. */
  public Set<String> platforms() {
    return new TreeSet<>(platforms.keySet());
  }

  /** The tiers known for {@code platform}. */
  public Set<String> tiers(String platform) {
    Set<String> tiers = new TreeSet<>();
    platformNode(platform).path("tiers").fieldNames().forEachRemaining(tiers::add);
    return tiers;
  }

  /**
   * The limits of {@code platform} at {@code tier} (null = the platform's default tier), with
   * {@code overrides} (bucket class to limit) replacing or adding buckets.
   *
   * @throws IllegalArgumentException naming the valid choices when the platform or tier is unknown
   */
  public ConnectionLimits limitsFor(String platform, String tier, Map<String, RateLimitSpec> overrides) {
    JsonNode p = platformNode(platform);
    String t = tier == null || tier.isBlank() ? p.path("default_tier").asText() : tier.trim().toLowerCase(Locale.ROOT);
    JsonNode tierNode = p.path("tiers").path(t);
    if (tierNode.isMissingNode()) {
      throw new IllegalArgumentException("unknown " + platform + " tier '" + tier + "' (known: "
          + String.join(", ", tiers(platform)) + ", or give explicit limits)");
    }
    Map<String, RateLimitSpec> buckets = new LinkedHashMap<>();
    tierNode.fields().forEachRemaining(e -> buckets.put(e.getKey(), spec(platform, t, e.getKey(), e.getValue())));
    if (overrides != null) {
      buckets.putAll(overrides);
    }
    Map<String, List<String>> endpoints = new LinkedHashMap<>();
    p.path("endpoints").fields().forEachRemaining(e -> {
      if (!e.getKey().startsWith("_")) {
        List<String> classes = new ArrayList<>();
        e.getValue().forEach(c -> classes.add(c.asText()));
        endpoints.put(e.getKey(), classes);
      }
    });
    Map<String, Integer> concurrency = new LinkedHashMap<>();
    p.path("concurrency").fields().forEachRemaining(e -> {
      if (!e.getKey().startsWith("_")) {
        concurrency.put(e.getKey(), e.getValue().asInt());
      }
    });
    return new ConnectionLimits(platform, t, p.path("version").asInt(), buckets, endpoints, concurrency);
  }

  /**
   * How long after a write the platform's change feed (HubSpot: the search index) is taken to hold
   * it, from the registry's {@code search_index_settle}; zero for a platform without one (its
   * change feed is read directly) and for an unknown platform.
   */
  public Duration searchIndexSettle(String platform) {
    JsonNode p = platform == null ? null : platforms.get(platform.toLowerCase(Locale.ROOT));
    JsonNode settle = p == null ? null : p.path("search_index_settle").path("duration");
    if (settle == null || settle.isMissingNode()) {
      return Duration.ZERO;
    }
    try {
      return Duration.parse(settle.asText());
    } catch (DateTimeParseException e) {
      throw new IllegalStateException("bad search_index_settle for " + platform + ": " + settle.asText(), e);
    }
  }

  private JsonNode platformNode(String platform) {
    JsonNode p = platform == null ? null : platforms.get(platform.toLowerCase(Locale.ROOT));
    if (p == null) {
      throw new IllegalArgumentException("no rate limits known for platform '" + platform + "' (known: "
          + String.join(", ", platforms()) + ")");
    }
    return p;
  }

  private static RateLimitSpec spec(String platform, String tier, String bucket, JsonNode n) {
    try {
      return RateLimitSpec.of(n.path("permits").asLong(), Duration.parse(n.path("window").asText()));
    } catch (DateTimeParseException | IllegalArgumentException e) {
      throw new IllegalStateException("bad rate limit " + platform + "/" + tier + "/" + bucket + ": " + e.getMessage(), e);
    }
  }
}
