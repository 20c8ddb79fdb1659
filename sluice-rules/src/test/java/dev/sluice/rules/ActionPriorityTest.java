package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.ratelimit.RateLimit;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Actions before a sync on one connection's rolling-window bucket (10 permits a second), on real
 * PostgreSQL and a manual clock stepped 20 ms at a time. In each step the sync tries first and takes
 * every permit it is given (a sync at the limit); an action arrives every 370 ms and tries each step
 * until it has its permit. With priority every action has its permit within one window and the
 * sync still uses the rest of the budget; without it (the control) the sync starves the actions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ActionPriorityTest {
  static final Duration WINDOW = Duration.ofSeconds(1);
  static final int LIMIT = 10;
  static final Duration STEP = Duration.ofMillis(20);
  static final Duration RUN = Duration.ofSeconds(10);
  static final Duration ACTION_EVERY = Duration.ofMillis(370);

  TestDatabase db;
  ManualClock clock;
  RateLimits limits;
  ActionPriority priority;

  @BeforeAll
  void setUp() {
    db = TestDatabase.create("action_priority", 4);
    clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
    JobQueue queue = JobQueue.builder(db.dataSource()).clock(clock).build().migrate();
    limits = new RateLimits(db.dataSource(), queue.schema(), clock);
    priority = new ActionPriority(db.dataSource(), queue.schema(), limits, clock).migrate();
  }

  @AfterAll
  void tearDown() {
    db.close();
  }

  record Outcome(List<Duration> actionWaits, int actionsWaiting, int syncGrants, int actionGrants) {
    Duration maxWait() {
      return actionWaits.stream().max(Duration::compareTo).orElse(Duration.ZERO);
    }
  }

  Outcome run(String bucket, boolean withPriority) {
    limits.define(bucket, RateLimit.rollingWindow(LIMIT, WINDOW));
    List<String> names = List.of(bucket);
    Deque<Instant> waiting = new ArrayDeque<>();
    List<UUID> ids = new ArrayList<>();
    List<Instant> arrivals = new ArrayList<>();
    List<Duration> waits = new ArrayList<>();
    int sync = 0;
    Instant start = clock.instant();
    Instant nextAction = start.plus(ACTION_EVERY);
    while (clock.instant().isBefore(start.plus(RUN))) {
      if (!clock.instant().isBefore(nextAction)) {
        waiting.add(clock.instant());
        arrivals.add(clock.instant());
        ids.add(UUID.randomUUID());
        nextAction = nextAction.plus(ACTION_EVERY);
      }
      while ((withPriority ? priority.tryForSync(names, 1) : limits.tryAcquire(names, 1)).isEmpty()) sync++;
      // every waiting action (each its own job) tries once per step, oldest first
      for (java.util.Iterator<Instant> it = waiting.iterator(); it.hasNext(); ) {
        Instant arrived = it.next();
        UUID id = ids.get(arrivals.indexOf(arrived));
        boolean granted = withPriority ? priority.tryForAction(id, names, 1).isEmpty() : limits.tryAcquire(names, 1).isEmpty();
        if (granted) {
          waits.add(Duration.between(arrived, clock.instant()));
          it.remove();
        }
      }
      clock.advance(STEP);
    }
    return new Outcome(waits, waiting.size(), sync, waits.size());
  }

  @Test
  void anActionWaitsAtMostOneWindowWhileASyncHoldsTheLimitAndTheSyncUsesTheRest() {
    Outcome o = run("crm:10s", true);
    long ceiling = LIMIT * (RUN.toMillis() / WINDOW.toMillis());
    // at most those that arrived in the last window (every 370 ms: 3) are still waiting at the end
    assertThat(o.actionsWaiting()).isLessThanOrEqualTo((int) Math.ceil((double) WINDOW.toMillis() / ACTION_EVERY.toMillis()));
    assertThat(o.actionGrants()).isGreaterThanOrEqualTo(20);
    assertThat(o.maxWait()).isLessThanOrEqualTo(WINDOW);
    double syncRatio = (double) o.syncGrants() / (ceiling - o.actionGrants());
    assertThat(syncRatio).isGreaterThanOrEqualTo(0.95);
    assertThat(o.syncGrants() + o.actionGrants()).isLessThanOrEqualTo((int) ceiling + LIMIT); // never over the limit
  }

  @Test
  void withoutPriorityTheSyncStarvesTheActions() {
    Outcome o = run("control:10s", false);
    assertThat(o.actionsWaiting() > 1 || o.maxWait().compareTo(WINDOW) > 0).isTrue();
  }
}
