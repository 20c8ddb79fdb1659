package dev.sluice.sync;

import java.time.Duration;

/**
 * Tunables of the page jobs (kind {@value SyncEngine#PAGE_JOB_KIND}), stored as that kind's queue
 * policy by {@link SyncEngine#migrate()}.
 *
 * @param pageMaxAttempts attempts per page before its stream fails (snoozes for rate limits do not count)
 * @param retryBase first retry delay after a retryable error; doubles each attempt
 * @param retryMax cap on the retry delay
 * @param pageTimeout the page job kind's queue timeout: the longest a page handler may run (the worker
 *     interrupts it then and the page is read again on retry); keep it well above a slow page. A page
 *     job of a worker that died is rescued after the queue's {@code rescueAfter}, not this
 * @param maxRunningPages cap on page jobs running at once across all processes (null = no cap)
 */
public record SyncSettings(int pageMaxAttempts, Duration retryBase, Duration retryMax, Duration pageTimeout,
    Integer maxRunningPages) {

  /** Default attempts per page: with 1 s doubling to 1 min, about ten minutes of trying. */
  public static final int DEFAULT_PAGE_MAX_ATTEMPTS = 12;
  public static final Duration DEFAULT_RETRY_BASE = Duration.ofSeconds(1);
  public static final Duration DEFAULT_RETRY_MAX = Duration.ofMinutes(1);
  /** Generous: a page waits up to a couple of seconds for the rate limiter and a slow answer. */
  public static final Duration DEFAULT_PAGE_TIMEOUT = Duration.ofMinutes(2);

  public static final SyncSettings DEFAULTS = new SyncSettings(DEFAULT_PAGE_MAX_ATTEMPTS, DEFAULT_RETRY_BASE,
      DEFAULT_RETRY_MAX, DEFAULT_PAGE_TIMEOUT, null);

  public SyncSettings {
    if (pageMaxAttempts < 1) {
      throw new IllegalArgumentException("pageMaxAttempts must be at least 1");
    }
    if (retryBase == null || retryMax == null || pageTimeout == null || retryBase.isNegative()
        || retryMax.compareTo(retryBase) < 0 || pageTimeout.isZero() || pageTimeout.isNegative()) {
      throw new IllegalArgumentException("retryBase ≤ retryMax and a positive pageTimeout are required");
    }
  }

  public SyncSettings withPageMaxAttempts(int n) {
    return new SyncSettings(n, retryBase, retryMax, pageTimeout, maxRunningPages);
  }

  public SyncSettings withRetry(Duration base, Duration max) {
    return new SyncSettings(pageMaxAttempts, base, max, pageTimeout, maxRunningPages);
  }

  public SyncSettings withPageTimeout(Duration t) {
    return new SyncSettings(pageMaxAttempts, retryBase, retryMax, t, maxRunningPages);
  }

  public SyncSettings withMaxRunningPages(Integer n) {
    return new SyncSettings(pageMaxAttempts, retryBase, retryMax, pageTimeout, n);
  }
}
