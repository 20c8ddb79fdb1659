package dev.sluice.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The moving parts of a {@link JobWorker}: claimer threads filling a local buffer, handler
 * virtual threads draining it, completer threads batching outcomes, a listener thread for
 * NOTIFY, and a scheduler for heartbeats, policy refresh and maintenance.
 */
final class WorkerRuntime {
  private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Longest error text and stack kept on a job row. */
  static final int MAX_ERROR_CHARS = 2_000;
  static final int MAX_STACK_CHARS = 8_000;
  /** Pause after a database error in a loop, so an outage does not spin. */
  static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  /**
   * Claim transactions one worker keeps in flight at most. With one, handlers sit idle for a
   * whole claim round trip whenever they drain the buffer faster than a claim returns; with two,
   * one claim's round trip overlaps the other's rows being handled.
   */
  static final int CLAIMERS = 2;
  /**
   * Completion transactions one worker keeps in flight at most: while one batch waits for its
   * commit the next one collects outcomes, so batches grow with the load instead of the
   * completer falling behind one small batch at a time.
   */
  static final int COMPLETERS = 2;
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
  private final long heartbeatIntervalNanos;
  private final Duration heartbeatInterval;
  private final int completionBatchSize;
  private final long flushIntervalNanos;
  private final Duration pollInterval;
  private final Duration shutdownTimeout;
  private final boolean listenNotify;

  /** Slots for jobs held (buffered or running); a claim never takes more than the free ones. */
  private final Semaphore slots;
  private final LinkedBlockingQueue<HeldJob> buffer = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<JobStore.Completion> outcomes = new LinkedBlockingQueue<>();
  /** Leases this worker holds in the database, heartbeated (see {@link #heartbeat}) until released. */
  private final HeldLeases held = new HeldLeases();
  private final AtomicLong recorded = new AtomicLong();
  /** Paused kinds as last seen (refresh, or a pause NOTIFY): their buffered jobs are given back, not started. */
  private volatile Set<String> pausedKinds = Set.of();

  private volatile boolean claiming = true;
  private volatile boolean handling = true;
  private volatile boolean completing = true;
  /**
   * Counts wake-ups (a notification arrived, the buffer ran low, slots were freed). A claimer
   * remembers the count before it looks for work and sleeps only while it is unchanged, so a
   * wake-up that arrives during a claim is never lost and no claimer can swallow another's.
   */
  private final AtomicLong wakeups = new AtomicLong();
  /** Claimers sleeping because the buffer is full enough or slots are short (not for lack of jobs). */
  private final AtomicInteger claimersWaitingForRoom = new AtomicInteger();
  private volatile List<String> uncappedKinds;
  private volatile List<String> cappedKinds = List.of();
  private volatile Set<String> cappedKindSet = Set.of();
  private volatile Map<String, KindPolicy> policies = Map.of();

  private final List<Thread> claimers = new ArrayList<>();
  private final List<Thread> completers = new ArrayList<>();
  private Thread listener;
  private final List<Thread> handlerThreads = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  private ScheduledExecutorService heartbeats;
  private volatile Connection listenConnection;

  private WorkerRuntime(JobWorker.Builder b) {
    this.queue = b.queue;
    this.store = b.queue.store();
    this.clock = b.queue.clock();
    this.workerId = b.workerId;
    this.handlers = Map.copyOf(b.handlers());
    this.handledKinds = List.copyOf(b.kinds());
    this.uncappedKinds = handledKinds;
    this.claimBatchSize = b.claimBatchSize;
    this.concurrency = b.concurrency;
    this.prefetch = b.prefetch != null ? PrefetchTarget.fixed(b.prefetch)
        : PrefetchTarget.adaptive(b.concurrency, JobWorker.ADAPTIVE_PREFETCH_BATCHES * b.claimBatchSize);
    this.slots = new Semaphore(b.concurrency + prefetch.max());
    this.heartbeatIntervalNanos = b.heartbeatInterval.toNanos();
    this.heartbeatInterval = b.heartbeatInterval;
    this.completionBatchSize = b.completionBatchSize;
    this.flushIntervalNanos = b.completionFlushInterval.toNanos();
    this.pollInterval = b.pollInterval;
    this.shutdownTimeout = b.shutdownTimeout;
    this.listenNotify = b.listenNotify;
    for (int i = 0; i < b.concurrency; i++) {
      handlerThreads.add(Thread.ofVirtual().name("sluice-handler-" + i).unstarted(this::handleLoop));
    }
    // All threads exist before any starts: wake() may run on any of them and walks the claimers.
    for (int i = 0; i < CLAIMERS; i++) {
      claimers.add(Thread.ofPlatform().daemon().name("sluice-claimer-" + i).unstarted(this::claimLoop));
    }
    for (int i = 0; i < COMPLETERS; i++) {
      completers.add(Thread.ofPlatform().daemon().name("sluice-completer-" + i).unstarted(this::completeLoop));
    }
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
    r.completers.forEach(Thread::start);
    if (r.listenNotify) r.listener = Thread.ofPlatform().daemon().name("sluice-listener").start(r::listenLoop);
    r.claimers.forEach(Thread::start);
    return r;
  }

  String workerId() {
    return workerId;
  }

  long recordedCount() {
    return recorded.get();
  }

  private void guarded(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("worker {}: {} failed: {}", workerId, what, e.getMessage());
    }
  }

  // --- claiming ---

  /** Wakes every claimer at once (the buffer ran low, slots were freed, a capped kind has room). */
  private void wake() {
    wakeups.incrementAndGet();
    for (Thread t : claimers) LockSupport.unpark(t);
  }

  /**
   * Wakes the first claimer only (a NOTIFY arrived). One claim is enough to find out what was
   * enqueued, and on an idle queue a second claimer racing it only doubles the database work per
   * pickup; if the claim fills the buffer, the handlers wake the others as it drains.
   */
  private void wakeFirst() {
    wakeups.incrementAndGet();
    LockSupport.unpark(claimers.get(0));
  }

  /**
   * A job of {@code kind} was enqueued through this worker's queue and has committed: wake the first
   * claimer now rather than when the NOTIFY comes back (its listener skips that notice).
   */
  void enqueued(String kind) {
    if (handlers.containsKey(kind)) wakeFirst();
  }

  /** Parks the calling claimer until a wake-up newer than {@code seen} or until {@code timeout} passes. */
  private void awaitWake(long seen, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (wakeups.get() == seen && claiming) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return;
      LockSupport.parkNanos(this, left);
    }
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
      long seen = wakeups.get();
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
    // Capped kinds first: their caps bound what they take, so they cannot starve the others, while
    // claiming them last would let a deep uncapped backlog fill every batch and starve them.
    for (String kind : cappedKinds) {
      if (got >= want || !claiming) break;
      got += accept(store.claimCapped(kind, want - got, workerId, heartbeatInterval, now));
    }
    List<String> kinds = uncappedKinds;
    if (!kinds.isEmpty() && got < want && claiming) {
      got += accept(store.claim(kinds, want - got, workerId, heartbeatInterval, now));
    }
    return got;
  }

  /** Buffers claimed jobs; their slots were reserved by the claimer before the claim. */
  private int accept(JobStore.Claim claim) {
    List<Job> jobs = claim.jobs();
    if (jobs.isEmpty()) return 0;
    Map<String, KindPolicy> p = policies;
    List<HeldJob> batch = new ArrayList<>(jobs.size());
    for (Job j : jobs) {
      Duration timeout = j.timeout() != null ? j.timeout() : p.getOrDefault(j.kind(), KindPolicy.DEFAULT).timeout();
      batch.add(new HeldJob(j, claim.lease(), timeout));
    }
    held.add(claim.lease(), batch);
    buffer.addAll(batch);
    return jobs.size();
  }

  private void refreshKinds() {
    List<JobStore.KindSettings> kinds;
    try {
      kinds = store.kinds();
    } catch (SQLException e) {
      throw JobQueue.failure("read kind policies", e);
    }
    Map<String, KindPolicy> p = new java.util.HashMap<>();
    Set<String> capped = new HashSet<>();
    Set<String> idle = new HashSet<>();
    Set<String> paused = new HashSet<>();
    for (JobStore.KindSettings k : kinds) {
      p.put(k.kind(), k.policy());
      if (k.policy().isCapped()) capped.add(k.kind());
      if (k.paused() || k.shadow()) idle.add(k.kind());
      if (k.paused()) paused.add(k.kind());
    }
    pausedKinds = Set.copyOf(paused);
    if (!paused.isEmpty()) giveBackBuffered(paused);
    List<String> uncapped = new ArrayList<>();
    List<String> cappedHandled = new ArrayList<>();
    for (String kind : handledKinds) {
      if (idle.contains(kind)) continue; // the claim SQL re-checks, this only saves it the work
      if (capped.contains(kind)) cappedHandled.add(kind);
      else uncapped.add(kind);
    }
    policies = Map.copyOf(p);
    cappedKindSet = Set.copyOf(capped);
    uncappedKinds = List.copyOf(uncapped);
    cappedKinds = List.copyOf(cappedHandled);
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
      if (claimersWaitingForRoom.get() > 0 && claimSize() > 0) wake();
      try {
        // Re-checked before the job starts: a lost lease, a cancel or a pause seen since the claim.
        if (!settleUnstarted(h)) {
          JobStore.Completion outcome;
          h.started(Thread.currentThread(), System.nanoTime());
          try {
            outcome = run(h);
          } finally {
            h.returned();
          }
          finish(h, outcome);
        }
      } finally {
        // The slot is kept until the handler has returned, whatever happened to the job meanwhile.
        slots.release();
      }
      if (claimersWaitingForRoom.get() > 0 && claimSize() > 0) wake();
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
    if (pausedKinds.contains(h.job.kind())) {
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
    outcomes.add(outcome);
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

  private JobStore.Completion run(HeldJob h) {
    Job job = h.job;
    JobHandler handler = handlers.get(job.kind());
    Throwable failure;
    try {
      if (handler == null) throw new PermanentJobFailure("no handler for kind '" + job.kind() + "' in worker " + workerId);
      handler.handle(new Context(h));
      failure = null;
    } catch (JobSnooze s) {
      if (!h.timedOut && !h.cancelRequested) return JobStore.Completion.of(job, h.lease, JobState.READY, clock.instant().plus(s.waitTime()), null, null);
      failure = s;
    } catch (PermanentJobFailure f) {
      if (!h.timedOut && !h.cancelRequested) return JobStore.Completion.of(job, h.lease, JobState.DEAD, null, errorText(f), stackText(f));
      failure = f;
    } catch (Throwable t) {
      failure = t;
    }
    if (h.cancelRequested) {
      return JobStore.Completion.of(job, h.lease, JobState.CANCELLED, null, "cancelled while running", null);
    }
    if (h.timedOut) {
      failure = new JobTimeoutException(job, h.timeout, failure);
    }
    if (failure == null) return JobStore.Completion.ok(job, h.lease);
    RetryPolicy retry = policies.getOrDefault(job.kind(), KindPolicy.DEFAULT).retry();
    if (job.attempt() >= job.maxAttempts()) {
      return JobStore.Completion.of(job, h.lease, JobState.DEAD, null, errorText(failure), stackText(failure));
    }
    Instant next = clock.instant().plus(retry.delay(job.attempt(), ThreadLocalRandom.current()));
    return JobStore.Completion.of(job, h.lease, JobState.RETRYABLE, next, errorText(failure), stackText(failure));
  }

  /** The failure recorded for a handler interrupted at its timeout (whatever it did afterwards). */
  static final class JobTimeoutException extends RuntimeException {
    JobTimeoutException(Job job, Duration timeout, Throwable cause) {
      super("timed out: job " + job.id() + " ran longer than its timeout of " + timeout + " and was interrupted", cause);
    }
  }

  static String errorText(Throwable t) {
    String text = t instanceof PermanentJobFailure || t instanceof JobTimeoutException ? String.valueOf(t.getMessage())
        : t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    return storable(text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) : text);
  }

  static String stackText(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    String s = w.toString();
    return storable(s.length() > MAX_STACK_CHARS ? s.substring(0, MAX_STACK_CHARS) : s);
  }

  /** PostgreSQL text cannot hold U+0000 (an error message quoting a vendor's body may): U+FFFD instead. */
  static String storable(String text) {
    return text.replace('\0', '\uFFFD');
  }

  private final class Context implements JobContext {
    private final Job job;
    private final UUID lease;
    private JsonNode payload;

    Context(HeldJob h) {
      this.job = h.job;
      this.lease = h.lease;
    }

    @Override
    public Job job() {
      return job;
    }

    @Override
    public JsonNode payload() {
      if (payload == null) {
        try {
          payload = JSON.readTree(job.payload());
        } catch (java.io.IOException e) {
          throw new PermanentJobFailure("payload of job " + job.id() + " is not JSON: " + e.getMessage(), e);
        }
      }
      return payload;
    }

    @Override
    public void progress(JsonNode progress) {
      try {
        store.progress(job.id(), lease, JSON.writeValueAsString(progress), clock.instant());
      } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new JobQueueException("recording progress of job " + job.id() + " failed: " + e.getMessage(), e);
      }
    }

    @Override
    public void progress(long done, long total, String message) {
      ObjectNode p = JSON.createObjectNode();
      p.put("done", done);
      p.put("total", total);
      if (message != null) p.put("message", message);
      progress(p);
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public DataSource dataSource() {
      return queue.dataSource();
    }

    @Override
    public JobQueue queue() {
      return queue;
    }
  }

  // --- completing ---

  /** Run by each of the {@link #COMPLETERS} threads; they take disjoint outcomes from the queue. */
  private void completeLoop() {
    List<JobStore.Completion> batch = new ArrayList<>(completionBatchSize);
    while ((completing || !outcomes.isEmpty() || !batch.isEmpty()) && !abandoned) {
      try {
        if (batch.isEmpty()) {
          JobStore.Completion first = outcomes.poll(50, TimeUnit.MILLISECONDS);
          if (first == null) {
            if (held.hasReleasable()) flush(batch); // leases released by dropped jobs alone
            continue;
          }
          batch.add(first);
        }
        if (flushIntervalNanos > 0) {
          long deadline = System.nanoTime() + flushIntervalNanos;
          while (batch.size() < completionBatchSize) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            JobStore.Completion next = outcomes.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) break;
            batch.add(next);
          }
        }
        outcomes.drainTo(batch, completionBatchSize - batch.size());
      } catch (InterruptedException e) {
        // close() interrupts only to hurry the flush along; keep going until drained
      }
      if (batch.isEmpty()) continue;
      if (!flush(batch)) LockSupport.parkNanos(ERROR_BACKOFF.toNanos());
    }
  }

  /**
   * Records {@code batch} in one statement (with the leases it releases). When that fails, the
   * outcomes are applied one by one, and one that fails alone with a data error (see {@link
   * #isDataError}) is recorded as dead with the reason, so one bad outcome never holds up the
   * others; one that fails with a connection or other transient error is kept for the next try. What remains in {@code batch} afterwards could
   * not be written at all (the database is away) and is tried again; false then.
   */
  private boolean flush(List<JobStore.Completion> batch) {
    List<UUID> released = held.drainReleasable();
    try {
      store.complete(batch, released, workerId, clock.instant());
      recorded(batch);
      batch.clear();
      return true;
    } catch (SQLException | RuntimeException e) {
      held.unrelease(released);
      log.warn("worker {}: recording {} outcomes failed, applying them one by one: {}", workerId, batch.size(), e.getMessage());
    }
    List<JobStore.Completion> left = new ArrayList<>();
    for (JobStore.Completion o : batch) {
      try {
        store.complete(List.of(o), List.of(), workerId, clock.instant());
        recorded(List.of(o));
      } catch (SQLException | RuntimeException e) {
        if (!isDataError(e)) { // the database is away (restart, failover, overload): keep it, try again
          left.add(o);
          continue;
        }
        String reason = "outcome " + o.state().dbValue() + " could not be recorded: " + e.getMessage();
        try {
          store.complete(List.of(new JobStore.Completion(o.id(), o.lease(), o.kind(), JobState.DEAD, null,
              errorText(new PermanentJobFailure(reason)), o.error())), List.of(), workerId, clock.instant());
          recorded(List.of(o));
          log.warn("worker {}: job {} marked dead: {}", workerId, o.id(), reason);
        } catch (SQLException | RuntimeException again) {
          left.add(o);
        }
      }
    }
    batch.clear();
    batch.addAll(left);
    return left.isEmpty();
  }

  /**
   * Whether {@code e} says this one outcome can never be written (SQLState class 22 data exception,
   * 23 integrity violation, XX internal error, or another non-transient error), so the job may be
   * marked dead for it. Connection loss (08), transaction rollback/deadlock (40), insufficient
   * resources (53), lock not available (55), operator intervention such as a shutdown (57), system
   * errors (58), pgjdbc's I/O errors without a state and the driver's transient/recoverable
   * exceptions are not: the outcome stays pending and is tried again.
   */
  static boolean isDataError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException) return false;
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        if (state == null || state.length() < 2) return false;
        return switch (state.substring(0, 2)) {
          case "08", "40", "53", "55", "57", "58" -> false;
          default -> true;
        };
      }
      if (t == t.getCause()) break;
    }
    return true; // a RuntimeException not caused by the database: a bug in this outcome
  }

  private void recorded(List<JobStore.Completion> done) {
    boolean cappedDone = false;
    Set<String> capped = cappedKindSet;
    for (JobStore.Completion c : done) {
      held.recorded(c.lease());
      if (capped.contains(c.kind())) cappedDone = true;
    }
    recorded.addAndGet(done.size());
    if (cappedDone) notifyCappedRoom();
  }

  /** A capped kind may have room again: wake this and the other processes' claimers. */
  private void notifyCappedRoom() {
    wake();
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

  // --- LISTEN ---

  private void listenLoop() {
    DataSource ds = queue.dataSource();
    while (claiming) {
      try (Connection c = ds.getConnection()) {
        listenConnection = c;
        if (!c.getAutoCommit()) c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          // The channel is an identifier derived from the validated schema name, not a value.
          s.execute("LISTEN " + store.channel());
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        wakeFirst(); // anything enqueued before LISTEN took effect
        String ownNotices = PostgresJobStore.wokenNotice(queue.origin(), "");
        while (claiming) {
          PGNotification[] notes = pg.getNotifications(250);
          if (notes == null || notes.length == 0) continue;
          boolean pause = false;
          boolean wake = false;
          for (PGNotification n : notes) {
            String payload = n.getParameter();
            if (payload.startsWith(ownNotices)) continue; // its enqueue woke this worker at commit
            wake = true;
            if (payload.startsWith(PostgresJobStore.CANCEL_NOTICE_PREFIX)) {
              try {
                cancelNotice(Long.parseLong(payload.substring(PostgresJobStore.CANCEL_NOTICE_PREFIX.length())));
              } catch (NumberFormatException ignored) {
                // not ours
              }
            } else if (payload.startsWith(PostgresJobStore.PAUSE_NOTICE_PREFIX)) {
              pause = true;
            }
          }
          if (pause) scheduler.execute(() -> guarded("kind refresh", this::refreshKinds));
          if (wake) wakeFirst();
        }
      } catch (SQLException | RuntimeException e) {
        if (!claiming) return;
        log.warn("worker {}: LISTEN connection failed, polling until it is back: {}", workerId, e.getMessage());
        LockSupport.parkNanos(ERROR_BACKOFF.toNanos());
      } finally {
        listenConnection = null;
      }
    }
  }

  // --- shutdown ---

  private volatile boolean abandoned;
  private volatile boolean closed;

  synchronized void close() {
    if (closed) return;
    closed = true;
    queue.removeLocalWorker(this);
    claiming = false;
    claimers.forEach(LockSupport::unpark);
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
    completing = false;
    for (Thread t : completers) join(t, Duration.ofSeconds(10));
    scheduler.shutdownNow();
    heartbeats.shutdownNow();
    if (listener != null) join(listener, Duration.ofSeconds(2));
  }

  synchronized void abandon() {
    if (closed) return;
    closed = true;
    abandoned = true;
    queue.removeLocalWorker(this);
    claiming = false;
    handling = false;
    completing = false;
    claimers.forEach(LockSupport::unpark);
    scheduler.shutdownNow();
    heartbeats.shutdownNow();
    outcomes.clear();
    buffer.clear();
    completers.forEach(Thread::interrupt);
  }

  private static void join(Thread t, Duration timeout) {
    if (t == null) return;
    try {
      t.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
