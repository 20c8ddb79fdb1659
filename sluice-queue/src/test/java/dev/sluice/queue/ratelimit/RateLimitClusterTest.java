package dev.sluice.queue.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.schema.QueueSchema;
import java.io.File;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rate limit is never exceeded across two worker PROCESSES sharing one bucket.
 *
 * <p>Each child JVM ({@link RateLimitClusterChild}) acquires permits as fast as the bucket lets it
 * and records every grant with the database's {@code clock_timestamp()}, one clock for both
 * processes. The bucket is {@code slidingWindow(LIMIT, WINDOW)}, which grants at most LIMIT permits
 * in any WINDOW of the bucket's own time (the callers' clocks), or {@code rollingWindow(LIMIT,
 * WINDOW)}, which does the same exactly (see the rolling branch for its tolerance).
 *
 * <p>Tolerance, and why it is sound: grant i happens at a bucket time t_i with
 * asked_i &lt;= t_i &lt;= recorded_i (asked_i is the clock reading the granting statement carried —
 * the bucket's time is the latest reading it has seen, so not earlier; the record is stamped after
 * that statement commits, and every reading is taken before its statement runs; both clocks are
 * this machine's real-time clock). D is thus two round trips to the database, normally a few ms. With
 * D = max(recorded_i - asked_i), the grants recorded in any window (x, x + WINDOW] have bucket
 * times in (x - D, x + WINDOW], a window of WINDOW + D, which the bucket limits to
 * burst + refill * (WINDOW + D) / WINDOW = LIMIT + refill * D / WINDOW. So the assertion on the
 * recorded times allows exactly that many extra permits (none while D &lt; 1 / rate = 53 ms).
 */
class RateLimitClusterTest {
  private static final String SCHEMA = "sluice";
  private static final int LIMIT = 20;
  private static final Duration WINDOW = Duration.ofSeconds(1);
  private static final int GRANTS_PER_CHILD = 45;
  private static TestDatabase db;

  @BeforeAll
  static void createDatabase() throws Exception {
    db = TestDatabase.create("rate_limit_cluster");
    QueueSchema.migrate(db.dataSource(), SCHEMA);
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE rate_limit_grant_log (child int NOT NULL, asked_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL)");
      s.execute("CREATE TABLE rate_limit_child_ready (child int PRIMARY KEY)");
    }
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void twoProcessesNeverExceedTheLimitInAnyWindow(boolean rolling) throws Exception {
    RateLimit limit = rolling ? RateLimit.rollingWindow(LIMIT, WINDOW) : RateLimit.slidingWindow(LIMIT, WINDOW);
    String bucket = "cluster-api-" + (rolling ? "rolling" : "sliding") + ":1s";
    new RateLimits(db.dataSource(), SCHEMA, java.time.Clock.systemUTC()).define(bucket, limit);
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE rate_limit_grant_log, rate_limit_child_ready");
    }

    List<Process> children = new ArrayList<>();
    for (int child = 1; child <= 2; child++) {
      children.add(startChild(bucket, child));
    }
    for (Process p : children) {
      assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("child finished").isTrue();
      assertThat(p.exitValue()).as("child exit code (output in target/rate-limit-child-*.log)").isZero();
    }

    List<Instant> recorded = new ArrayList<>();
    List<Integer> childOrder = new ArrayList<>();
    long maxDelayMicros = 0;
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT child, asked_at, recorded_at, "
             + "(EXTRACT(EPOCH FROM recorded_at - asked_at) * 1000000)::bigint AS delay_us "
             + "FROM rate_limit_grant_log ORDER BY recorded_at")) {
      while (rs.next()) {
        childOrder.add(rs.getInt("child"));
        recorded.add(rs.getObject("recorded_at", OffsetDateTime.class).toInstant());
        maxDelayMicros = Math.max(maxDelayMicros, rs.getLong("delay_us"));
      }
    }
    assertThat(recorded).hasSize(2 * GRANTS_PER_CHILD);
    // both processes really competed: their grants interleave rather than run one after the other.
    // How often the lead changes hands depends on scheduling (a process whose poller just won tends
    // to win the next refill too), so only the overlap itself is required, not a rate of alternation.
    int switches = 0;
    for (int i = 1; i < childOrder.size(); i++) if (!childOrder.get(i).equals(childOrder.get(i - 1))) switches++;
    assertThat(switches).as("grants of the two processes interleave").isGreaterThanOrEqualTo(2);

    if (rolling) {
      // A rolling window grants a permit at bucket time t only when fewer than LIMIT were granted
      // in (t - WINDOW, t]. Recorded times lag bucket times by at most D, so the grants recorded in
      // any (x, x + WINDOW - D] have bucket times in (x - D, x + WINDOW - D]: at most LIMIT.
      Duration shortened = WINDOW.minusNanos(maxDelayMicros * 1_000);
      int worst = RateLimitsTest.maxInAnyWindow(recorded, shortened);
      System.out.printf("rate limit cluster (rolling): %d grants, worst %s window %d (limit %d, max delay %d us)%n",
          recorded.size(), shortened, worst, LIMIT, maxDelayMicros);
      assertThat(worst).isLessThanOrEqualTo(LIMIT);
      // and the whole limit is usable at once: the first LIMIT grants come well within one window
      // (their bucket times within half of it; recorded times lag those by at most D)
      assertThat(Duration.between(recorded.get(0), recorded.get(LIMIT - 1)))
          .isLessThan(WINDOW.dividedBy(2).plusNanos(maxDelayMicros * 1_000));
      return;
    }
    double extra = limit.refillTokens() * (maxDelayMicros / 1e6) / (limit.periodMicros() / 1e6);
    long allowed = LIMIT + (long) Math.floor(extra + 1e-9);
    int worst = RateLimitsTest.maxInAnyWindow(recorded, WINDOW);
    System.out.printf("rate limit cluster: %d grants, worst %s window %d (limit %d, max delay %d us -> allowed %d)%n",
        recorded.size(), WINDOW, worst, LIMIT, maxDelayMicros, allowed);
    // without the shared bucket the 90 grants would land within a fraction of a second
    assertThat(worst).isLessThanOrEqualTo((int) allowed);
  }

  private static Process startChild(String bucket, int child) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    File log = new File("target/rate-limit-child-" + child + ".log");
    log.getParentFile().mkdirs();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        RateLimitClusterChild.class.getName(), db.jdbcUrl(), db.user(), SCHEMA, bucket,
        String.valueOf(child), String.valueOf(GRANTS_PER_CHILD), "2")
        .redirectErrorStream(true)
        .redirectOutput(log)
        .start();
  }
}
