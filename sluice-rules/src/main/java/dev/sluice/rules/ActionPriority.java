package dev.sluice.rules;

import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.queue.ratelimit.RateLimitTimeoutException;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import javax.sql.DataSource;

/**
 * Actions before syncs on a connection's shared rate-limit buckets. Two views of the same buckets
 * ({@link RateLimits} in PostgreSQL, so every process takes part):
 * <ul>
 *   <li>{@link #forActions()}: an action that cannot have its permit now records that it waits
 *       (table {@code action_permit_wait}: bucket, permits, until) and tries again when the
 *       buckets say a permit frees up. Its record outlives a give-up by the time it was told to
 *       wait, so an action job that snoozes keeps its place for its next attempt.
 *   <li>{@link #forSyncs()}: every other caller (syncs, lead drains, pipelines) takes permits only
 *       while the buckets keep, after the grant, as many as the live action waiters hold back
 *       ({@link RateLimits#tryAcquire(java.util.Collection, int, int)}'s headroom).
 * </ul>
 * A sync running at the limit thus leaves the next freed permits to a waiting action, which has
 * its permit within one window of the bucket; with no action waiting the sync uses the whole
 * budget. Thread-safe.
 */
public final class ActionPriority {
  /** How long a waiter's record outlives the wait the buckets announced (a slow poll must not lose its place). */
  static final Duration WAIT_MARGIN = Duration.ofSeconds(1);
  /**
   * How long a sync reuses what it read of the waiters (per bucket set): it costs a sync one more
   * statement per 50 ms, not per permit, and a waiting action loses at most that much.
   */
  static final Duration RESERVED_CACHE = Duration.ofMillis(50);

  /** How an action waits between tries; tests pass one that moves a manual clock. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final DataSource ds;
  private final String schema;
  private final RateLimits limits;
  private final QueueRateLimitGate base;
  private final Clock clock;
  private final Sleeper sleeper;
  private final SqlResource upsert;
  private final SqlResource delete;
  private final SqlResource reserved;

  /** Priority over {@code limits} (buckets in {@code schema}, whose rules migration created the waiter table). */
  public ActionPriority(DataSource ds, String schema, RateLimits limits, Clock clock) {
    this(ds, schema, limits, clock, d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000)));
  }

  ActionPriority(DataSource ds, String schema, RateLimits limits, Clock clock, Sleeper sleeper) {
    this.ds = ds;
    this.schema = SqlResource.checkSchema(schema);
    this.limits = limits;
    this.base = QueueRateLimitGate.of(limits);
    this.clock = clock;
    this.sleeper = sleeper;
    this.upsert = SqlResource.load(ActionPriority.class, "permit_wait_upsert.sql", schema);
    this.delete = SqlResource.load(ActionPriority.class, "permit_wait_delete.sql", schema);
    this.reserved = SqlResource.load(ActionPriority.class, "permit_wait_reserved.sql", schema);
  }

  /** Creates the waiter table (the rules migrations). Idempotent. */
  public ActionPriority migrate() {
    RulesEngine.migrateSchema(ds, schema);
    return this;
  }

  /** The view for action handlers: they go first. */
  public RateLimitGate forActions() {
    return new Gate(true);
  }

  /** The view for syncs and every other caller: they leave what waiting actions hold back. */
  public RateLimitGate forSyncs() {
    return new Gate(false);
  }

  /** Permits the live action waiters hold back in the most reserved of {@code buckets}. */
  int reserved(List<String> buckets) {
    try (Connection c = ds.getConnection(); PreparedStatement ps = reserved.prepare(c)) {
      reserved.set(ps, "buckets", c.createArrayOf("text", buckets.toArray()));
      reserved.set(ps, "now", clock.instant().atOffset(java.time.ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading action permit waiters failed: " + e.getMessage(), e);
    }
  }

  /** One try of an action: granted, or its wait recorded (until the announced wait + margin) and answered. */
  Optional<Duration> tryForAction(UUID waiter, List<String> buckets, int permits) {
    Optional<Duration> wait = limits.tryAcquire(buckets, permits);
    if (wait.isEmpty()) {
      forget(waiter);
      return wait;
    }
    try (Connection c = ds.getConnection(); PreparedStatement ps = upsert.prepare(c)) {
      upsert.set(ps, "buckets", c.createArrayOf("text", buckets.toArray()));
      upsert.set(ps, "waiter", waiter.toString());
      upsert.set(ps, "permits", permits);
      upsert.set(ps, "until", clock.instant().plus(wait.get()).plus(WAIT_MARGIN).atOffset(java.time.ZoneOffset.UTC));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("recording an action permit wait failed: " + e.getMessage(), e);
    }
    return wait;
  }

  /** One try of a sync: granted only while the waiting actions' permits stay in the buckets. */
  Optional<Duration> tryForSync(List<String> buckets, int permits) {
    return limits.tryAcquire(buckets, permits, reserved(buckets));
  }

  private void forget(UUID waiter) {
    try (Connection c = ds.getConnection(); PreparedStatement ps = delete.prepare(c)) {
      delete.set(ps, "waiter", waiter.toString());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("removing an action permit wait failed: " + e.getMessage(), e);
    }
  }

  private final class Gate implements RateLimitGate {
    private final boolean action;
    /** One waiter id per thread: a job's next attempt on the same thread keeps its place. */
    private final ThreadLocal<UUID> waiter = ThreadLocal.withInitial(UUID::randomUUID);

    private final java.util.concurrent.ConcurrentHashMap<List<String>, long[]> reservedRead = new java.util.concurrent.ConcurrentHashMap<>();

    Gate(boolean action) {
      this.action = action;
    }

    /** {@link #reserved} read at most every {@link #RESERVED_CACHE} per bucket set (monotonic time: the cache is this process's own). */
    private int reservedCached(List<String> names) {
      long now = System.nanoTime();
      long[] read = reservedRead.get(names);
      if (read != null && now - read[0] < RESERVED_CACHE.toNanos()) return (int) read[1];
      int value = reserved(names);
      reservedRead.put(List.copyOf(names), new long[] {now, value});
      return value;
    }

    @Override
    public void define(String name, RateLimitSpec limit) {
      base.define(name, limit);
    }

    @Override
    public Optional<Duration> acquire(List<String> names, int permits, Duration maxWait) {
      if (!action) {
        try {
          limits.acquire(names, permits, maxWait, this::reservedCached);
          return Optional.empty();
        } catch (RateLimitTimeoutException e) {
          Duration wait = e.suggestedWait();
          return Optional.of(wait == null || wait.isNegative() || wait.isZero() ? maxWait : wait);
        }
      }
      UUID me = waiter.get();
      Instant deadline = clock.instant().plus(maxWait);
      while (true) {
        Optional<Duration> wait = tryForAction(me, names, permits);
        if (wait.isEmpty()) return wait;
        Duration left = Duration.between(clock.instant(), deadline);
        if (wait.get().compareTo(left) > 0) return wait; // keeps its place: the record lives until the wait + margin
        try {
          sleeper.sleep(wait.get());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CancellationException("interrupted while an action waited for rate limit " + String.join(" + ", names));
        }
      }
    }

    @Override
    public void observe(String name, long remaining, Duration windowLeft) {
      base.observe(name, remaining, windowLeft);
    }

    @Override
    public void throttled(String name) {
      base.throttled(name);
    }
  }
}
