package dev.sluice.queue.ratelimit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * One worker process of {@link RateLimitClusterTest}: waits until every sibling is ready, then
 * takes {@code grants} permits from the shared bucket as fast as the bucket allows, and records
 * each grant with the database's clock_timestamp().
 *
 * <p>Arguments: jdbcUrl user schema bucket childId grants siblings.
 */
public final class RateLimitClusterChild {
  private RateLimitClusterChild() {
  }

  public static void main(String[] args) throws Exception {
    String jdbcUrl = args[0];
    String user = args[1];
    String schema = args[2];
    String bucket = args[3];
    int childId = Integer.parseInt(args[4]);
    int grants = Integer.parseInt(args[5]);
    int siblings = Integer.parseInt(args[6]);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setMaximumPoolSize(2);
    try (HikariDataSource ds = new HikariDataSource(config)) {
      LastReadClock clock = new LastReadClock();
      RateLimits limits = new RateLimits(ds, schema, clock);
      awaitSiblings(ds, childId, siblings);
      try (Connection c = ds.getConnection();
           PreparedStatement record = c.prepareStatement(
               "INSERT INTO rate_limit_grant_log (child, asked_at, recorded_at) VALUES (?, ?, clock_timestamp())")) {
        for (int i = 0; i < grants; i++) {
          limits.acquire(bucket, 1, Duration.ofMinutes(1));
          // the instant the granting statement was sent with: the bucket's time of this grant is
          // at or after it
          Instant askedAt = clock.lastRead();
          record.setInt(1, childId);
          record.setObject(2, askedAt.atOffset(ZoneOffset.UTC));
          record.executeUpdate();
        }
      }
    }
  }

  /**
   * The system clock, remembering per thread the last instant it gave: after a granted acquire
   * that is the instant the granting statement carried (acquire returns right after it).
   */
  private static final class LastReadClock extends Clock {
    private final ThreadLocal<Instant> last = new ThreadLocal<>();

    @Override
    public Instant instant() {
      Instant now = Instant.now();
      last.set(now);
      return now;
    }

    Instant lastRead() {
      return last.get();
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /** A start line in the database, so JVM start-up times do not serialize the children. */
  private static void awaitSiblings(HikariDataSource ds, int childId, int siblings) throws Exception {
    try (Connection c = ds.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO rate_limit_child_ready (child) VALUES (?)")) {
        ps.setInt(1, childId);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM rate_limit_child_ready")) {
        while (true) {
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getInt(1) >= siblings) return;
          }
          Thread.sleep(5);
        }
      }
    }
  }
}
