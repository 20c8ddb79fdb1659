package dev.sluice.queue.ratelimit;

import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * RateLimits are named token buckets and rolling windows ({@link RateLimit}) kept in PostgreSQL
 * (table {@code rate_limit}), so every process on the database draws from the same buckets. A
 * handler takes permits before it calls an API:
 *
 * <pre>{@code
 * rateLimits.define("hubspot-main:10s", RateLimit.rollingWindow(190, Duration.ofSeconds(10)));
 * rateLimits.define("hubspot-main:daily", RateLimit.daily(625_000, ZoneOffset.UTC));
 * rateLimits.acquire(List.of("hubspot-main:10s", "hubspot-main:daily"), 1, Duration.ofSeconds(30));
 * // ... call the API, then adapt to what it says is left:
 * rateLimits.observe("hubspot-main:daily", dailyRemaining, untilMidnight);
 * }</pre>
 *
 * <p>Each acquire is one SQL statement that refills the buckets for the time elapsed on the
 * injected {@link Clock} (never the database's clock, so tests drive time), checks every bucket and
 * debits them all or none. A token bucket's refill is continuous (tokens are fractional); a daily
 * quota holds what is left of the day until midnight in its zone, then the whole quota. The acquire commits with
 * {@code synchronous_commit} off (for that transaction only): it costs a round trip, not an fsync;
 * only a crash of the database server itself can forget the last fraction of a second of grants.
 *
 * <p>Thread-safe; holds no state besides the data source, so any number of instances in any
 * number of processes may share the buckets.
 */
public final class RateLimits {
  /** Longer waits are cut to this (a year); it keeps deadline arithmetic from overflowing. */
  static final Duration MAX_WAIT_CAP = Duration.ofDays(365);

  private final DataSource dataSource;
  private final String schema;
  private final Clock clock;
  private final RateLimitSleeper sleeper;
  private final SqlResource acquireSql;
  private final SqlResource defineSql;
  private final SqlResource updateSql;
  private final SqlResource observeSql;
  private final SqlResource snapshotSql;
  private final SqlResource removeSql;
  private final SqlResource throttledSql;
  /** One queue of waiting threads per set of bucket names (see {@link #acquire}). */
  private final Map<List<String>, ReentrantLock> waitLines = new ConcurrentHashMap<>();

  /**
   * Buckets in {@code schema} (created by the queue's migrations), timed by {@code clock}.
   */
  public RateLimits(DataSource dataSource, String schema, Clock clock) {
    this(dataSource, schema, clock, RateLimitSleeper.THREAD_SLEEP);
  }

  RateLimits(DataSource dataSource, String schema, Clock clock, RateLimitSleeper sleeper) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.schema = schema;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.acquireSql = SqlResource.load(RateLimits.class, "rate_limit_acquire.sql", schema);
    this.defineSql = SqlResource.load(RateLimits.class, "rate_limit_define.sql", schema);
    this.updateSql = SqlResource.load(RateLimits.class, "rate_limit_update.sql", schema);
    this.observeSql = SqlResource.load(RateLimits.class, "rate_limit_observe.sql", schema);
    this.snapshotSql = SqlResource.load(RateLimits.class, "rate_limit_snapshot.sql", schema);
    this.removeSql = SqlResource.load(RateLimits.class, "rate_limit_remove.sql", schema);
    this.throttledSql = SqlResource.load(RateLimits.class, "rate_limit_throttled.sql", schema);
  }

  /**
   * Creates the bucket {@code name} full, or, if it exists, changes its configuration while keeping
   * its tokens (clamped to the new capacity): processes that define their limits at every start
   * never hand out an extra burst. Idempotent.
   */
  public void define(String name, RateLimit limit) {
    checkName(name);
    Objects.requireNonNull(limit, "limit");
    run("define", name, c -> {
      try (PreparedStatement ps = defineSql.prepare(c)) {
        bindLimit(defineSql, ps, name, limit);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /**
   * Changes the configuration of an existing bucket at run time, keeping its tokens (clamped to
   * the new capacity).
   *
   * @throws IllegalArgumentException when no bucket is named {@code name}
   */
  public void update(String name, RateLimit limit) {
    checkName(name);
    Objects.requireNonNull(limit, "limit");
    boolean found = run("update", name, c -> {
      try (PreparedStatement ps = updateSql.prepare(c)) {
        bindLimit(updateSql, ps, name, limit);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
    if (!found) throw unknown(name);
  }

  /** Deletes the bucket {@code name}; false when there was none. */
  public boolean remove(String name) {
    checkName(name);
    return run("remove", name, c -> {
      try (PreparedStatement ps = removeSql.prepare(c)) {
        removeSql.set(ps, "name", name);
        return ps.executeUpdate() > 0;
      }
    });
  }

  /**
   * Takes {@code permits} from bucket {@code name} if it holds them now.
   *
   * @return empty when granted; otherwise how long until the bucket should hold enough (a hint:
   *     other processes may take them first)
   * @throws IllegalArgumentException when the bucket does not exist or can never hold that many
   */
  public Optional<Duration> tryAcquire(String name, int permits) {
    return tryAcquire(List.of(name), permits);
  }

  /**
   * Takes {@code permits} from every bucket in {@code names} if all of them hold that many now, or
   * from none (e.g. a 10-second bucket and a daily bucket of the same API).
   *
   * @return empty when granted; otherwise how long until every bucket should hold enough
   * @throws IllegalArgumentException when a bucket does not exist or can never hold that many
   */
  public Optional<Duration> tryAcquire(Collection<String> names, int permits) {
    return tryAcquire(names, permits, 0);
  }

  /**
   * As {@link #tryAcquire(Collection, int)}, granted only when {@code headroom} more permits (at
   * most a bucket's capacity less {@code permits}) stay in every bucket afterwards: a caller of
   * lower priority leaves them to waiters of higher priority. The wait answered is until the
   * buckets hold {@code permits + headroom}.
   */
  public Optional<Duration> tryAcquire(Collection<String> names, int permits, int headroom) {
    if (headroom < 0) throw new IllegalArgumentException("headroom must not be negative, got " + headroom);
    List<String> distinct = distinctNames(names);
    if (permits < 1) throw new IllegalArgumentException("permits must be at least 1, got " + permits);
    Instant now = now();
    String label = String.join(" + ", distinct);
    return run("acquire", label, c -> {
      try (PreparedStatement ps = acquireSql.prepare(c)) {
        acquireSql.set(ps, "names", c.createArrayOf("text", distinct.toArray()));
        acquireSql.set(ps, "now", timestamp(now));
        acquireSql.set(ps, "permits", permits);
        acquireSql.set(ps, "headroom", headroom);
        boolean granted = false;
        long waitMicros = 0;
        List<String> found = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String name = rs.getString("name");
            found.add(name);
            granted = rs.getBoolean("granted");
            double available = rs.getDouble("available");
            long capacity = rs.getLong("capacity");
            if (permits > capacity) {
              throw new IllegalArgumentException("rate limit '" + name + "' holds at most " + capacity
                  + " permit(s); cannot acquire " + permits + " at once");
            }
            long rollingWait = rs.getLong("wait_us"); // rolling window or spent daily quota
            if (!rs.wasNull()) {
              waitMicros = Math.max(waitMicros, Math.max(1, rollingWait));
            } else if (available < permits + Math.min(headroom, Math.max(0, capacity - permits))) {
              double micros = (permits + Math.min(headroom, Math.max(0, capacity - permits)) - available)
                  * rs.getLong("refill_period_us") / rs.getLong("refill_tokens");
              waitMicros = Math.max(waitMicros, Math.max(1, (long) Math.ceil(micros)));
            }
          }
        }
        if (found.size() < distinct.size()) {
          List<String> missing = new ArrayList<>(distinct);
          missing.removeAll(found);
          throw new IllegalArgumentException("no rate limit named " + String.join(", ", missing.stream().map(n -> "'" + n + "'").toList())
              + " (define it first)");
        }
        return granted ? Optional.<Duration>empty() : Optional.of(Duration.of(waitMicros, ChronoUnit.MICROS));
      }
    });
  }

  /** {@link #acquire(Collection, int, Duration)} for one bucket. */
  public void acquire(String name, int permits, Duration maxWait) {
    acquire(List.of(name), permits, maxWait);
  }

  /**
   * Takes {@code permits} from every bucket in {@code names} (all or none), waiting up to
   * {@code maxWait} for them (measured on the injected clock). Gives up early when the buckets say
   * the permits cannot come in time. Threads of this process that must wait for the same buckets
   * wait in line (first come, first served) and only the first of them polls the database.
   *
   * @throws RateLimitTimeoutException when the permits were not had within {@code maxWait}; nothing
   *     was taken
   * @throws IllegalArgumentException when a bucket does not exist or can never hold that many
   * @throws CancellationException when the thread is interrupted while waiting (the interrupt flag
   *     stays set)
   */
  public void acquire(Collection<String> names, int permits, Duration maxWait) {
    acquire(names, permits, maxWait, n -> 0);
  }

  /**
   * As {@link #acquire(Collection, int, Duration)} for a caller of lower priority: each try leaves
   * {@code headroom.applyAsInt(names)} permits in the buckets ({@link #tryAcquire(Collection, int, int)}),
   * read again before every try, so waiters of higher priority get the permits that free up first.
   */
  public void acquire(Collection<String> names, int permits, Duration maxWait, java.util.function.ToIntFunction<List<String>> headroom) {
    Objects.requireNonNull(maxWait, "maxWait");
    Objects.requireNonNull(headroom, "headroom");
    if (maxWait.isNegative()) throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
    List<String> distinct = distinctNames(names);
    Instant deadline = clock.instant().plus(maxWait.compareTo(MAX_WAIT_CAP) > 0 ? MAX_WAIT_CAP : maxWait);
    Optional<Duration> wait = tryAcquire(distinct, permits, headroom.applyAsInt(distinct));
    if (wait.isEmpty()) return;
    // Waiters of one process queue here, so that only one of them at a time polls the database for
    // these buckets: N threads waking at the same instant would cost N statements per permit.
    ReentrantLock line = waitLines.computeIfAbsent(distinct, k -> new ReentrantLock(true));
    try {
      Duration left = Duration.between(clock.instant(), deadline);
      if (wait.get().compareTo(left) > 0 || !line.tryLock(saturatedNanos(left), TimeUnit.NANOSECONDS)) {
        throw new RateLimitTimeoutException(distinct, permits, maxWait, wait.get());
      }
      try {
        while (true) {
          wait = tryAcquire(distinct, permits, headroom.applyAsInt(distinct));
          if (wait.isEmpty()) return;
          left = Duration.between(clock.instant(), deadline);
          if (wait.get().compareTo(left) > 0) {
            throw new RateLimitTimeoutException(distinct, permits, maxWait, wait.get());
          }
          sleeper.sleep(wait.get());
        }
      } finally {
        line.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for rate limit " + String.join(" + ", distinct));
    }
  }

  /**
   * Adapts bucket {@code name} to what the API itself reports: when it says only
   * {@code remaining} calls are left and its window ends in {@code windowLeft}, the bucket is
   * lowered so that it grants at most {@code remaining} permits before then (its tokens become at
   * most {@code remaining - refill(windowLeft)}, possibly negative). It is never raised: the API's
   * count lags the calls still in flight.
   *
   * <p>A {@link RateLimit#daily} quota is set to {@code remaining}, up or down: the API's count of
   * its own day is the truth, and holding back what it says remains would throttle a sync for
   * nothing ({@code windowLeft} is ignored: the bucket knows its midnight). For a token bucket
   * standing for a window that resets, pass the time to the reset. For a rolling
   * window (HubSpot's {@code X-HubSpot-RateLimit-Remaining} over 10 s) pass {@link Duration#ZERO}:
   * slots free up continuously, so {@code remaining} is what may be used right now; this lowers the
   * bucket only when other clients of the same account have used the quota.
   *
   * @throws IllegalArgumentException when no bucket is named {@code name}
   */
  public void observe(String name, long remaining, Duration windowLeft) {
    checkName(name);
    Objects.requireNonNull(windowLeft, "windowLeft");
    if (remaining < 0) throw new IllegalArgumentException("remaining must not be negative, got " + remaining);
    if (windowLeft.isNegative()) throw new IllegalArgumentException("windowLeft must not be negative, got " + windowLeft);
    Instant now = now();
    boolean found = run("observe", name, c -> {
      try (PreparedStatement ps = observeSql.prepare(c)) {
        observeSql.set(ps, "now", timestamp(now));
        observeSql.set(ps, "remaining", remaining);
        observeSql.set(ps, "window_left_us", windowLeft.toNanos() / 1_000);
        observeSql.set(ps, "name", name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
    if (!found) throw unknown(name);
  }

  /**
   * Counts one refusal (HTTP 429) by the API that bucket {@code name} stands for; {@code /metrics}
   * exports the count ({@code sluice_rate_limit_throttled_total}). Does not change the bucket's
   * permits (that is {@link #observe}).
   *
   * @throws IllegalArgumentException when no bucket is named {@code name}
   */
  public void throttled(String name) {
    checkName(name);
    boolean found = run("throttled", name, c -> {
      try (PreparedStatement ps = throttledSql.prepare(c)) {
        throttledSql.set(ps, "name", name);
        return ps.executeUpdate() > 0;
      }
    });
    if (!found) throw unknown(name);
  }

  /**
   * The bucket {@code name} now, refilled up to the clock's instant.
   *
   * @throws IllegalArgumentException when no bucket is named {@code name}
   */
  public RateLimitSnapshot snapshot(String name) {
    checkName(name);
    List<RateLimitSnapshot> found = read(name);
    if (found.isEmpty()) throw unknown(name);
    return found.get(0);
  }

  /** Every bucket, by name. */
  public List<RateLimitSnapshot> list() {
    return read(null);
  }

  private List<RateLimitSnapshot> read(String name) {
    Instant now = now();
    return run("snapshot", name == null ? "*" : name, c -> {
      try (PreparedStatement ps = snapshotSql.prepare(c)) {
        snapshotSql.set(ps, "now", timestamp(now));
        snapshotSql.set(ps, "name", name);
        List<RateLimitSnapshot> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long windowMicros = rs.getLong("window_us");
            boolean tokenBucket = rs.wasNull();
            String zone = rs.getString("reset_zone");
            RateLimit limit = zone != null
                ? RateLimit.daily(rs.getLong("capacity"), java.time.ZoneId.of(zone))
                : tokenBucket
                    ? RateLimit.tokenBucket(rs.getLong("capacity"), rs.getLong("refill_tokens"),
                        Duration.of(rs.getLong("refill_period_us"), ChronoUnit.MICROS))
                    : RateLimit.rollingWindow(rs.getLong("capacity"), Duration.of(windowMicros, ChronoUnit.MICROS));
            OffsetDateTime resetsAt = rs.getObject("resets_at", OffsetDateTime.class);
            out.add(new RateLimitSnapshot(rs.getString("name"), limit, rs.getDouble("available"),
                rs.getLong("granted_total"), rs.getObject("updated_at", OffsetDateTime.class).toInstant(),
                resetsAt == null ? null : resetsAt.toInstant()));
          }
        }
        return out;
      }
    });
  }

  private void bindLimit(SqlResource sql, PreparedStatement ps, String name, RateLimit limit) throws SQLException {
    sql.set(ps, "name", name);
    sql.set(ps, "capacity", limit.capacity());
    sql.set(ps, "refill_tokens", limit.refillTokens());
    sql.set(ps, "refill_period_us", limit.periodMicros());
    sql.set(ps, "window_us", limit.rolling() ? limit.periodMicros() : null);
    sql.set(ps, "reset_zone", limit.resetZone() == null ? null : limit.resetZone().getId());
    sql.set(ps, "now", timestamp(now()));
  }

  private static long saturatedNanos(Duration d) {
    if (d.isNegative()) return 0;
    return d.compareTo(MAX_WAIT_CAP) > 0 ? MAX_WAIT_CAP.toNanos() : d.toNanos();
  }

  DataSource dataSource() {
    return dataSource;
  }

  String schema() {
    return schema;
  }

  Clock clock() {
    return clock;
  }

  /** The clock's instant at the database's precision, so a bucket's time compares exactly. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static List<String> distinctNames(Collection<String> names) {
    Objects.requireNonNull(names, "names");
    if (names.isEmpty()) throw new IllegalArgumentException("at least one rate limit name is needed");
    names.forEach(RateLimits::checkName);
    return List.copyOf(new TreeSet<>(names));
  }

  private static void checkName(String name) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("rate limit name must not be blank");
    if (name.length() > 200) throw new IllegalArgumentException("rate limit name is longer than 200 characters: " + name.substring(0, 40) + "…");
  }

  private static IllegalArgumentException unknown(String name) {
    return new IllegalArgumentException("no rate limit named '" + name + "' (define it first)");
  }

  /** Work on one connection of the data source. */
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T run(String operation, String name, SqlWork<T> work) {
    return autocommit(dataSource, "rate limit " + operation + " of " + name, work);
  }

  /**
   * Runs {@code work} on a connection in autocommit mode: each statement is its own transaction
   * (an acquire relies on it to hold row locks briefly).
   */
  static <T> T autocommit(DataSource dataSource, String what, SqlWork<T> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      return work.run(c);
    } catch (SQLException e) {
      throw new RateLimitException(what + " failed: " + e.getMessage(), e);
    }
  }
}
