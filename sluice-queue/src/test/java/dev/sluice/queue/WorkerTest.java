package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.postgres.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Worker behaviour on the real clock: wake-ups, polling, shadow mode, progress, transactional enqueue. */
class WorkerTest {
  static TestDatabase db;
  static JobQueue queue;
  /** Another JobQueue on the same schema, as another process would have: its enqueues reach the workers by NOTIFY only. */
  static JobQueue elsewhere;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create("queue_worker", 20);
    queue = JobQueue.builder(db.dataSource()).schema("sluice").build().migrate();
    elsewhere = JobQueue.builder(db.dataSource()).schema("sluice").build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  private Job job(long id) {
    return queue.find(id).orElseThrow();
  }

  @Test
  void migrateIsIdempotent() {
    queue.migrate();
    queue.migrate();
  }

  @Test
  void notifyWakesAnIdleWorkerLongBeforeItsPoll() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    try (JobWorker w = queue.worker().handle("wake", ctx -> ran.countDown()).pollInterval(Duration.ofMinutes(5)).start()) {
      // let the listener subscribe (it wakes the claimer once when it does) and the worker go idle
      await().pollDelay(Duration.ofMillis(300)).until(() -> true);
      elsewhere.enqueue(NewJob.of("wake", "{}"));
      assertThat(ran.await(10, TimeUnit.SECONDS)).as("woken by NOTIFY, not by the 5 min poll").isTrue();
    }
  }

  @Test
  void anEnqueueThroughTheWorkersOwnQueueWakesItWithoutNotify() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    try (JobWorker w = queue.worker().handle("local-wake", ctx -> ran.countDown()).listenNotify(false)
        .pollInterval(Duration.ofMinutes(5)).start()) {
      // let the claimers' first (empty) claims finish, so the worker is idle when the job commits
      await().pollDelay(Duration.ofMillis(300)).until(() -> true);
      queue.enqueue(NewJob.of("local-wake", "{}"));
      assertThat(ran.await(10, TimeUnit.SECONDS)).as("woken in-process at commit, without LISTEN or the 5 min poll").isTrue();
    }
  }

  @Test
  void aBurstOfEnqueuesIsWokenUpWithoutPolling() throws Exception {
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    try (JobWorker w = queue.worker().handle("burst", ctx -> seen.add(ctx.job().id())).pollInterval(Duration.ofMinutes(5)).start()) {
      await().pollDelay(Duration.ofMillis(300)).until(() -> true);
      List<Long> ids = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        threads.add(Thread.ofVirtual().start(() -> {
          for (int i = 0; i < 50; i++) ids.add(elsewhere.enqueue(NewJob.of("burst", "{}")).id());
        }));
      }
      for (Thread t : threads) t.join();
      // most enqueues skipped their own NOTIFY (debounced); the trailing one must still wake the worker
      await().atMost(Duration.ofSeconds(20)).until(() -> seen.containsAll(ids));
    }
  }

  @Test
  void pollingAloneWorks() {
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    try (JobWorker w = queue.worker().listenNotify(false).pollInterval(Duration.ofMillis(50))
        .handle("polled", ctx -> seen.add(ctx.job().id())).start()) {
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) ids.add(queue.enqueue(NewJob.of("polled", "{}")).id());
      await().until(() -> seen.containsAll(ids));
      await().until(() -> ids.stream().allMatch(id -> job(id).state() == JobState.COMPLETED));
    }
  }

  @Test
  void rolledBackEnqueueLeavesNoJob() throws Exception {
    long kept;
    long rolledBack;
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      rolledBack = queue.enqueue(c, NewJob.of("tx", "{}")).id();
      assertThat(queue.find(rolledBack)).as("invisible before commit").isEmpty();
      c.rollback();
      kept = queue.enqueue(c, NewJob.of("tx", "{}")).id();
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(queue.find(rolledBack)).isEmpty();
    assertThat(job(kept).state()).isEqualTo(JobState.READY);
  }

  @Test
  void shadowedKindIsRecordedButItsHandlerNeverRuns() {
    Set<Long> ran = ConcurrentHashMap.newKeySet();
    queue.shadow("new-rule", true);
    try (JobWorker w = queue.worker().pollInterval(Duration.ofMillis(20)).handle("new-rule", ctx -> ran.add(ctx.job().id()))
        .handle("shadow-probe", ctx -> { }).start()) {
      long shadowed = queue.enqueue(NewJob.of("new-rule", "{}")).id();
      long probe = queue.enqueue(NewJob.of("shadow-probe", "{}")).id();
      await().until(() -> job(probe).state() == JobState.COMPLETED);
      assertThat(job(shadowed).state()).isEqualTo(JobState.SHADOWED);
      queue.shadow("new-rule", false);
      long live = queue.enqueue(NewJob.of("new-rule", "{}")).id();
      await().until(() -> job(live).state() == JobState.COMPLETED);
      assertThat(ran).containsExactly(live);
    }
  }

  @Test
  void pausedKindWaitsUntilResumed() {
    queue.pause("held");
    try (JobWorker w = queue.worker().pollInterval(Duration.ofMillis(20)).handle("held", ctx -> { })
        .handle("pause-probe", ctx -> { }).start()) {
      long held = queue.enqueue(NewJob.of("held", "{}")).id();
      long probe = queue.enqueue(NewJob.of("pause-probe", "{}")).id();
      await().until(() -> job(probe).state() == JobState.COMPLETED);
      assertThat(job(held).state()).isEqualTo(JobState.READY);
      queue.resume("held");
      await().until(() -> job(held).state() == JobState.COMPLETED);
    }
  }

  @Test
  void handlerReportsProgress() {
    CountDownLatch release = new CountDownLatch(1);
    try (JobWorker w = queue.worker().handle("report", ctx -> {
      ctx.progress(40, 100, "pages");
      release.await(10, TimeUnit.SECONDS);
    }).start()) {
      long id = queue.enqueue(NewJob.of("report", "{}")).id();
      await().until(() -> job(id).progress() != null);
      assertThat(job(id).progress()).contains("\"done\": 40").contains("\"total\": 100").contains("pages");
      assertThat(job(id).state()).isEqualTo(JobState.RUNNING);
      release.countDown();
      await().until(() -> job(id).state() == JobState.COMPLETED);
    }
  }

  @Test
  void slowJobsAreNotHoardedByTheFirstWorkerWithoutAnExplicitPrefetch() throws Exception {
    // Busy handlers never find the buffer empty, so the adaptive prefetch stays at the concurrency:
    // the first worker holds 2 running + 2 buffered of the 40 jobs, and a second worker gets work
    // at once (a fixed prefetch of a claim batch would have taken all 40 into the first worker).
    CountDownLatch release = new CountDownLatch(1);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) ids.add(queue.enqueue(NewJob.of("slow-share", "{}")).id());
    Set<Long> first = ConcurrentHashMap.newKeySet();
    Set<Long> second = ConcurrentHashMap.newKeySet();
    try (JobWorker a = queue.worker().concurrency(2).handle("slow-share", ctx -> {
      first.add(ctx.job().id());
      release.await(30, TimeUnit.SECONDS);
    }).start()) {
      await().until(() -> first.size() == 2);
      await().until(() -> ids.stream().filter(id -> job(id).state() == JobState.RUNNING).count() == 4);
      try (JobWorker b = queue.worker().concurrency(2).handle("slow-share", ctx -> {
        second.add(ctx.job().id());
        release.await(30, TimeUnit.SECONDS);
      }).start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> second.size() == 2);
        assertThat(ids.stream().filter(id -> job(id).state() == JobState.RUNNING).count()).isEqualTo(8);
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> job(id).state() == JobState.COMPLETED));
      }
    } finally {
      release.countDown();
    }
  }

  @Test
  void closeGivesBufferedJobsBackWithTheirAttempt() {
    CountDownLatch release = new CountDownLatch(1);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) ids.add(queue.enqueue(NewJob.of("slow-close", "{}")).id());
    JobWorker w = queue.worker().concurrency(1).prefetch(9).claimBatchSize(10)
        .handle("slow-close", ctx -> release.await(10, TimeUnit.SECONDS)).start();
    await().until(() -> ids.stream().allMatch(id -> job(id).state() == JobState.RUNNING));
    release.countDown();
    w.close();
    long completed = ids.stream().filter(id -> job(id).state() == JobState.COMPLETED).count();
    long given = ids.stream().filter(id -> job(id).state() == JobState.READY && job(id).attempt() == 0).count();
    assertThat(completed).isGreaterThanOrEqualTo(1);
    assertThat(completed + given).isEqualTo(10);
  }

  @Test
  void rescuerRequeuesTheJobsOfAnAbandonedWorker() {
    JobQueue quick = JobQueue.builder(db.dataSource()).schema("sluice").rescueAfter(Duration.ofMillis(500)).build();
    CountDownLatch never = new CountDownLatch(1);
    JobWorker dying = quick.worker().heartbeatInterval(Duration.ofMillis(100)).maintenance(false)
        .handle("orphan", ctx -> never.await(30, TimeUnit.SECONDS)).start();
    long id = quick.enqueue(NewJob.of("orphan", "{}")).id();
    await().until(() -> job(id).state() == JobState.RUNNING);
    dying.abandon();
    await().atMost(Duration.ofSeconds(10)).until(() -> !quick.rescuer().rescueOnce().isEmpty() || job(id).state() != JobState.RUNNING);
    try (JobWorker w = quick.worker().handle("orphan", ctx -> { }).start()) {
      await().until(() -> job(id).state() == JobState.COMPLETED);
      assertThat(job(id).attempt()).isEqualTo(2);
      assertThat(job(id).lastError()).startsWith("rescued");
    }
    never.countDown();
  }
}
