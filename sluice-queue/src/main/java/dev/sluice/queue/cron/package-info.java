/**
 * Cron schedules stored in PostgreSQL that fire each tick once across all processes, as a job of
 * the queue ({@link dev.sluice.queue.cron.CronScheduler}).
 */
package dev.sluice.queue.cron;
