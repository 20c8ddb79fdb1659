package dev.sluice.queue.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.MutableClock;
import dev.sluice.queue.schema.QueueSchema;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Daily quotas as fixed windows (issue 8 item 4), against real PostgreSQL on a mutable clock: the
 * whole day's quota is usable at any hour, nothing comes back before midnight in the bucket's time
 * zone, everything comes back then, and the API's own count sets the bucket, up or down.
 */
class DailyRateLimitTest {
  private static final String SCHEMA = "sluice";
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static TestDatabase db;

  private MutableClock clock;
  private RateLimits limits;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create("daily_limits");
    QueueSchema.migrate(db.dataSource(), SCHEMA);
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void freshClock() {
    // 10:00 in New York on the Saturday before the switch to daylight saving time.
    clock = new MutableClock(ZonedDateTime.of(2026, 3, 7, 10, 0, 0, 0, NEW_YORK).toInstant());
    limits = new RateLimits(db.dataSource(), SCHEMA, clock, d -> {
      throw new AssertionError("a daily quota never makes a caller sleep here, asked to for " + d);
    });
  }

  private static String name(String test) {
    return test + "-" + System.nanoTime();
  }

  private static Instant midnight(int year, int month, int day) {
    return ZonedDateTime.of(year, month, day, 0, 0, 0, 0, NEW_YORK).toInstant();
  }

  @Test
  void theWholeDayIsUsableAtOnceAndComesBackAtTheZonesMidnight() {
    String n = name("day");
    limits.define(n, RateLimit.daily(100_000, NEW_YORK));
    // A sandbox day of 100,000 requests, spread over the afternoon: none is held back.
    for (int i = 0; i < 100; i++) {
      assertThat(limits.tryAcquire(n, 1_000)).as("batch %d", i).isEmpty();
      clock.advance(Duration.ofMinutes(6));
    }
    RateLimitSnapshot spent = limits.snapshot(n);
    assertThat(spent.available()).isZero();
    assertThat(spent.grantedTotal()).isEqualTo(100_000);
    assertThat(spent.resetsAt()).isEqualTo(midnight(2026, 3, 8));
    // Nothing comes back before midnight in New York (05:00 UTC), not at UTC midnight.
    clock.set(midnight(2026, 3, 8).minusMillis(1));
    assertThat(limits.tryAcquire(n, 1)).contains(Duration.ofMillis(1));
    clock.set(midnight(2026, 3, 8));
    assertThat(limits.snapshot(n).available()).isEqualTo(100_000.0);
    assertThat(limits.tryAcquire(n, 1)).isEmpty();
    // The next day is 23 hours long (daylight saving time starts on 8 March 2026 in New York).
    RateLimitSnapshot next = limits.snapshot(n);
    assertThat(next.resetsAt()).isEqualTo(midnight(2026, 3, 9));
    assertThat(Duration.between(midnight(2026, 3, 8), next.resetsAt())).isEqualTo(Duration.ofHours(23));
    assertThat(next.available()).isEqualTo(99_999.0);
  }

  @Test
  void theApisCountSetsTheQuotaUpAndDown() {
    String n = name("observe");
    limits.define(n, RateLimit.daily(100_000, NEW_YORK));
    assertThat(limits.tryAcquire(n, 30_000)).isEmpty();
    // The API says more remains than we counted (our calls that failed before reaching it): use it.
    limits.observe(n, 95_000, Duration.ofHours(14));
    assertThat(limits.snapshot(n).available()).isEqualTo(95_000.0);
    // Another client of the account used some: fewer remain.
    limits.observe(n, 12_000, Duration.ofHours(14));
    assertThat(limits.snapshot(n).available()).isEqualTo(12_000.0);
    assertThat(limits.tryAcquire(n, 12_000)).isEmpty();
    // A 429 for the day empties it until midnight.
    limits.observe(n, 0, Duration.ofHours(14));
    assertThat(limits.tryAcquire(n, 1)).contains(Duration.between(clock.instant(), midnight(2026, 3, 8)));
  }

  @Test
  void redefiningKeepsWhatIsUsedAndAnOldContinuousBucketBecomesAFixedWindow() {
    String n = name("redefine");
    limits.define(n, RateLimit.daily(100_000, NEW_YORK));
    assertThat(limits.tryAcquire(n, 40_000)).isEmpty();
    limits.define(n, RateLimit.daily(100_000, NEW_YORK)); // a process restarts
    assertThat(limits.snapshot(n).available()).isEqualTo(60_000.0);

    String old = name("continuous");
    limits.define(old, RateLimit.of(100_000, Duration.ofDays(1)));
    assertThat(limits.tryAcquire(old, 70_000)).isEmpty();
    limits.define(old, RateLimit.daily(100_000, NEW_YORK));
    RateLimitSnapshot s = limits.snapshot(old);
    assertThat(s.limit().fixedWindow()).isTrue();
    assertThat(s.available()).isEqualTo(30_000.0);
    clock.advance(Duration.ofHours(6)); // no continuous refill any more
    assertThat(limits.snapshot(old).available()).isEqualTo(30_000.0);
    clock.set(midnight(2026, 3, 8));
    assertThat(limits.snapshot(old).available()).isEqualTo(100_000.0);
  }

  @Test
  void aDailyLimitTakesTheZoneOfItsDayAndUtcByDefault() {
    assertThat(RateLimit.daily(10, ZoneOffset.UTC).resetZone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(RateLimit.daily(10, NEW_YORK).maxPermitsIn(Duration.ofHours(1))).isEqualTo(20);
    assertThatThrownBy(() -> RateLimit.daily(10, ZoneOffset.ofHours(2))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("region");
    String n = name("utc");
    limits.define(n, RateLimit.daily(5, ZoneOffset.UTC));
    assertThat(limits.snapshot(n).resetsAt()).isEqualTo(Instant.parse("2026-03-08T00:00:00Z"));
  }
}
