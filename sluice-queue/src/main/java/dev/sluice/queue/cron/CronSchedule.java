package dev.sluice.queue.cron;

import dev.sluice.queue.NewJob;
import java.time.Instant;
import java.time.ZoneId;

/**
 * CronSchedule is one stored schedule as {@link CronScheduler#list()} shows it.
 *
 * @param name        unique name; part of every fired job's dedupe key
 * @param expression  Unix cron expression, 5 fields
 * @param zone        time zone the expression is read in
 * @param template    the job enqueued at each tick (its run-at becomes the tick, its dedupe key
 *                    {@code cron:<name>:<tick>})
 * @param lastTick    latest tick already turned into a job, or the creation time before the first
 * @param nextTick    next tick after {@code lastTick}; null when the expression never fires again
 */
public record CronSchedule(String name, String expression, ZoneId zone, NewJob template, Instant lastTick,
                           Instant nextTick) {
}
