/**
 * Rate limits shared by every process on one database: token buckets and rolling windows
 * ({@link dev.sluice.queue.ratelimit.RateLimits}). Independent of jobs: connectors use them
 * without a queue; the tables come with {@link dev.sluice.queue.schema.QueueSchema#migrate}.
 */
package dev.sluice.queue.ratelimit;
