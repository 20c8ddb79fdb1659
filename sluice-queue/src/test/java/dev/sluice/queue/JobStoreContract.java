package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link JobStore} must have. A store implementation's test extends this and
 * supplies a fresh, empty store. Every test passes explicit instants, so none waits on time.
 */
abstract class JobStoreContract {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final String W1 = "worker-1";
  static final String W2 = "worker-2";

  /** An empty store (no jobs, no kind policies). */
  protected abstract JobStore emptyStore() throws Exception;

  /** A connection to the store's database, auto-commit on. */
  protected abstract Connection connect() throws Exception;

  JobStore store;

  @BeforeEach
  void freshStore() throws Exception {
    store = emptyStore();
  }

  EnqueueResult enqueue(NewJob job) throws Exception {
    try (Connection c = connect()) {
      return store.enqueue(c, job, T0);
    }
  }

  Job job(long id) throws Exception {
    return store.find(id).orElseThrow();
  }

  @Test
  void enqueuedJobIsReadyWithItsFields() throws Exception {
    EnqueueResult r = enqueue(NewJob.builder("email").payload("{\"to\":\"a@b.c\"}").priority(3).maxAttempts(7)
        .concurrencyKey("contact:1").timeout(Duration.ofMinutes(2)).build());
    assertThat(r.created()).isTrue();
    Job j = job(r.id());
    assertThat(j.state()).isEqualTo(JobState.READY);
    assertThat(j.kind()).isEqualTo("email");
    assertThat(j.payload()).contains("a@b.c");
    assertThat(j.priority()).isEqualTo(3);
    assertThat(j.maxAttempts()).isEqualTo(7);
    assertThat(j.attempt()).isZero();
    assertThat(j.concurrencyKey()).isEqualTo("contact:1");
    assertThat(j.timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(j.runAt()).isEqualTo(T0);
    assertThat(j.createdAt()).isEqualTo(T0);
  }

  @Test
  void duplicateDedupeKeyAnswersTheExistingId() throws Exception {
    EnqueueResult first = enqueue(NewJob.builder("hook").dedupeKey("evt-1").build());
    EnqueueResult second = enqueue(NewJob.builder("hook").dedupeKey("evt-1").payload("{\"x\":2}").build());
    assertThat(second).isEqualTo(new EnqueueResult(first.id(), false));
    assertThat(store.stats(T0).count("hook", JobState.READY)).isEqualTo(1);
  }

  @Test
  void claimTakesABatchInPriorityThenRunAtOrder() throws Exception {
    long late = enqueue(NewJob.builder("k").priority(5).build()).id();
    long early = enqueue(NewJob.builder("k").priority(0).runAt(T0.minusSeconds(10)).build()).id();
    long mid = enqueue(NewJob.builder("k").priority(0).build()).id();
    List<Job> claimed = store.claim(List.of("k"), 2, W1, T0).jobs();
    assertThat(claimed).extracting(Job::id).containsExactly(early, mid);
    assertThat(claimed).allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
    assertThat(job(early).state()).isEqualTo(JobState.RUNNING);
    assertThat(job(early).workerId()).isEqualTo(W1);
    assertThat(job(late).state()).isEqualTo(JobState.READY);
    assertThat(store.claim(List.of("k"), 10, W2, T0).jobs()).extracting(Job::id).containsExactly(late);
    assertThat(store.claim(List.of("k"), 10, W2, T0).jobs()).isEmpty();
  }

  @Test
  void claimIgnoresFutureJobsOtherKindsPausedAndShadowedKinds() throws Exception {
    enqueue(NewJob.builder("k").runAt(T0.plusSeconds(60)).build());
    enqueue(NewJob.of("other", "{}"));
    long paused = enqueue(NewJob.of("p", "{}")).id();
    store.setPaused("p", true, T0);
    long shadowed = enqueue(NewJob.of("s", "{}")).id();
    assertThat(store.setShadow("s", true, T0)).isEqualTo(1);
    assertThat(store.claim(List.of("k", "p", "s"), 10, W1, T0).jobs()).isEmpty();
    assertThat(job(shadowed).state()).isEqualTo(JobState.SHADOWED);
    long shadowedAtEnqueue = enqueue(NewJob.of("s", "{}")).id();
    assertThat(job(shadowedAtEnqueue).state()).isEqualTo(JobState.SHADOWED);
    assertThat(store.claim(List.of("k"), 10, W1, T0.plusSeconds(60)).jobs()).hasSize(1);
    store.setPaused("p", false, T0);
    assertThat(store.claim(List.of("p"), 10, W1, T0).jobs()).extracting(Job::id).containsExactly(paused);
  }

  @Test
  void cappedKindsAreClaimedOnlyWithinTheirCaps() throws Exception {
    store.configureKind("slow", KindPolicy.builder().maxRunning(3).maxRunningPerKey(1).build(), T0);
    for (int i = 0; i < 4; i++) enqueue(NewJob.builder("slow").concurrencyKey("a").build());
    for (int i = 0; i < 4; i++) enqueue(NewJob.builder("slow").concurrencyKey("b").build());
    for (int i = 0; i < 4; i++) enqueue(NewJob.builder("slow").build());
    // the uncapped claim never takes capped kinds
    assertThat(store.claim(List.of("slow"), 100, W1, T0).jobs()).isEmpty();
    JobStore.Claim firstClaim = store.claimCapped("slow", 100, W1, T0);
    List<Job> first = firstClaim.jobs();
    assertThat(first).hasSize(3);
    assertThat(first).extracting(Job::concurrencyKey).containsExactlyInAnyOrder("a", "b", null);
    assertThat(store.claimCapped("slow", 100, W2, T0).jobs()).isEmpty();
    Job a = first.stream().filter(j -> "a".equals(j.concurrencyKey())).findFirst().orElseThrow();
    store.complete(List.of(JobStore.Completion.ok(a, firstClaim.lease())), List.of(), W1, T0);
    List<Job> next = store.claimCapped("slow", 100, W2, T0).jobs();
    assertThat(next).extracting(Job::concurrencyKey).containsExactly("a");
  }

  @Test
  void perKeyCapWithoutKindCap() throws Exception {
    store.configureKind("contact-sync", KindPolicy.builder().maxRunningPerKey(1).build(), T0);
    for (int k = 0; k < 5; k++) for (int i = 0; i < 3; i++) enqueue(NewJob.builder("contact-sync").concurrencyKey("c" + k).build());
    List<Job> claimed = store.claimCapped("contact-sync", 100, W1, T0).jobs();
    assertThat(claimed).extracting(Job::concurrencyKey).containsExactlyInAnyOrder("c0", "c1", "c2", "c3", "c4");
    assertThat(store.claimCapped("contact-sync", 100, W1, T0).jobs()).isEmpty();
  }

  /** Defect 4: one kind's older backlog does not fill every claim; each kind gets its share. */
  @Test
  void claimIsFairAcrossKinds() throws Exception {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 200; i++) jobs.add(NewJob.builder("old").runAt(T0.minusSeconds(60)).build());
    for (int i = 0; i < 200; i++) jobs.add(NewJob.of("new", "{}"));
    try (Connection c = connect()) {
      store.bulkEnqueue(c, jobs, T0);
    }
    List<Job> claimed = store.claim(List.of("old", "new"), 10, W1, T0).jobs();
    assertThat(claimed).extracting(Job::kind).containsOnly("old", "new").contains("old", "new");
    assertThat(claimed.stream().filter(j -> j.kind().equals("new")).count()).isEqualTo(5);
  }

  /** Each kind's share is rounded up, yet a claim never takes more than it asked for (the worker reserved that many slots). */
  @Test
  void aClaimOverSeveralKindsNeverTakesMoreThanItsLimit() throws Exception {
    List<NewJob> jobs = new ArrayList<>();
    for (String kind : List.of("a", "b", "c")) {
      for (int i = 0; i < 10; i++) jobs.add(NewJob.of(kind, "{}"));
    }
    try (Connection c = connect()) {
      store.bulkEnqueue(c, jobs, T0);
    }
    assertThat(store.claim(List.of("a", "b", "c"), 10, W1, T0).jobs()).hasSize(10);
    assertThat(store.claim(List.of("a", "b", "c"), 1, W1, T0).jobs()).hasSize(1);
    assertThat(store.claim(List.of("a", "b", "c"), 100, W1, T0).jobs()).hasSize(19);
  }

  /** Defect 4: with a per-key cap, a key behind a long queue of another key at its cap still runs. */
  @Test
  void perKeyCapReachesKeysBehindALongQueueOfAnotherKey() throws Exception {
    store.configureKind("per-key", KindPolicy.builder().maxRunningPerKey(1).build(), T0);
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) jobs.add(NewJob.builder("per-key").concurrencyKey("a").runAt(T0.minusSeconds(10)).build());
    jobs.add(NewJob.builder("per-key").concurrencyKey("b").build());
    try (Connection c = connect()) {
      store.bulkEnqueue(c, jobs, T0);
    }
    assertThat(store.claimCapped("per-key", 10, W1, T0).jobs()).extracting(Job::concurrencyKey).containsExactlyInAnyOrder("a", "b");
    assertThat(store.claimCapped("per-key", 10, W1, T0).jobs()).isEmpty();
  }

  @Test
  void successfulCompletionIsRecordedOnce() throws Exception {
    long id = enqueue(NewJob.of("k", "{}")).id();
    JobStore.Claim claim = store.claim(List.of("k"), 1, W1, T0);
    Job claimed = claim.jobs().getFirst();
    assertThat(store.complete(List.of(JobStore.Completion.ok(claimed, claim.lease())), List.of(claim.lease()), W1, T0.plusSeconds(1))).isEqualTo(1);
    Job done = job(id);
    assertThat(done.state()).isEqualTo(JobState.COMPLETED);
    assertThat(done.finishedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(done.workerId()).isEqualTo(W1);
    assertThat(store.complete(List.of(JobStore.Completion.ok(claimed, claim.lease())), List.of(), W1, T0.plusSeconds(2))).isZero();
  }

  @Test
  void outcomeOfAnEarlierClaimIsIgnored() throws Exception {
    long id = enqueue(NewJob.of("k", "{}")).id();
    JobStore.Claim first = store.claim(List.of("k"), 1, W1, T0);
    Job claimed = first.jobs().getFirst();
    JobStore.Completion late = JobStore.Completion.ok(claimed, first.lease());
    assertThat(store.complete(List.of(JobStore.Completion.ok(claimed, UUID.randomUUID())), List.of(), W1, T0)).isZero();
    // rescued and re-claimed by W2: W1's late success must not count
    assertThat(store.rescueStale(Duration.ofSeconds(5), 100, T0.plusSeconds(6))).containsExactly(id);
    JobStore.Claim second = store.claim(List.of("k"), 1, W2, T0.plusSeconds(6));
    assertThat(second.jobs().getFirst().attempt()).isEqualTo(2);
    assertThat(store.complete(List.of(late), List.of(), W1, T0.plusSeconds(7))).isZero();
    assertThat(job(id).state()).isEqualTo(JobState.RUNNING);
    assertThat(store.complete(List.of(JobStore.Completion.ok(second.jobs().getFirst(), second.lease())), List.of(), W2, T0.plusSeconds(7))).isEqualTo(1);
  }

  /**
   * Defect 1 of the second design: a retry resets the attempt, so (worker, attempt) repeats when
   * the same worker claims the job again; the late outcome of the first claim must still not
   * finish the second, and the first claim's progress must not land on it either.
   */
  @Test
  void aLeaseIsNeverHandedOutTwiceEvenWhenWorkerAndAttemptRepeat() throws Exception {
    long id = enqueue(NewJob.builder("k").maxAttempts(1).build()).id();
    JobStore.Claim first = store.claim(List.of("k"), 1, W1, T0);
    assertThat(store.rescueStale(Duration.ofSeconds(5), 100, T0.plusSeconds(6))).containsExactly(id);
    assertThat(job(id).state()).isEqualTo(JobState.DEAD);
    assertThat(store.retry(id, T0.plusSeconds(7))).isTrue();
    JobStore.Claim second = store.claim(List.of("k"), 1, W1, T0.plusSeconds(7));
    Job again = second.jobs().getFirst();
    assertThat(again.attempt()).isEqualTo(first.jobs().getFirst().attempt());
    assertThat(second.lease()).isNotEqualTo(first.lease());
    assertThat(store.progress(id, first.lease(), "{\"old\":true}", T0.plusSeconds(8))).isFalse();
    assertThat(store.complete(List.of(JobStore.Completion.ok(first.jobs().getFirst(), first.lease())), List.of(), W1,
        T0.plusSeconds(8))).isZero();
    assertThat(job(id).state()).isEqualTo(JobState.RUNNING);
    // the first lease's heartbeat finds none of its jobs: the worker knows it lost them
    assertThat(store.heartbeat(List.of(first.lease()), W1, T0.plusSeconds(8))).isEmpty();
    assertThat(store.heartbeat(List.of(second.lease()), W1, T0.plusSeconds(8))).extracting(JobStore.Beat::id).containsExactly(id);
    assertThat(store.complete(List.of(JobStore.Completion.ok(again, second.lease())), List.of(second.lease()), W1,
        T0.plusSeconds(9))).isEqualTo(1);
    assertThat(job(id).state()).isEqualTo(JobState.COMPLETED);
  }

  @Test
  void failuresBecomeRetryableOrDeadAndSnoozeGivesTheAttemptBack() throws Exception {
    long r = enqueue(NewJob.of("k", "{}")).id();
    long d = enqueue(NewJob.of("k", "{}")).id();
    long s = enqueue(NewJob.of("k", "{}")).id();
    JobStore.Claim claim = store.claim(List.of("k"), 3, W1, T0);
    List<Job> claimed = claim.jobs();
    Job jr = claimed.stream().filter(j -> j.id() == r).findFirst().orElseThrow();
    Job jd = claimed.stream().filter(j -> j.id() == d).findFirst().orElseThrow();
    Job js = claimed.stream().filter(j -> j.id() == s).findFirst().orElseThrow();
    store.complete(List.of(
        JobStore.Completion.of(jr, claim.lease(), JobState.RETRYABLE, T0.plusSeconds(30), "boom", "stack-r"),
        JobStore.Completion.of(jd, claim.lease(), JobState.DEAD, null, "fatal", "stack-d"),
        JobStore.Completion.of(js, claim.lease(), JobState.READY, T0.plusSeconds(8), null, null)), List.of(claim.lease()), W1, T0);
    Job retryable = job(r);
    assertThat(retryable.state()).isEqualTo(JobState.RETRYABLE);
    assertThat(retryable.runAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(retryable.lastError()).isEqualTo("boom");
    assertThat(retryable.lastErrorStack()).isEqualTo("stack-r");
    assertThat(retryable.attempt()).isEqualTo(1);
    Job dead = job(d);
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.finishedAt()).isEqualTo(T0);
    Job snoozed = job(s);
    assertThat(snoozed.state()).isEqualTo(JobState.READY);
    assertThat(snoozed.attempt()).isZero();
    assertThat(snoozed.runAt()).isEqualTo(T0.plusSeconds(8));
    assertThat(store.claim(List.of("k"), 10, W1, T0.plusSeconds(7)).jobs()).isEmpty();
    assertThat(store.claim(List.of("k"), 10, W1, T0.plusSeconds(30)).jobs()).extracting(Job::id).containsExactlyInAnyOrder(r, s);
  }

  @Test
  void heartbeatsKeepAJobFromBeingRescued() throws Exception {
    long id = enqueue(NewJob.of("k", "{}")).id();
    UUID lease = store.claim(List.of("k"), 1, W1, T0).lease();
    assertThat(store.heartbeat(List.of(lease), W1, T0.plusSeconds(10))).containsExactly(new JobStore.Beat(id, lease, false));
    assertThat(store.heartbeat(List.of(lease), W2, T0.plusSeconds(10))).isEmpty();
    assertThat(store.rescueStale(Duration.ofSeconds(15), 100, T0.plusSeconds(20))).isEmpty();
    assertThat(store.rescueStale(Duration.ofSeconds(15), 100, T0.plusSeconds(26))).containsExactly(id);
    Job rescued = job(id);
    assertThat(rescued.state()).isEqualTo(JobState.RETRYABLE);
    assertThat(rescued.lastError()).startsWith("rescued: worker worker-1");
    assertThat(rescued.workerId()).isNull();
  }

  /**
   * A timeout limits a run (the worker's watchdog interrupts the handler); rescue is about workers
   * that stopped heartbeating, so the rescuer's staleness applies to every job alike: a job allowed
   * ten minutes is not left for ten minutes when its worker died, nor one allowed a second rescued
   * from a live worker after a second.
   */
  @Test
  void aJobOrKindTimeoutNeitherDelaysNorHastensTheRescue() throws Exception {
    long own = enqueue(NewJob.builder("k").timeout(Duration.ofMinutes(10)).build()).id();
    store.configureKind("long", KindPolicy.builder().timeout(Duration.ofMinutes(5)).build(), T0);
    long byKind = enqueue(NewJob.of("long", "{}")).id();
    long plain = enqueue(NewJob.of("k", "{}")).id();
    long quick = enqueue(NewJob.builder("k").timeout(Duration.ofSeconds(1)).build()).id();
    store.claim(List.of("k", "long"), 10, W1, T0);
    assertThat(store.rescueStale(Duration.ofSeconds(30), 100, T0.plusSeconds(29))).as("1 s timeout, 29 s stale").isEmpty();
    assertThat(store.rescueStale(Duration.ofSeconds(30), 100, T0.plusSeconds(31))).containsExactlyInAnyOrder(own, byKind, plain, quick);
  }

  @Test
  void rescueOfAJobWithoutAttemptsLeftMakesItDead() throws Exception {
    long id = enqueue(NewJob.builder("k").maxAttempts(1).build()).id();
    store.claim(List.of("k"), 1, W1, T0);
    store.rescueStale(Duration.ofSeconds(1), 100, T0.plusSeconds(5));
    assertThat(job(id).state()).isEqualTo(JobState.DEAD);
  }

  @Test
  void retryAndCancelFollowTheTransitionTable() throws Exception {
    long id = enqueue(NewJob.of("k", "{}")).id();
    assertThat(store.retry(id, T0)).as("ready -> ready is not a retry").isFalse();
    assertThat(store.cancel(id, T0)).isTrue();
    assertThat(job(id).state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.cancel(id, T0)).isFalse();
    assertThat(store.retry(id, T0.plusSeconds(1))).isTrue();
    assertThat(job(id).state()).isEqualTo(JobState.READY);
    JobStore.Claim claim = store.claim(List.of("k"), 1, W1, T0.plusSeconds(1));
    store.complete(List.of(JobStore.Completion.ok(claim.jobs().getFirst(), claim.lease())), List.of(), W1, T0.plusSeconds(1));
    assertThat(store.retry(id, T0)).as("completed is terminal").isFalse();
    assertThat(store.cancel(id, T0)).isFalse();
    assertThat(job(id).state()).isEqualTo(JobState.COMPLETED);
  }

  @Test
  void deadJobsAreRetriedOrCancelledInBulkByKindAndErrorText() throws Exception {
    List<Long> ids = new ArrayList<>();
    for (String kind : List.of("a", "a", "a", "b")) ids.add(enqueue(NewJob.of(kind, "{}")).id());
    JobStore.Claim claim = store.claim(List.of("a", "b"), 10, W1, T0);
    List<Job> claimed = claim.jobs().stream().sorted(java.util.Comparator.comparing(Job::id)).toList();
    List<JobStore.Completion> outcomes = new ArrayList<>();
    for (int i = 0; i < claimed.size(); i++) {
      outcomes.add(JobStore.Completion.of(claimed.get(i), claim.lease(), JobState.DEAD, null, i == 0 ? "HTTP 500 timeout" : "HTTP 400 bad", "st"));
    }
    store.complete(outcomes, List.of(), W1, T0);
    assertThat(store.retryDead(new JobFilter("a", "timeout"), T0)).isEqualTo(1);
    assertThat(store.cancelDead(JobFilter.kind("a"), T0)).isEqualTo(2);
    assertThat(store.list(JobState.DEAD, JobFilter.any(), 10)).extracting(Job::kind).containsExactly("b");
    assertThat(store.retryDead(JobFilter.any(), T0)).isEqualTo(1);
    QueueStats stats = store.stats(T0);
    assertThat(stats.count("a", JobState.READY)).isEqualTo(1);
    assertThat(stats.count("a", JobState.CANCELLED)).isEqualTo(2);
    assertThat(stats.count("b", JobState.READY)).isEqualTo(1);
    Job retried = job(claimed.getFirst().id());
    assertThat(retried.attempt()).as("retry starts over").isZero();
  }

  @Test
  void statsCountByKindAndStateAndAgeOfOldestReady() throws Exception {
    enqueue(NewJob.builder("x").runAt(T0.minusSeconds(90)).build());
    enqueue(NewJob.of("x", "{}"));
    enqueue(NewJob.builder("y").runAt(T0.plusSeconds(100)).build());
    store.claim(List.of("x"), 1, W1, T0);
    QueueStats stats = store.stats(T0);
    assertThat(stats.count("x", JobState.RUNNING)).isEqualTo(1);
    assertThat(stats.count("x", JobState.READY)).isEqualTo(1);
    assertThat(stats.count("y", JobState.READY)).isEqualTo(1);
    assertThat(stats.count(JobState.READY)).isEqualTo(2);
    assertThat(stats.oldestReadyAge()).isEqualTo(Duration.ZERO);
    assertThat(store.stats(T0.plusSeconds(200)).oldestReadyAge()).isEqualTo(Duration.ofSeconds(200));
  }

  @Test
  void bulkEnqueueSkipsDuplicateDedupeKeys() throws Exception {
    enqueue(NewJob.builder("b").dedupeKey("d-1").build());
    List<NewJob> jobs = new ArrayList<>();
    IntStream.range(0, 2_500).forEach(i -> jobs.add(NewJob.of("b", "{\"i\":" + i + "}")));
    jobs.add(NewJob.builder("b").dedupeKey("d-1").build());
    jobs.add(NewJob.builder("b").dedupeKey("d-2").build());
    jobs.add(NewJob.builder("b").dedupeKey("d-2").build());
    long n;
    try (Connection c = connect()) {
      n = store.bulkEnqueue(c, jobs, T0);
    }
    assertThat(n).isEqualTo(2_501);
    assertThat(store.stats(T0).count("b", JobState.READY)).isEqualTo(2_502);
  }

  /** Defect 7: dedupe keys outlive job retention, per (kind, key), with a window per kind (default 7 days). */
  @Test
  void dedupeKeysArePerKindAndOutliveJobRetention() throws Exception {
    long keyed = enqueue(NewJob.builder("c").dedupeKey("once").build()).id();
    assertThat(enqueue(NewJob.builder("other").dedupeKey("once").build()).created()).as("keys are per kind").isTrue();
    JobStore.Claim claim = store.claim(List.of("c"), 10, W1, T0);
    store.complete(claim.jobs().stream().map(j -> JobStore.Completion.ok(j, claim.lease())).toList(), List.of(claim.lease()), W1, T0);
    Instant later = T0.plus(Duration.ofDays(3));
    // retention 1 h: the finished job is gone, its key is not
    store.cleanFinished(later.minus(Duration.ofHours(1)), later.minus(Duration.ofDays(7)), 100);
    store.cleanDedupe(later, 100);
    assertThat(store.find(keyed)).isEmpty();
    try (Connection c = connect()) {
      assertThat(store.enqueue(c, NewJob.builder("c").dedupeKey("once").build(), later)).isEqualTo(new EnqueueResult(keyed, false));
    }
    Instant afterWindow = T0.plus(Duration.ofDays(7)).plusSeconds(1);
    assertThat(store.cleanDedupe(afterWindow, 100)).isEqualTo(2);
    try (Connection c = connect()) {
      assertThat(store.enqueue(c, NewJob.builder("c").dedupeKey("once").build(), afterWindow).created()).isTrue();
    }
    // a kind's own window
    store.configureKind("short", KindPolicy.builder().dedupeWindow(Duration.ofHours(1)).build(), T0);
    enqueue(NewJob.builder("short").dedupeKey("k").build());
    try (Connection c = connect()) {
      assertThat(store.enqueue(c, NewJob.builder("short").dedupeKey("k").build(), T0.plusSeconds(3599)).created()).isFalse();
      assertThat(store.enqueue(c, NewJob.builder("short").dedupeKey("k").build(), T0.plusSeconds(3600)).created()).isTrue();
    }
  }

  @Test
  void progressIsRecordedOnlyByTheHoldingWorker() throws Exception {
    long id = enqueue(NewJob.of("k", "{}")).id();
    UUID lease = store.claim(List.of("k"), 1, W1, T0).lease();
    assertThat(store.progress(id, lease, "{\"done\":3}", T0)).isTrue();
    assertThat(store.progress(id, UUID.randomUUID(), "{\"done\":9}", T0)).isFalse();
    assertThat(job(id).progress()).isEqualTo("{\"done\": 3}");
  }

  @Test
  void kindPolicyRoundTrips() throws Exception {
    KindPolicy policy = KindPolicy.builder()
        .retry(RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofMinutes(3)).jitter(0.1).maxAttempts(4))
        .maxRunning(3).timeout(Duration.ofSeconds(45)).build();
    store.configureKind("api", policy, T0);
    store.setPaused("api", true, T0);
    JobStore.KindSettings settings = store.kinds().stream().filter(k -> k.kind().equals("api")).findFirst().orElseThrow();
    assertThat(settings.policy()).isEqualTo(policy);
    assertThat(settings.paused()).isTrue();
    // the kind's max attempts applies to jobs that do not set their own
    assertThat(job(enqueue(NewJob.of("api", "{}")).id()).maxAttempts()).isEqualTo(4);
  }
}
