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
 */
public record RateLimitSnapshot(String name, RateLimit limit, double available, long grantedTotal, Instant updatedAt) {
}
