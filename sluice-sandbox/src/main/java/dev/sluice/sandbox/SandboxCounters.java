package dev.sluice.sandbox;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the sandbox served, for tests and benchmarks to assert on: requests per endpoint class
 * (method and route template, e.g. {@code "POST /crm/v3/objects/{type}/search"}), 429s and 5xx
 * served (injected or real), connections dropped, and the idempotency keys each platform saw.
 * Thread-safe.
 */
public final class SandboxCounters {
  private final Map<String, LongAdder> requestsByEndpoint = new ConcurrentHashMap<>();
  private final LongAdder requests = new LongAdder();
  private final LongAdder tooManyRequests = new LongAdder();
  private final LongAdder serverErrors = new LongAdder();
  private final LongAdder droppedConnections = new LongAdder();
  private final Map<String, Map<String, LongAdder>> idempotencyKeys = new ConcurrentHashMap<>();

  void recordRequest(String endpointClass, int status) {
    requests.increment();
    requestsByEndpoint.computeIfAbsent(endpointClass, k -> new LongAdder()).increment();
    if (status == 429) tooManyRequests.increment();
    if (status >= 500) serverErrors.increment();
  }

  void recordDroppedConnection() {
    droppedConnections.increment();
  }

  void recordIdempotencyKey(String platform, String key) {
    idempotencyKeys.computeIfAbsent(platform, p -> new ConcurrentHashMap<>())
        .computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** All requests answered (including admin calls, excluding dropped connections). */
  public long requests() {
    return requests.sum();
  }

  /** Requests per endpoint class, sorted by name. */
  public Map<String, Long> requestsByEndpoint() {
    Map<String, Long> out = new TreeMap<>();
    requestsByEndpoint.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Requests of one endpoint class, e.g. {@code "GET /crm/v3/objects/{type}"}; 0 if none. */
  public long requests(String endpointClass) {
    LongAdder a = requestsByEndpoint.get(endpointClass);
    return a == null ? 0 : a.sum();
  }

  public long tooManyRequestsServed() {
    return tooManyRequests.sum();
  }

  public long serverErrorsServed() {
    return serverErrors.sum();
  }

  public long droppedConnections() {
    return droppedConnections.sum();
  }

  /** Distinct idempotency keys a platform saw. */
  public Set<String> idempotencyKeys(String platform) {
    Map<String, LongAdder> keys = idempotencyKeys.get(platform);
    return keys == null ? Set.of() : Set.copyOf(keys.keySet());
  }

  /** How often a platform saw one idempotency key (a retried write shows up as 2 or more). */
  public long idempotencyKeyCount(String platform, String key) {
    Map<String, LongAdder> keys = idempotencyKeys.get(platform);
    LongAdder a = keys == null ? null : keys.get(key);
    return a == null ? 0 : a.sum();
  }

  /** A JSON-friendly snapshot for the admin API. */
  public Map<String, Object> snapshot() {
    Map<String, Object> keys = new TreeMap<>();
    idempotencyKeys.forEach((p, m) -> {
      Map<String, Long> counts = new TreeMap<>();
      m.forEach((k, v) -> counts.put(k, v.sum()));
      keys.put(p, counts);
    });
    Map<String, Object> out = new TreeMap<>();
    out.put("requests", requests());
    out.put("requests_by_endpoint", requestsByEndpoint());
    out.put("too_many_requests_served", tooManyRequestsServed());
    out.put("server_errors_served", serverErrorsServed());
    out.put("dropped_connections", droppedConnections());
    out.put("idempotency_keys", keys);
    return out;
  }

  /** Forgets everything counted so far. */
  public void reset() {
    requestsByEndpoint.clear();
    requests.reset();
    tooManyRequests.reset();
    serverErrors.reset();
    droppedConnections.reset();
    idempotencyKeys.clear();
  }
}
