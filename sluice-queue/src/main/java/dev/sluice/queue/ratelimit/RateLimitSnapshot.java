package dev.sluice.queue.ratelimit;

import java.time.Instant;

/**
 * RateLimitSnapshot is one bucket as a dashboard shows it, read at one instant.
 *
 * @param name          the bucket's name
 * @param limit         its configuration (capacity and refill)
 * @param available     permits that could be granted right now; negative while a debt learned from
 *                      {@link RateLimits#observe} is being paid back
 * @param grantedTotal  permits granted since the bucket was defined
 * @param updatedAt     last change of configuration, grant or observation (by the callers' clocks)
 * @param resetsAt      for a {@link RateLimit#daily} quota: its next reset (midnight in its zone); else null
 */
public record RateLimitSnapshot(String name, RateLimit limit, double available, long grantedTotal, Instant updatedAt,
    Instant resetsAt) {

  /** A snapshot of a bucket that does not reset at fixed times. */
  public RateLimitSnapshot(String name, RateLimit limit, double available, long grantedTotal, Instant updatedAt) {
    this(name, limit, available, grantedTotal, updatedAt, null);
  }
}
