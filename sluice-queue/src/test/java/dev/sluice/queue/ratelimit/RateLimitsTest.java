package dev.sluice.queue.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.MutableClock;
import dev.sluice.queue.schema.QueueSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bucket arithmetic of {@link RateLimits} against real PostgreSQL, timed by a mutable clock: every
 * refill, wait and debt below is computed by the SQL from the instants the test sets.
 */
class RateLimitsTest {
  private static final String SCHEMA = "sluice";
  private static TestDatabase db;

  private MutableClock clock;
  private RateLimits limits;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create("rate_limits");
    QueueSchema.migrate(db.dataSource(), SCHEMA);
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void freshClock() {
    clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    // acquire() "sleeps" by moving the clock: blocking behaviour without real time passing
    limits = new RateLimits(db.dataSource(), SCHEMA, clock, clock::advance);
  }

  private static String name(String test) {
    return test + "-" + System.nanoTime();
  }

  @Test
  void newBucketIsFullThenRefillsContinuously() {
    String n = name("refill");
    limits.define(n, RateLimit.of(10, Duration.ofSeconds(1)));
    for (int i = 0; i < 10; i++) {
      assertThat(limits.tryAcquire(n, 1)).as("permit %d", i).isEmpty();
    }
    assertThat(limits.tryAcquire(n, 1)).contains(Duration.ofMillis(100));

    clock.advance(Duration.ofMillis(250)); // 10 per second -> 2.5 permits
    assertThat(limits.snapshot(n).available()).isCloseTo(2.5, within(1e-9));
    assertThat(limits.tryAcquire(n, 3)).contains(Duration.ofMillis(50));
    assertThat(limits.tryAcquire(n, 2)).isEmpty();
    assertThat(limits.snapshot(n).available()).isCloseTo(0.5, within(1e-9));

    clock.advance(Duration.ofHours(1)); // refill stops at capacity
    assertThat(limits.snapshot(n).available()).isEqualTo(10.0);
    assertThat(limits.snapshot(n).grantedTotal()).isEqualTo(12);
  }

  @Test
  void deniedAcquireTakesNothing() {
    String n = name("denied");
    limits.define(n, RateLimit.of(5, Duration.ofSeconds(5)));
    assertThat(limits.tryAcquire(n, 4)).isEmpty();
    assertThat(limits.tryAcquire(n, 2)).contains(Duration.ofSeconds(1));
    assertThat(limits.snapshot(n).available()).isEqualTo(1.0);
    assertThat(limits.snapshot(n).grantedTotal()).isEqualTo(4);
  }

  @Test
  void severalBucketsAreAllOrNothing() {
    String tenSeconds = name("multi-10s");
    String daily = name("multi-daily");
    limits.define(tenSeconds, RateLimit.of(10, Duration.ofSeconds(10)));
    limits.define(daily, RateLimit.tokenBucket(3, 3, Duration.ofDays(1)));
    List<String> both = List.of(tenSeconds, daily);

    for (int i = 0; i < 3; i++) {
      assertThat(limits.tryAcquire(both, 1)).isEmpty();
    }
    Optional<Duration> wait = limits.tryAcquire(both, 1);
    assertThat(wait).contains(Duration.ofHours(8)); // the daily bucket is the one that is short
    assertThat(limits.snapshot(tenSeconds).available()).as("nothing taken from the 10 s bucket").isEqualTo(7.0);
    assertThat(limits.snapshot(daily).available()).isEqualTo(0.0);

    clock.advance(Duration.ofHours(8));
    assertThat(limits.tryAcquire(both, 1)).isEmpty();
    assertThat(limits.snapshot(tenSeconds).available()).isEqualTo(9.0); // refilled to capacity, minus one
  }

  @Test
  void plainBucketBurstsDoubleButSlidingWindowNeverExceedsLimitInAnyWindow() {
    Duration window = Duration.ofSeconds(10);
    List<Instant> plain = grantGreedily(RateLimit.of(190, window), Duration.ofSeconds(30));
    assertThat(maxInAnyWindow(plain, window)).as("of(190, 10 s): full bucket + refill, almost double").isGreaterThanOrEqualTo(379);

    RateLimit sliding = RateLimit.slidingWindow(190, window);
    List<Instant> slid = grantGreedily(sliding, Duration.ofSeconds(30));
    assertThat(maxInAnyWindow(slid, window)).isLessThanOrEqualTo(190);
    assertThat(sliding.maxPermitsIn(window)).isEqualTo(190);
    // and the window is really used: 3 burst + 187 per 10 s over 30 s
    assertThat(slid).hasSizeGreaterThanOrEqualTo(3 * 187);
  }

  @Test
  void rollingWindowGrantsTheWholeLimitAtOnceAndNeverMoreInAnyWindow() {
    Duration window = Duration.ofSeconds(10);
    RateLimit rolling = RateLimit.rollingWindow(190, window);
    String n = name("rolling");
    limits.define(n, rolling);
    for (int i = 0; i < 190; i++) {
      assertThat(limits.tryAcquire(n, 1)).as("permit %d", i).isEmpty();
    }
    // the 191st waits exactly until the first grant leaves the window
    assertThat(limits.tryAcquire(n, 1)).contains(window);
    assertThat(limits.snapshot(n).available()).isEqualTo(0.0);

    List<Instant> greedy = grantGreedily(rolling, Duration.ofSeconds(60));
    assertThat(maxInAnyWindow(greedy, window)).isEqualTo(190);
    // the whole limit is used: 190 per window, where slidingWindow keeps 3 per window as burst
    assertThat(greedy).hasSize(6 * 190);
    assertThat(rolling.maxPermitsIn(Duration.ofSeconds(9))).isEqualTo(190);
  }

  @Test
  void rollingWindowWaitHintPointsAtTheGrantThatMustLeave() {
    String n = name("rolling-wait");
    limits.define(n, RateLimit.rollingWindow(5, Duration.ofSeconds(10)));
    for (int i = 0; i < 5; i++) {
      assertThat(limits.tryAcquire(n, 1)).isEmpty();
      clock.advance(Duration.ofSeconds(1)); // grants at 0, 1, 2, 3, 4 s
    }
    // now 5 s: taking 3 needs the grants of 0, 1 and 2 s gone, at 12 s
    assertThat(limits.tryAcquire(n, 3)).contains(Duration.ofSeconds(7));
    clock.advance(Duration.ofSeconds(5)); // 10 s: the grant of 0 s left (window is (0 s, 10 s])
    assertThat(limits.snapshot(n).available()).isEqualTo(1.0);
    assertThat(limits.tryAcquire(n, 2)).contains(Duration.ofSeconds(1));
    assertThat(limits.tryAcquire(n, 1)).isEmpty();
    assertThat(limits.snapshot(n).grantedTotal()).isEqualTo(6);
    assertThatThrownBy(() -> limits.tryAcquire(n, 6)).hasMessageContaining("holds at most 5");
  }

  @Test
  void rollingWindowAcquireWithATokenBucketIsAllOrNothing() {
    String tenSeconds = name("rolling-10s");
    String daily = name("rolling-daily");
    limits.define(tenSeconds, RateLimit.rollingWindow(10, Duration.ofSeconds(10)));
    limits.define(daily, RateLimit.slidingWindow(12, Duration.ofDays(1)));
    List<String> both = List.of(tenSeconds, daily);
    // the daily bucket holds max(1, 12/50) = 1 at first: it decides
    assertThat(limits.tryAcquire(both, 1)).isEmpty();
    assertThat(limits.tryAcquire(both, 1)).isPresent();
    assertThat(limits.snapshot(tenSeconds).available()).as("denied by the other bucket: nothing taken").isEqualTo(9.0);
  }

  @Test
  void rollingWindowObserveLowersToWhatTheApiSaysIsLeft() {
    String n = name("rolling-observe");
    limits.define(n, RateLimit.rollingWindow(100, Duration.ofSeconds(10)));
    assertThat(limits.tryAcquire(n, 10)).isEmpty();
    limits.observe(n, 30, Duration.ZERO); // another client of the account used 60
    assertThat(limits.snapshot(n).available()).isEqualTo(30.0);
    limits.observe(n, 80, Duration.ZERO); // never raised
    assertThat(limits.snapshot(n).available()).isEqualTo(30.0);
    assertThat(limits.tryAcquire(n, 31)).contains(Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(10));
    assertThat(limits.snapshot(n).available()).isEqualTo(100.0);
  }

  @Test
  void redefiningKeepsWhatWasUsedAcrossKindsAndRestarts() {
    String n = name("rolling-redefine");
    limits.define(n, RateLimit.rollingWindow(10, Duration.ofSeconds(10)));
    assertThat(limits.tryAcquire(n, 4)).isEmpty();
    limits.define(n, RateLimit.rollingWindow(10, Duration.ofSeconds(10))); // a process restarts
    assertThat(limits.snapshot(n).available()).isEqualTo(6.0);
    assertThat(limits.snapshot(n).limit()).isEqualTo(RateLimit.rollingWindow(10, Duration.ofSeconds(10)));

    limits.update(n, RateLimit.tokenBucket(10, 1, Duration.ofSeconds(1))); // log -> bucket: 4 used
    assertThat(limits.snapshot(n).available()).isCloseTo(6.0, within(1e-9));
    assertThat(limits.tryAcquire(n, 6)).isEmpty();
    limits.define(n, RateLimit.rollingWindow(10, Duration.ofSeconds(10))); // bucket -> log: 10 used now
    assertThat(limits.snapshot(n).available()).isEqualTo(0.0);
    clock.advance(Duration.ofSeconds(10));
    assertThat(limits.snapshot(n).available()).isEqualTo(10.0);
    assertThatThrownBy(() -> RateLimit.rollingWindow(0, Duration.ofSeconds(1))).hasMessageContaining("between 1 and");
    assertThatThrownBy(() -> RateLimit.rollingWindow(625_000, Duration.ofDays(1))).hasMessageContaining("slidingWindow");
  }

  /** Takes permits one by one as soon as the bucket allows, jumping the clock by the wait hint. */
  private List<Instant> grantGreedily(RateLimit limit, Duration span) {
    String n = name("greedy");
    limits.define(n, limit);
    Instant end = clock.instant().plus(span);
    List<Instant> grants = new ArrayList<>();
    while (clock.instant().isBefore(end)) {
      Optional<Duration> wait = limits.tryAcquire(n, 1);
      if (wait.isEmpty()) {
        grants.add(clock.instant());
      } else {
        clock.advance(wait.get());
      }
    }
    return grants;
  }

  /** Largest number of instants in a half-open window (t - window, t]. */
  static int maxInAnyWindow(List<Instant> sortedInstants, Duration window) {
    int max = 0;
    int start = 0;
    for (int end = 0; end < sortedInstants.size(); end++) {
      Instant from = sortedInstants.get(end).minus(window);
      while (!sortedInstants.get(start).isAfter(from)) start++;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }

  @Test
  void concurrentAcquiresNeverGrantMoreThanTheBucketHolds() throws Exception {
    // time stands still, so the buckets hold exactly their capacity: any lost update would show
    // as more grants than that
    String shared = name("race-shared");
    String other = name("race-other");
    limits.define(shared, RateLimit.tokenBucket(100, 1, Duration.ofDays(365)));
    limits.define(other, RateLimit.tokenBucket(1000, 1, Duration.ofDays(365)));
    int threads = 8;
    int attempts = 40;
    java.util.concurrent.atomic.AtomicInteger sharedOnly = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger both = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      // half take from both buckets (locked in name order, so no deadlock), half from one
      boolean multi = t % 2 == 0;
      workers.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
          for (int i = 0; i < attempts; i++) {
            if (multi) {
              if (limits.tryAcquire(List.of(other, shared), 1).isEmpty()) both.incrementAndGet();
            } else if (limits.tryAcquire(shared, 1).isEmpty()) {
              sharedOnly.incrementAndGet();
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    go.countDown();
    for (Thread w : workers) w.join();

    assertThat(sharedOnly.get() + both.get()).isEqualTo(100);
    assertThat(limits.snapshot(shared).grantedTotal()).isEqualTo(100);
    assertThat(limits.snapshot(shared).available()).isEqualTo(0.0);
    assertThat(limits.snapshot(other).available()).as("taken only together with the shared bucket").isEqualTo(1000.0 - both.get());
  }

  @Test
  void acquireWaitsForRefillAndTimesOutWithoutTakingAnything() {
    String n = name("acquire");
    limits.define(n, RateLimit.of(2, Duration.ofSeconds(1)));
    Instant start = clock.instant();
    limits.acquire(n, 2, Duration.ZERO);
    limits.acquire(n, 1, Duration.ofSeconds(1));
    assertThat(Duration.between(start, clock.instant())).isEqualTo(Duration.ofMillis(500));

    assertThatThrownBy(() -> limits.acquire(n, 2, Duration.ofMillis(999)))
        .isInstanceOf(RateLimitTimeoutException.class)
        .hasMessageContaining(n)
        .hasMessageContaining("not available within PT0.999S")
        .satisfies(e -> assertThat(((RateLimitTimeoutException) e).suggestedWait()).isEqualTo(Duration.ofSeconds(1)));
    assertThat(limits.snapshot(n).available()).isEqualTo(0.0);
    assertThat(Duration.between(start, clock.instant())).as("gave up without waiting").isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void waitingThreadsOfOneProcessPollOneAtATime() throws Exception {
    String n = name("line");
    java.util.concurrent.atomic.AtomicInteger sleeping = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger mostSleeping = new java.util.concurrent.atomic.AtomicInteger();
    // a sleeper that gives a second waiter 100 ms (real time) to show up while one is waiting:
    // without the line, several threads wait on the bucket at once
    java.util.concurrent.CountDownLatch secondSleeper = new java.util.concurrent.CountDownLatch(1);
    RateLimits lined = new RateLimits(db.dataSource(), SCHEMA, clock, d -> {
      int now = sleeping.incrementAndGet();
      mostSleeping.accumulateAndGet(now, Math::max);
      if (now == 1) secondSleeper.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      else secondSleeper.countDown();
      clock.advance(d);
      sleeping.decrementAndGet();
    });
    lined.define(n, RateLimit.of(1, Duration.ofSeconds(1)));
    assertThat(lined.tryAcquire(n, 1)).isEmpty();
    int threads = 6;
    java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
          lined.acquire(n, 1, Duration.ofHours(1));
          granted.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    go.countDown();
    for (Thread w : workers) w.join();
    assertThat(granted.get()).isEqualTo(threads);
    assertThat(mostSleeping.get()).as("only the first in line waits on the bucket").isEqualTo(1);
    assertThat(lined.snapshot(n).grantedTotal()).isEqualTo(threads + 1);
  }

  @Test
  void observeLowersTokensButNeverRaisesThem() {
    String n = name("observe");
    limits.define(n, RateLimit.of(100, Duration.ofSeconds(10)));
    limits.observe(n, 40, Duration.ZERO); // the API says only 40 are left right now
    assertThat(limits.snapshot(n).available()).isEqualTo(40.0);
    limits.observe(n, 90, Duration.ZERO); // more than we think: ignored
    assertThat(limits.snapshot(n).available()).isEqualTo(40.0);
    for (int i = 0; i < 40; i++) assertThat(limits.tryAcquire(n, 1)).isEmpty();
    assertThat(limits.tryAcquire(n, 1)).isPresent();
  }

  @Test
  void observeWithWindowLeftGrantsNoMoreThanRemainingBeforeTheReset() {
    String n = name("observe-daily");
    // a daily quota of 864 (0.01 per second), refilled continuously
    limits.define(n, RateLimit.slidingWindow(864, Duration.ofDays(1), 100));
    // the API: 5 calls left, window resets in 10 hours (other clients used the rest)
    limits.observe(n, 5, Duration.ofHours(10));
    RateLimitSnapshot s = limits.snapshot(n);
    double refillIn10h = 764.0 * 10 / 24;
    assertThat(s.available()).isCloseTo(5 - refillIn10h, within(1e-6));

    // greedy over the 10 hours: never more than 5 grants before the reset
    List<Instant> grants = new ArrayList<>();
    Instant reset = clock.instant().plus(Duration.ofHours(10));
    while (clock.instant().isBefore(reset)) {
      Optional<Duration> wait = limits.tryAcquire(n, 1);
      if (wait.isEmpty()) grants.add(clock.instant());
      else clock.advance(wait.get());
    }
    assertThat(grants.stream().filter(t -> t.isBefore(reset))).hasSizeLessThanOrEqualTo(5);
  }

  @Test
  void redefiningOrUpdatingKeepsTokensAndClampsToNewCapacity() {
    String n = name("update");
    limits.define(n, RateLimit.of(10, Duration.ofSeconds(10)));
    assertThat(limits.tryAcquire(n, 6)).isEmpty();
    limits.define(n, RateLimit.of(10, Duration.ofSeconds(10))); // a process restarting: no fresh burst
    assertThat(limits.snapshot(n).available()).isEqualTo(4.0);

    limits.update(n, RateLimit.of(2, Duration.ofSeconds(1)));
    RateLimitSnapshot s = limits.snapshot(n);
    assertThat(s.available()).isEqualTo(2.0);
    assertThat(s.limit()).isEqualTo(RateLimit.of(2, Duration.ofSeconds(1)));

    limits.update(n, RateLimit.of(50, Duration.ofSeconds(1)));
    assertThat(limits.snapshot(n).available()).as("raising capacity does not mint tokens").isEqualTo(2.0);
    clock.advance(Duration.ofMillis(100));
    assertThat(limits.snapshot(n).available()).as("new rate applies from the update").isEqualTo(7.0);
  }

  @Test
  void aClockBehindTheBucketMintsNothing() {
    String n = name("skew");
    limits.define(n, RateLimit.of(10, Duration.ofSeconds(1)));
    assertThat(limits.tryAcquire(n, 10)).isEmpty();
    clock.advance(Duration.ofMillis(-500)); // another process whose clock lags
    assertThat(limits.tryAcquire(n, 1)).isPresent();
    clock.advance(Duration.ofMillis(600)); // 100 ms after the bucket's own time
    assertThat(limits.tryAcquire(n, 1)).isEmpty();
    assertThat(limits.tryAcquire(n, 1)).isPresent();
  }

  @Test
  void listShowsEveryBucket() {
    String a = name("list-a");
    String b = name("list-b");
    limits.define(a, RateLimit.of(3, Duration.ofSeconds(1)));
    limits.define(b, RateLimit.slidingWindow(190, Duration.ofSeconds(10)));
    assertThat(limits.list()).extracting(RateLimitSnapshot::name).contains(a, b);
    RateLimitSnapshot sb = limits.snapshot(b);
    assertThat(sb.limit().capacity()).isEqualTo(3);
    assertThat(sb.limit().refillTokens()).isEqualTo(187);
    assertThat(sb.available()).isEqualTo(3.0);
    assertThat(limits.remove(a)).isTrue();
    assertThat(limits.remove(a)).isFalse();
  }

  @Test
  void badInputIsRejectedWithAReason() {
    String n = name("bad");
    limits.define(n, RateLimit.of(5, Duration.ofSeconds(1)));
    assertThatThrownBy(() -> limits.tryAcquire("nope-" + n, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no rate limit named 'nope-" + n + "'");
    assertThatThrownBy(() -> limits.tryAcquire(List.of(n, "missing-" + n), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'missing-" + n + "'");
    assertThatThrownBy(() -> limits.tryAcquire(n, 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds at most 5 permit(s); cannot acquire 6");
    assertThatThrownBy(() -> limits.tryAcquire(n, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> limits.update("nope-" + n, RateLimit.of(1, Duration.ofSeconds(1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("define it first");
    assertThatThrownBy(() -> limits.observe(n, -1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RateLimit.slidingWindow(1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
    assertThatThrownBy(() -> RateLimit.of(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
    assertThatThrownBy(() -> RateLimit.of(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period");
  }
}
