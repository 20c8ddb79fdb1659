package dev.sluice.queue;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The moving parts of a {@link JobWorker}: claimer threads filling a local buffer (they sleep and
 * wake through {@link ClaimerWakeups}), handler virtual threads draining it (each job run by
 * {@link JobRun}), the completer threads of {@link OutcomeRecorder}, the {@link NotifyListener},
 * and a scheduler for heartbeats, the handlers' timeouts, policy refresh ({@link WorkerKinds}) and
 * maintenance.
 */
final class WorkerRuntime {
  private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);
  /** Pause after a database error in a loop, so an outage does not spin. */
  static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  /**
   * Claim transactions one worker keeps in flight at most. With one, handlers sit idle for a
   * whole claim round trip whenever they drain the buffer faster than a claim returns; with two,
   * one claim's round trip overlaps the other's rows being handled.
   */
  static final int CLAIMERS = 2;
  /** How often handlers are checked against their timeout. */
  static final Duration WATCHDOG_INTERVAL = Duration.ofMillis(50);

  private final JobQueue queue;
  private final PostgresJobStore store;
  private final Clock clock;
  private final String workerId;
  private final Map<String, JobHandler> handlers;
  private final List<String> handledKinds;
  private final int claimBatchSize;
  private final int concurrency;
  /** Jobs kept buffered beyond the running ones (fixed, or adapting to the handlers' pace). */
  private final PrefetchTarget prefetch;
  /** Numbers the claims; {@link #fullClaim} is the last one that got every job it asked for. */
  private final AtomicLong claims = new AtomicLong();
  private volatile long fullClaim = -1;
  private final Duration heartbeatInterval;
  private final Duration pollInterval;
  private final Duration shutdownTimeout;

  /** Slots for jobs held (buffered or running); a claim never takes more than the free ones. */
  private final Semaphore slots;
  private final LinkedBlockingQueue<HeldJob> buffer = new LinkedBlockingQueue<>();
  /** Leases this worker holds in the database, heartbeated (see {@link #heartbeat}) until released. */
  private final HeldLeases held = new HeldLeases();
  private final JobRun jobRun;
  private final OutcomeRecorder recorder;
  /** Null with {@code listenNotify(false)}. */
  private final NotifyListener listener;

  private volatile boolean claiming = true;
  private volatile boolean handling = true;
  /** Set once the claimer threads exist (before any can be woken). */
  private final ClaimerWakeups wakeups;
  /** Claimers sleeping because the buffer is full enough or slots are short (not for lack of jobs). */
  private final AtomicInteger claimersWaitingForRoom = new AtomicInteger();
  /**
   * The kind policies as last read (every second, or at once on a pause NOTIFY); the buffered jobs
   * of a kind paused in them are given back, not started.
   */
  private volatile WorkerKinds kinds;

  private final List<Thread> claimers = new ArrayList<>();
  private final List<Thread> handlerThreads = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  private ScheduledExecutorService heartbeats;

  private WorkerRuntime(JobWorker.Builder b) {
    this.queue = b.queue;
    this.store = b.queue.store();
    this.clock = b.queue.clock();
    this.workerId = b.workerId;
    this.handlers = Map.copyOf(b.handlers());
    this.handledKinds = List.copyOf(b.kinds());
    this.kinds = WorkerKinds.initial(handledKinds);
    this.claimBatchSize = b.claimBatchSize;
    this.concurrency = b.concurrency;
    this.prefetch = b.prefetch != null ? PrefetchTarget.fixed(b.prefetch)
        : PrefetchTarget.adaptive(b.concurrency, JobWorker.ADAPTIVE_PREFETCH_BATCHES * b.claimBatchSize);
    this.slots = new Semaphore(b.concurrency + prefetch.max());
    this.heartbeatInterval = b.heartbeatInterval;
    this.pollInterval = b.pollInterval;
    this.shutdownTimeout = b.shutdownTimeout;
    this.jobRun = new JobRun(queue, workerId, handlers, () -> kinds);
    this.recorder = new OutcomeRecorder(queue, workerId, held, b.completionBatchSize, b.completionFlushInterval,
        () -> kinds.capped(), this::notifyCappedRoom);
    for (int i = 0; i < b.concurrency; i++) {
      handlerThreads.add(Thread.ofVirtual().name("sluice-handler-" + i).unstarted(this::handleLoop));
    }
    // All threads exist before any starts: a wake-up may come from any of them and walks the claimers.
    for (int i = 0; i < CLAIMERS; i++) {
      claimers.add(Thread.ofPlatform().daemon().name("sluice-claimer-" + i).unstarted(this::claimLoop));
    }
    this.wakeups = new ClaimerWakeups(claimers);
    this.listener = !b.listenNotify ? null : new NotifyListener(queue, workerId, new NotifyListener.Notices() {
      @Override
      public void wake() {
        wakeups.first();
      }

      @Override
      public void cancel(long id) {
        cancelNotice(id);
      }

      @Override
      public void paused() {
        scheduler.execute(() -> guarded("kind refresh", WorkerRuntime.this::refreshKinds));
      }
    });
    refreshKinds();
    // Heartbeats get a thread of their own: a slow maintenance pass must never delay them into
    // looking like a dead worker.
    heartbeats = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sluice-heartbeat").factory());
    heartbeats.scheduleWithFixedDelay(() -> guarded("heartbeat", this::heartbeat),
        b.heartbeatInterval.toMillis(), b.heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS);
    scheduler = Executors.newScheduledThreadPool(1, Thread.ofPlatform().daemon().name("sluice-worker-scheduler").factory());
    scheduler.scheduleWithFixedDelay(() -> guarded("kind refresh", this::refreshKinds),
        b.kindRefreshInterval.toMillis(), b.kindRefreshInterval.toMillis(), TimeUnit.MILLISECONDS);
    // The watchdog interrupts handlers past their timeout (the job's, else its kind's).
    heartbeats.scheduleWithFixedDelay(() -> guarded("timeouts", this::interruptOverdue),
        WATCHDOG_INTERVAL.toMillis(), WATCHDOG_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    if (b.maintenance) {
      scheduler.scheduleWithFixedDelay(() -> guarded("rescue", () -> queue.rescuer().rescueOnce()),
          b.rescueInterval.toMillis(), b.rescueInterval.toMillis(), TimeUnit.MILLISECONDS);
      scheduler.scheduleWithFixedDelay(() -> guarded("cleanup", () -> queue.cleaner().cleanOnce()),
          FinishedJobCleaner.RUN_INTERVAL_DEFAULT.toMillis(), FinishedJobCleaner.RUN_INTERVAL_DEFAULT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  static WorkerRuntime start(JobWorker.Builder b) {
    WorkerRuntime r = new WorkerRuntime(b);
    // Registered before the claimers start: an enqueue committed after this wakes them directly,
    // one committed before is found by their first claim.
    r.queue.addLocalWorker(r);
    r.handlerThreads.forEach(Thread::start);
    r.recorder.start();
    if (r.listener != null) r.listener.start();
    r.claimers.forEach(Thread::start);
    return r;
  }

  String workerId() {
    return workerId;
  }

  long recordedCount() {
    return recorder.recordedCount();
  }

  private void guarded(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("worker {}: {} failed: {}", workerId, what, e.getMessage());
    }
  }

  // --- claiming ---

  /**
   * A job of {@code kind} was enqueued through this worker's queue and has committed: wake the first
   * claimer now rather than when the NOTIFY comes back (its listener skips that notice).
   */
  void enqueued(String kind) {
    if (handlers.containsKey(kind)) wakeups.first();
  }

  /** Parks the calling claimer until a wake-up newer than {@code seen} or until {@code timeout} passes. */
  private void awaitWake(long seen, Duration timeout) {
    wakeups.await(seen, timeout, () -> claiming);
  }

  /**
   * How many jobs to claim now, 0 for none. The next claim starts as soon as the buffer falls
   * below half a batch (or half the prefetch target, if smaller), before the handlers run dry, so
   * its round trip overlaps their work; waiting for room for a quarter batch avoids many tiny
   * claims under load, while an idle worker has all its room free, so pickup latency does not
   * suffer. Room = concurrency + the prefetch target − jobs held (buffered, running, or reserved
   * by a claim in flight).
   */
  private int claimSize() {
    int target = prefetch.get();
    if (buffer.size() >= Math.max(1, Math.min(claimBatchSize, target) / 2)) return 0;
    int held = concurrency + prefetch.max() - slots.availablePermits();
    int room = concurrency + target - held;
    int minClaim = Math.max(1, Math.min(claimBatchSize, concurrency + target) / 4);
    return room < minClaim ? 0 : Math.min(claimBatchSize, room);
  }

  private void claimLoop() {
    while (claiming) {
      long seen = wakeups.seen();
      int want = claimSize();
      // Slots are reserved before the claim so two claimers in flight never hold more than the
      // worker has room for; what the claim did not fill is given back afterwards.
      if (want == 0 || !slots.tryAcquire(want)) {
        claimersWaitingForRoom.incrementAndGet();
        try {
          if (claimSize() == 0) awaitWake(seen, pollInterval);
        } finally {
          claimersWaitingForRoom.decrementAndGet();
        }
        continue;
      }
      int got = 0;
      long claim = claims.incrementAndGet();
      try {
        got = claimInto(want);
      } catch (SQLException | RuntimeException e) {
        if (!claiming) break;
        log.warn("worker {}: claim failed, retrying in {}: {}", workerId, ERROR_BACKOFF, e.getMessage());
        slots.release(want);
        awaitWake(seen, ERROR_BACKOFF);
        continue;
      }
      if (got >= want) { // never more: the stores claim at most what was asked
        fullClaim = claim;
      } else {
        fullClaim = -1;
        prefetch.drained();
        slots.release(want - got);
        // Nothing more is runnable now: sleep until notified, or poll again.
        awaitWake(seen, pollInterval);
      }
    }
  }

  private int claimInto(int want) throws SQLException {
    int got = 0;
    Instant now = clock.instant();
    WorkerKinds k = kinds;
    // Capped kinds first: their caps bound what they take, so they cannot starve the others, while
    // claiming them last would let a deep uncapped backlog fill every batch and starve them.
    for (String kind : k.cappedHandled()) {
      if (got >= want || !claiming) break;
      got += accept(store.claimCapped(kind, want - got, workerId, heartbeatInterval, now), k);
    }
    List<String> uncapped = k.uncappedHandled();
    if (!uncapped.isEmpty() && got < want && claiming) {
      got += accept(store.claim(uncapped, want - got, workerId, heartbeatInterval, now), k);
    }
    return got;
  }

  /** Buffers claimed jobs; their slots were reserved by the claimer before the claim. */
  private int accept(JobStore.Claim claim, WorkerKinds k) {
    List<Job> jobs = claim.jobs();
    if (jobs.isEmpty()) return 0;
    List<HeldJob> batch = new ArrayList<>(jobs.size());
    for (Job j : jobs) {
      Duration timeout = j.timeout() != null ? j.timeout() : k.policy(j.kind()).timeout();
      batch.add(new HeldJob(j, claim.lease(), timeout));
    }
    held.add(claim.lease(), batch);
    buffer.addAll(batch);
    return jobs.size();
  }

  private void refreshKinds() {
    WorkerKinds k = WorkerKinds.read(store, handledKinds);
    kinds = k;
    if (!k.paused().isEmpty()) giveBackBuffered(k.paused());
  }


  // --- handling ---

  private void handleLoop() {
    while (handling) {
      HeldJob h;
      // Nothing buffered although the last claim was full: the claims' round trips, not the queue,
      // keep this handler waiting, so a deeper buffer pays (once per claim; see PrefetchTarget).
      if (buffer.isEmpty() && fullClaim >= 0) prefetch.starved(fullClaim);
      try {
        h = buffer.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        if (!handling) return;
        continue;
      }
      if (h == null) continue;
      long now = System.nanoTime();
      prefetch.waited(now - h.bufferedNanos, now);
      // The buffer just shrank: a claimer waiting for it to run low starts the next claim now,
      // while this and the other handlers still have buffered work.
      if (claimersWaitingForRoom.get() > 0 && claimSize() > 0) wakeups.all();
      try {
        // Re-checked before the job starts: a lost lease, a cancel or a pause seen since the claim.
        if (!settleUnstarted(h)) {
          JobStore.Completion outcome;
          h.started(Thread.currentThread(), System.nanoTime());
          try {
            outcome = jobRun.run(h);
          } finally {
            h.returned();
          }
          finish(h, outcome);
        }
      } finally {
        // The slot is kept until the handler has returned, whatever happened to the job meanwhile.
        slots.release();
      }
      if (claimersWaitingForRoom.get() > 0 && claimSize() > 0) wakeups.all();
    }
  }

  /**
   * Settles a buffered job that must not start: lost (dropped), cancelled (recorded cancelled) or
   * of a paused kind (given back, its attempt returned). False when it may start.
   */
  private boolean settleUnstarted(HeldJob h) {
    if (h.lost) {
      held.dropped(h);
      return true;
    }
    if (h.cancelRequested) {
      finish(h, JobStore.Completion.of(h.job, h.lease, JobState.CANCELLED, null, "cancelled before it started", null));
      return true;
    }
    if (kinds.paused().contains(h.job.kind())) {
      finish(h, JobStore.Completion.of(h.job, h.lease, JobState.READY, clock.instant(), null, null));
      return true;
    }
    return false;
  }

  /** Queues the outcome of {@code h}, or drops it when the lease was lost meanwhile. */
  private void finish(HeldJob h, JobStore.Completion outcome) {
    if (h.lost) {
      held.dropped(h);
      return;
    }
    held.outcomeQueued(h);
    recorder.add(outcome);
  }

  /** Gives back the buffered jobs of paused kinds at once (a pause reached this worker). */
  private void giveBackBuffered(Set<String> paused) {
    List<HeldJob> back = new ArrayList<>();
    for (HeldJob h : buffer) {
      if (paused.contains(h.job.kind()) && buffer.remove(h)) back.add(h);
    }
    Instant now = clock.instant();
    for (HeldJob h : back) {
      finish(h, JobStore.Completion.of(h.job, h.lease, JobState.READY, now, null, null));
      slots.release();
    }
  }

  /** A cancel notice for job {@code id}: a buffered job is settled now, a running handler interrupted. */
  private void cancelNotice(long id) {
    held.forEachOpen(h -> {
      if (h.job.id() == id && h.requestCancel()) cancelled(h);
    });
  }

  private void cancelled(HeldJob h) {
    if (buffer.remove(h)) {
      finish(h, JobStore.Completion.of(h.job, h.lease, JobState.CANCELLED, null, "cancelled before it started", null));
      slots.release();
    } else {
      h.interrupt();
    }
  }

  private void interruptOverdue() {
    long now = System.nanoTime();
    held.forEachOpen(h -> {
      if (h.interruptIfOverdue(now)) {
        log.warn("worker {}: job {} ({}) ran past its timeout of {} and was interrupted", workerId, h.job.id(), h.job.kind(), h.timeout);
      }
    });
  }

  // --- completing ---

  /** A capped kind may have room again: wake this and the other processes' claimers. */
  private void notifyCappedRoom() {
    wakeups.all();
    try {
      store.notifyReady("capacity");
    } catch (SQLException e) {
      log.debug("worker {}: notify failed: {}", workerId, e.getMessage());
    }
  }

  // --- heartbeats ---

  /**
   * Heartbeats this worker's leases: one row per claim batch. A held job the answer does not list
   * was rescued (its lease lost): its handler is interrupted and its outcome dropped; one whose
   * cancel was requested is settled or interrupted.
   */
  private void heartbeat() {
    if (held.isEmpty()) return;
    List<UUID> leases = held.leases();
    List<JobStore.Beat> beats;
    try {
      beats = store.heartbeat(leases, workerId, clock.instant());
    } catch (SQLException e) {
      throw JobQueue.failure("heartbeat", e);
    }
    Set<Long> alive = new HashSet<>();
    Set<Long> cancel = new HashSet<>();
    for (JobStore.Beat b : beats) {
      alive.add(b.id());
      if (b.cancelRequested()) cancel.add(b.id());
    }
    held.applyHeartbeat(leases, alive, cancel, h -> {
      if (h.lost) {
        log.warn("worker {}: lost the lease of job {} ({}): it was rescued; its outcome will be dropped", workerId, h.job.id(), h.job.kind());
        if (buffer.remove(h)) {
          held.dropped(h);
          slots.release();
        } else {
          h.interrupt();
        }
      } else {
        cancelled(h);
      }
    });
  }

  // --- shutdown ---

  private volatile boolean closed;

  synchronized void close() {
    if (closed) return;
    closed = true;
    queue.removeLocalWorker(this);
    claiming = false;
    if (listener != null) listener.stop();
    wakeups.interrupt();
    for (Thread t : claimers) join(t, Duration.ofSeconds(10));
    // Give buffered jobs back: their attempt is returned and any worker may take them.
    List<HeldJob> unstarted = new ArrayList<>();
    buffer.drainTo(unstarted);
    Instant now = clock.instant();
    for (HeldJob h : unstarted) {
      finish(h, JobStore.Completion.of(h.job, h.lease, JobState.READY, now, null, null));
      slots.release();
    }
    handling = false;
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    for (Thread t : handlerThreads) join(t, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    recorder.close(Duration.ofSeconds(10));
    scheduler.shutdownNow();
    heartbeats.shutdownNow();
    if (listener != null) listener.join(Duration.ofSeconds(2));
  }

  synchronized void abandon() {
    if (closed) return;
    closed = true;
    queue.removeLocalWorker(this);
    claiming = false;
    handling = false;
    if (listener != null) listener.stop();
    recorder.abandon();
    wakeups.interrupt();
    scheduler.shutdownNow();
    heartbeats.shutdownNow();
    buffer.clear();
  }

  static void join(Thread t, Duration timeout) {
    if (t == null) return;
    try {
      t.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
