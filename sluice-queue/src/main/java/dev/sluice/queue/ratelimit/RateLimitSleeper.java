package dev.sluice.queue.ratelimit;

import java.time.Duration;

/**
 * How {@link RateLimits#acquire} waits between attempts. Production sleeps the thread; tests pass
 * one that advances a mutable clock, so blocking acquires are tested without real time passing.
 */
@FunctionalInterface
interface RateLimitSleeper {
  RateLimitSleeper THREAD_SLEEP = d -> Thread.sleep(d);

  void sleep(Duration duration) throws InterruptedException;
}
