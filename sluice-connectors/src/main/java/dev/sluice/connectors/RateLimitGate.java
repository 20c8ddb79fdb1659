package dev.sluice.connectors;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The shared rate limiter a connector takes permits from before every request. The production
 * implementation is {@link QueueRateLimitGate}, backed by the queue's Postgres-shared {@code
 * RateLimits}, so every process using one connection draws from the same buckets. Implementations
 * are thread-safe.
 */
public interface RateLimitGate {

  /** Creates or updates the bucket {@code name} (idempotent; every process may call it). */
  void define(String name, RateLimitSpec limit);

  /**
   * Takes {@code permits} from every bucket in {@code names}, all or nothing, waiting up to
   * {@code maxWait}.
   *
   * @return empty when granted; otherwise how long until the permits could be granted (nothing taken)
   */
  Optional<Duration> acquire(List<String> names, int permits, Duration maxWait);

  /**
   * Tells the limiter what the platform reported: {@code remaining} requests left in the current
   * window of bucket {@code name}, which ends in {@code windowLeft}.
   */
  void observe(String name, long remaining, Duration windowLeft);

  /**
   * Tells the limiter the platform refused a request with 429 that took permits from bucket
   * {@code name}: counted per bucket, cluster-wide, for {@code /metrics}. Nothing else changes
   * ({@link #observe} adapts the permits).
   */
  default void throttled(String name) {}

  /** A gate that never limits (unit tests of parsing; never for real traffic). */
  static RateLimitGate unlimited() {
    return new RateLimitGate() {
      @Override
      public void define(String name, RateLimitSpec limit) {}

      @Override
      public Optional<Duration> acquire(List<String> names, int permits, Duration maxWait) {
        return Optional.empty();
      }

      @Override
      public void observe(String name, long remaining, Duration windowLeft) {}
    };
  }
}
