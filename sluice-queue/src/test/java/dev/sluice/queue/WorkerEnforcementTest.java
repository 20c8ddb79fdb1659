package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.postgres.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker enforces what it is told while a job runs (defects 1–4 of the queue's second design):
 * lost leases, outcomes that cannot be written, timeouts, pauses and cancels, fair claims.
 */
class WorkerEnforcementTest {
  static TestDatabase db;
  static JobQueue queue;
  final List<JobWorker> workers = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create("queue_enforcement");
    queue = JobQueue.builder(db.dataSource()).schema("q").build().migrate();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @AfterEach
  void stopWorkers() {
    workers.forEach(JobWorker::close);
  }

  private JobWorker start(JobWorker.Builder b) {
    JobWorker w = b.start();
    workers.add(w);
    return w;
  }

  private JobWorker.Builder worker() {
    return queue.worker().pollInterval(Duration.ofMillis(50)).heartbeatInterval(Duration.ofMillis(100)).maintenance(false);
  }

  private static Job job(long id) {
    return queue.find(id).orElseThrow();
  }

  /** Defect 1: a rescued job's handler is interrupted at the next heartbeat and its late outcome dropped. */
  @Test
  void aLostLeaseInterruptsTheHandlerAndDropsItsOutcome() {
    CountDownLatch never = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean returned = new AtomicBoolean();
    start(worker().handle("lease-lost", ctx -> {
      try {
        never.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted.set(true);
        throw new IllegalStateException("handler saw the interrupt");
      } finally {
        returned.set(true);
      }
    }));
    long id = queue.enqueue(NewJob.builder("lease-lost").maxAttempts(5).build()).id();
    await().until(() -> job(id).state() == JobState.RUNNING);
    // another process whose clock is an hour ahead sees the lease as stale and rescues the job
    JobQueue later = JobQueue.builder(db.dataSource()).schema("q")
        .clock(Clock.fixed(Instant.now().plus(Duration.ofHours(1)), ZoneOffset.UTC)).build();
    assertThat(later.rescuer().rescueOnce()).containsExactly(id);
    await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
    await().untilTrue(returned);
    // the handler's failure is never recorded: the job stays as the rescuer left it
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> {
      Job j = job(id);
      return j.state() == JobState.RETRYABLE && j.lastError().startsWith("rescued") && j.attempt() == 1;
    });
    never.countDown();
  }

  /** Defect 2: an error text with a NUL byte (PostgreSQL rejects it) is recorded, U+0000 as U+FFFD. */
  @Test
  void anErrorWithANulByteIsRecordedWithoutIt() {
    start(worker().handle("nul", ctx -> {
      throw new IllegalStateException("bad\u0000byte");
    }));
    long id = queue.enqueue(NewJob.builder("nul").maxAttempts(1).build()).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> job(id).state() == JobState.DEAD);
    assertThat(job(id).lastError()).contains("bad\uFFFDbyte");
  }

  /**
   * Defect 2: an outcome the database rejects (a snooze past PostgreSQL's last timestamp) is
   * recorded as dead with the reason; the outcomes batched with it are recorded normally.
   */
  @Test
  void oneBadOutcomeIsMarkedDeadAndTheOthersAreRecorded() {
    List<Long> good = new ArrayList<>();
    long bad = queue.enqueue(NewJob.of("mixed", "{\"bad\":true}")).id();
    for (int i = 0; i < 20; i++) good.add(queue.enqueue(NewJob.of("mixed", "{}")).id());
    start(worker().concurrency(4).completionFlushInterval(Duration.ofMillis(200)).handle("mixed", ctx -> {
      if (ctx.payload().path("bad").asBoolean()) throw new JobSnooze(Duration.ofDays(365L * 400_000));
    }));
    await().atMost(Duration.ofSeconds(20)).until(() -> good.stream().allMatch(id -> job(id).state() == JobState.COMPLETED));
    await().atMost(Duration.ofSeconds(10)).until(() -> job(bad).state() == JobState.DEAD);
    assertThat(job(bad).lastError()).contains("could not be recorded");
  }

  /** Defect 3: a handler past its timeout is interrupted and the run fails as timed out. */
  @Test
  void aHandlerPastItsTimeoutIsInterrupted() {
    queue.configureKind("hung", KindPolicy.builder().timeout(Duration.ofMillis(300)).build());
    AtomicBoolean interrupted = new AtomicBoolean();
    start(worker().handle("hung", ctx -> {
      try {
        new CountDownLatch(1).await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
    }));
    long id = queue.enqueue(NewJob.builder("hung").maxAttempts(1).build()).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> job(id).state() == JobState.DEAD);
    assertThat(interrupted).isTrue();
    assertThat(job(id).lastError()).contains("timed out");
  }

  /** Defect 3: jobs buffered when their kind is paused are given back, not started. */
  @Test
  void bufferedJobsOfAPausedKindAreGivenBack() {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) ids.add(queue.enqueue(NewJob.of("pausable", "{}")).id());
    // all five in one claim: one running, four buffered
    start(worker().concurrency(1).claimBatchSize(5).prefetch(4).handle("pausable", ctx -> {
      started.incrementAndGet();
      release.await(30, TimeUnit.SECONDS);
    }));
    await().until(() -> ids.stream().allMatch(id -> job(id).state() == JobState.RUNNING) && started.get() == 1);
    queue.pause("pausable");
    await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream().filter(id -> job(id).state() == JobState.READY).count() == 4);
    release.countDown();
    await().until(() -> ids.stream().filter(id -> job(id).state() == JobState.COMPLETED).count() == 1);
    assertThat(started).hasValue(1);
    assertThat(ids.stream().filter(id -> job(id).state() == JobState.READY && job(id).attempt() == 0).count()).isEqualTo(4);
    queue.resume("pausable");
  }

  /**
   * Defect 3: cancelling a running job interrupts its handler, and the job keeps its cap slot until
   * the handler has returned (the next job of the capped kind does not start before).
   */
  @Test
  void cancellingARunningJobInterruptsItAndKeepsItsCapSlotUntilItReturns() {
    queue.configureKind("one-at-a-time", KindPolicy.builder().maxRunning(1).build());
    CountDownLatch finish = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicInteger started = new AtomicInteger();
    start(worker().concurrency(2).handle("one-at-a-time", ctx -> {
      if (started.incrementAndGet() > 1) return;
      try {
        new CountDownLatch(1).await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
      finish.await(30, TimeUnit.SECONDS); // a handler that takes its time to stop
    }));
    long first = queue.enqueue(NewJob.of("one-at-a-time", "{}")).id();
    await().until(() -> started.get() == 1);
    long second = queue.enqueue(NewJob.of("one-at-a-time", "{}")).id();
    assertThat(queue.cancel(first)).isTrue();
    await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
    assertThat(job(first).state()).isEqualTo(JobState.RUNNING);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> job(second).state() == JobState.READY);
    finish.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> job(first).state() == JobState.CANCELLED);
    await().atMost(Duration.ofSeconds(10)).until(() -> job(second).state() == JobState.COMPLETED);
  }

  /** Defect 4: a capped kind is claimed while an uncapped kind has a deep backlog. */
  @Test
  void aCappedKindIsNotStarvedByAnUncappedBacklog() {
    queue.configureKind("rare", KindPolicy.builder().maxRunning(1).build());
    List<NewJob> bulk = new ArrayList<>();
    for (int i = 0; i < 3000; i++) bulk.add(NewJob.of("plenty", "{}"));
    queue.bulkEnqueue(bulk);
    long rare = queue.enqueue(NewJob.of("rare", "{}")).id();
    AtomicInteger plentyDone = new AtomicInteger();
    AtomicInteger plentyWhenRareRan = new AtomicInteger(-1);
    start(worker().concurrency(2).claimBatchSize(20)
        .handle("plenty", ctx -> plentyDone.incrementAndGet())
        .handle("rare", ctx -> plentyWhenRareRan.set(plentyDone.get())));
    await().atMost(Duration.ofSeconds(30)).until(() -> job(rare).state() == JobState.COMPLETED);
    assertThat(plentyWhenRareRan.get()).isBetween(0, 1000);
  }
}
