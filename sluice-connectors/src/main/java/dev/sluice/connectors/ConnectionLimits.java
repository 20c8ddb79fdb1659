package dev.sluice.connectors;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rate limits that apply to one platform plan, resolved from the registry and the config's
 * overrides.
 *
 * @param platform e.g. {@code "hubspot"}
 * @param tier the tier they came from, e.g. {@code "professional"}
 * @param registryVersion the version of the registry resource, e.g. 1 for {@code hubspot.v1.json}
 * @param buckets bucket class (e.g. {@code "10s"}, {@code "daily"}, {@code "search"}) to its limit
 * @param endpoints endpoint class (e.g. {@code "list"}, {@code "search"}) to the bucket classes one
 *     request takes
 * @param concurrency cap class (Mailchimp {@code "connections"}) to the number of simultaneous
 *     requests the platform allows per account, shared by every process ({@link ConcurrencyGate})
 */
public record ConnectionLimits(
    String platform, String tier, int registryVersion, Map<String, RateLimitSpec> buckets, Map<String, List<String>> endpoints,
    Map<String, Integer> concurrency) {

  public ConnectionLimits {
    Objects.requireNonNull(platform, "platform");
    buckets = Map.copyOf(buckets);
    endpoints = Map.copyOf(endpoints);
    concurrency = Map.copyOf(concurrency == null ? Map.of() : concurrency);
    concurrency.forEach((k, v) -> {
      if (v < 1) {
        throw new IllegalArgumentException("concurrency cap " + k + " needs at least 1 slot, got " + v);
      }
    });
  }

  /** Limits without a concurrency cap. */
  public ConnectionLimits(String platform, String tier, int registryVersion, Map<String, RateLimitSpec> buckets,
      Map<String, List<String>> endpoints) {
    this(platform, tier, registryVersion, buckets, endpoints, Map.of());
  }

  /** The shared name of a connection's concurrency cap: {@code "<connection>:<class>"}. */
  public static String capName(String connection, String capClass) {
    return connection + ":" + capClass;
  }

  /** These limits with cap {@code capClass} set to {@code slots} (a per-connection override). */
  public ConnectionLimits withConcurrency(String capClass, int slots) {
    Map<String, Integer> m = new java.util.LinkedHashMap<>(concurrency);
    m.put(capClass, slots);
    return new ConnectionLimits(platform, tier, registryVersion, buckets, endpoints, m);
  }

  /** The shared bucket name of a connection's bucket class: {@code "<connection>:<class>"}. */
  public static String bucketName(String connection, String bucketClass) {
    return connection + ":" + bucketClass;
  }

  /**
   * The bucket names one request of {@code endpointClass} must acquire on {@code connection}; only
   * buckets that have a limit are named.
   */
  public List<String> bucketsFor(String connection, String endpointClass) {
    return endpoints.getOrDefault(endpointClass, List.of()).stream()
        .filter(buckets::containsKey)
        .map(c -> bucketName(connection, c))
        .toList();
  }
}
