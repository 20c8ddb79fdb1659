/**
 * The durable PostgreSQL job queue: enqueue ({@link dev.sluice.queue.JobQueue}), workers
 * ({@link dev.sluice.queue.JobWorker}) and handlers. Cron schedules live in
 * {@code dev.sluice.queue.cron}, shared rate limits in {@code dev.sluice.queue.ratelimit}.
 */
package dev.sluice.queue;
