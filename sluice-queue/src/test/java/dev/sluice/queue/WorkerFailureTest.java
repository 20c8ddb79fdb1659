package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.postgres.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Retry with backoff, dead after max attempts, permanent failures and snoozes, on a hand-moved clock. */
class WorkerFailureTest {
  static TestDatabase db;
  static final MutableClock clock = MutableClock.at("2030-01-01T00:00:00Z");
  static JobQueue queue;
  JobWorker worker;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create("queue_failures");
    queue = JobQueue.builder(db.dataSource()).schema("q").clock(clock).build().migrate();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @AfterEach
  void stopWorker() {
    if (worker != null) worker.close();
  }

  private JobWorker.Builder fastWorker() {
    return queue.worker().pollInterval(Duration.ofMillis(20)).maintenance(false);
  }

  private Job job(long id) {
    return queue.find(id).orElseThrow();
  }

  @Test
  void failingJobBacksOffExponentiallyThenDies() {
    queue.configureKind("flaky", KindPolicy.builder()
        .retry(RetryPolicy.exponential(Duration.ofSeconds(10), Duration.ofMinutes(5)).jitter(0).maxAttempts(3)).build());
    AtomicInteger calls = new AtomicInteger();
    worker = fastWorker().handle("flaky", ctx -> {
      calls.incrementAndGet();
      throw new IllegalStateException("upstream said no #" + ctx.job().attempt());
    }).start();
    long id = queue.enqueue(NewJob.of("flaky", "{}")).id();
    Instant start = clock.instant();

    await().until(() -> job(id).state() == JobState.RETRYABLE);
    Job first = job(id);
    assertThat(first.attempt()).isEqualTo(1);
    assertThat(first.runAt()).isEqualTo(start.plusSeconds(10));
    assertThat(first.lastError()).isEqualTo("java.lang.IllegalStateException: upstream said no #1");
    assertThat(first.lastErrorStack()).contains("WorkerFailureTest");

    clock.advance(Duration.ofSeconds(9));
    await().during(Duration.ofMillis(200)).until(() -> job(id).state() == JobState.RETRYABLE);
    assertThat(calls).hasValue(1);

    clock.advance(Duration.ofSeconds(1));
    await().until(() -> job(id).attempt() == 2 && job(id).state() == JobState.RETRYABLE);
    assertThat(job(id).runAt()).as("second backoff doubles").isEqualTo(clock.instant().plusSeconds(20));

    clock.advance(Duration.ofSeconds(20));
    await().until(() -> job(id).state() == JobState.DEAD);
    assertThat(job(id).attempt()).isEqualTo(3);
    assertThat(job(id).lastError()).endsWith("#3");
    assertThat(calls).hasValue(3);
  }

  @Test
  void permanentFailureGoesStraightToDead() {
    worker = fastWorker().handle("strict", ctx -> {
      throw new PermanentJobFailure("contact 42 does not exist");
    }).start();
    long id = queue.enqueue(NewJob.of("strict", "{}")).id();
    await().until(() -> job(id).state() == JobState.DEAD);
    assertThat(job(id).attempt()).isEqualTo(1);
    assertThat(job(id).lastError()).isEqualTo("contact 42 does not exist");
    assertThat(job(id).lastErrorStack()).contains("PermanentJobFailure");
  }

  @Test
  void snoozeReschedulesWithoutSpendingAnAttempt() {
    AtomicInteger calls = new AtomicInteger();
    worker = fastWorker().handle("polite", ctx -> {
      if (calls.incrementAndGet() <= 2) throw new JobSnooze(Duration.ofSeconds(8));
    }).start();
    long id = queue.enqueue(NewJob.builder("polite").maxAttempts(1).build()).id();
    await().until(() -> job(id).state() == JobState.READY && calls.get() == 1);
    assertThat(job(id).attempt()).isZero();
    assertThat(job(id).runAt()).isEqualTo(clock.instant().plusSeconds(8));
    clock.advance(Duration.ofSeconds(8));
    await().until(() -> calls.get() == 2 && job(id).state() == JobState.READY);
    clock.advance(Duration.ofSeconds(8));
    await().until(() -> job(id).state() == JobState.COMPLETED);
    assertThat(job(id).attempt()).as("only the successful run spent the single attempt").isEqualTo(1);
  }

  @Test
  void deadJobsCanBeRetriedByErrorText() {
    AtomicInteger calls = new AtomicInteger();
    worker = fastWorker().handle("once-broken", ctx -> {
      if (calls.incrementAndGet() == 1) throw new PermanentJobFailure("HTTP 503 maintenance");
    }).start();
    long id = queue.enqueue(NewJob.of("once-broken", "{}")).id();
    await().until(() -> job(id).state() == JobState.DEAD);
    assertThat(queue.retryDead(JobFilter.kind("once-broken").errorContains("HTTP 4"))).isZero();
    assertThat(queue.retryDead(JobFilter.kind("once-broken").errorContains("503"))).isEqualTo(1);
    await().until(() -> job(id).state() == JobState.COMPLETED);
  }
}
