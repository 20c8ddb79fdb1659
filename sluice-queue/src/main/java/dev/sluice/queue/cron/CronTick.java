package dev.sluice.queue.cron;

import dev.sluice.queue.EnqueueResult;
import java.time.Instant;

/**
 * CronTick is one tick this process turned into a job.
 *
 * @param schedule  the schedule's name
 * @param tick      the tick's instant (the job's run-at)
 * @param job       what the enqueue answered (created=false: a job with this tick's dedupe key
 *                  already existed)
 */
public record CronTick(String schedule, Instant tick, EnqueueResult job) {
}
