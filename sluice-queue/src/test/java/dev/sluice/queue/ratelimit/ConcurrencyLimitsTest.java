package dev.sluice.queue.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.MutableClock;
import dev.sluice.queue.schema.QueueSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Concurrency caps shared through PostgreSQL (issue 12: Mailchimp's 10 simultaneous connections
 * across workers and processes): two instances stand for two processes on one database.
 */
class ConcurrencyLimitsTest {
  private static final String SCHEMA = "sluice";
  private static final Duration LEASE = Duration.ofMinutes(2);
  private static TestDatabase db;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create("concurrency_caps");
    QueueSchema.migrate(db.dataSource(), SCHEMA);
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  private static String name(String test) {
    return test + "-" + System.nanoTime();
  }

  @Test
  void twoProcessesTogetherHoldAtMostTheCapAndAFreedSlotIsTakenAgain() {
    MutableClock clock = MutableClock.at("2026-06-01T12:00:00Z");
    ConcurrencyLimits a = new ConcurrencyLimits(db.dataSource(), SCHEMA, clock);
    ConcurrencyLimits b = new ConcurrencyLimits(db.dataSource(), SCHEMA, clock);
    String cap = name("cap");
    a.define(cap, 3);
    b.define(cap, 3);
    List<ConcurrencyLimits.Slot> held = new ArrayList<>();
    held.add(a.tryAcquire(cap, LEASE).orElseThrow());
    held.add(b.tryAcquire(cap, LEASE).orElseThrow());
    held.add(a.tryAcquire(cap, LEASE).orElseThrow());
    assertThat(held).extracting(ConcurrencyLimits.Slot::number).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(b.tryAcquire(cap, LEASE)).isEmpty();
    assertThat(a.held(cap)).isEqualTo(new ConcurrencyLimits.Usage(3, 3));
    held.get(1).close();
    held.get(1).close(); // a second close frees nothing more
    Optional<ConcurrencyLimits.Slot> again = b.tryAcquire(cap, LEASE);
    assertThat(again).isPresent();
    assertThat(a.tryAcquire(cap, LEASE)).isEmpty();
  }

  @Test
  void aSlotWhoseHolderDiedIsFreeWhenItsLeaseRunsOutAndItsOldHolderCannotFreeItsNewOne() {
    MutableClock clock = MutableClock.at("2026-06-01T12:00:00Z");
    ConcurrencyLimits caps = new ConcurrencyLimits(db.dataSource(), SCHEMA, clock);
    String cap = name("lease");
    caps.define(cap, 1);
    ConcurrencyLimits.Slot dead = caps.tryAcquire(cap, Duration.ofSeconds(30)).orElseThrow();
    clock.advance(Duration.ofSeconds(29));
    assertThat(caps.tryAcquire(cap, LEASE)).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    ConcurrencyLimits.Slot next = caps.tryAcquire(cap, LEASE).orElseThrow();
    dead.close(); // the dead holder's late release must not free the new holder's slot
    assertThat(caps.tryAcquire(cap, LEASE)).isEmpty();
    next.close();
    assertThat(caps.tryAcquire(cap, LEASE)).isPresent();
  }

  @Test
  void acquireWaitsForASlotOnTheClockAndGivesUpAtItsDeadline() {
    MutableClock clock = MutableClock.at("2026-06-01T12:00:00Z");
    List<Duration> slept = new ArrayList<>();
    ConcurrencyLimits caps = new ConcurrencyLimits(db.dataSource(), SCHEMA, clock, d -> {
      slept.add(d);
      clock.advance(d);
    });
    String cap = name("wait");
    caps.define(cap, 1);
    ConcurrencyLimits.Slot first = caps.tryAcquire(cap, LEASE).orElseThrow();
    assertThat(caps.acquire(cap, Duration.ofMillis(500), LEASE)).isEmpty();
    assertThat(slept.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofMillis(500));
    first.close();
    assertThat(caps.acquire(cap, Duration.ofMillis(500), LEASE)).isPresent();
  }

  @Test
  void resizingKeepsHeldSlotsAndAnUnknownCapIsRefused() {
    MutableClock clock = MutableClock.at("2026-06-01T12:00:00Z");
    ConcurrencyLimits caps = new ConcurrencyLimits(db.dataSource(), SCHEMA, clock);
    String cap = name("resize");
    caps.define(cap, 4);
    List<ConcurrencyLimits.Slot> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(caps.tryAcquire(cap, LEASE).orElseThrow());
    }
    caps.define(cap, 2);
    assertThat(caps.held(cap).slots()).as("held slots stay until freed").isEqualTo(4);
    held.forEach(ConcurrencyLimits.Slot::close);
    caps.define(cap, 2);
    assertThat(caps.held(cap)).isEqualTo(new ConcurrencyLimits.Usage(0, 2));
    assertThatThrownBy(() -> caps.tryAcquire(name("nope"), LEASE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("define it first");
    assertThatThrownBy(() -> caps.define(cap, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void manyThreadsOfTwoInstancesNeverHoldMoreThanTheCap() throws Exception {
    ConcurrencyLimits a = new ConcurrencyLimits(db.dataSource(), SCHEMA, Clock.systemUTC());
    ConcurrencyLimits b = new ConcurrencyLimits(db.dataSource(), SCHEMA, Clock.systemUTC());
    String cap = name("threads");
    a.define(cap, 3);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        ConcurrencyLimits caps = t % 2 == 0 ? a : b;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 10; i++) {
            try (ConcurrencyLimits.Slot s = caps.acquire(cap, Duration.ofSeconds(60), LEASE).orElseThrow()) {
              most.accumulateAndGet(inside.incrementAndGet(), Math::max);
              Thread.onSpinWait();
              inside.decrementAndGet();
              done.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(done.get()).isEqualTo(80);
    assertThat(most.get()).isBetween(1, 3);
    assertThat(a.held(cap).held()).isZero();
  }

  @Test
  void sharingUsesTheRateLimitsDatabaseAndClock() {
    MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
    ConcurrencyLimits caps = ConcurrencyLimits.sharing(new RateLimits(db.dataSource(), SCHEMA, clock));
    String cap = name("sharing");
    caps.define(cap, 1);
    caps.tryAcquire(cap, Duration.ofSeconds(5)).orElseThrow();
    clock.advance(Duration.ofSeconds(6));
    assertThat(caps.tryAcquire(cap, LEASE)).as("the lease ran out on the shared clock").isPresent();
  }
}
