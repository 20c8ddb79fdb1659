package dev.sluice.queue;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The completer threads of a {@link WorkerRuntime}: they take the handlers' outcomes from one
 * queue and record them in batches, with the leases the batches release.
 */
final class OutcomeRecorder {
  private static final Logger log = LoggerFactory.getLogger(OutcomeRecorder.class);
  /**
   * Completion transactions one worker keeps in flight at most: while one batch waits for its
   * commit the next one collects outcomes, so batches grow with the load instead of the
   * completer falling behind one small batch at a time.
   */
  static final int COMPLETERS = 2;

  private final PostgresJobStore store;
  private final Clock clock;
  private final String workerId;
  private final HeldLeases held;
  private final int completionBatchSize;
  private final long flushIntervalNanos;
  /** The kinds with a cap, as last read by the worker. */
  private final Supplier<Set<String>> cappedKinds;
  /** Run when a job of a capped kind was recorded: the kind may have room again. */
  private final Runnable cappedRoom;
  private final LinkedBlockingQueue<JobStore.Completion> outcomes = new LinkedBlockingQueue<>();
  private final AtomicLong recorded = new AtomicLong();
  private final List<Thread> completers = new ArrayList<>();
  private volatile boolean completing = true;
  private volatile boolean abandoned;

  OutcomeRecorder(JobQueue queue, String workerId, HeldLeases held, int completionBatchSize, Duration flushInterval,
                  Supplier<Set<String>> cappedKinds, Runnable cappedRoom) {
    this.store = queue.store();
    this.clock = queue.clock();
    this.workerId = workerId;
    this.held = held;
    this.completionBatchSize = completionBatchSize;
    this.flushIntervalNanos = flushInterval.toNanos();
    this.cappedKinds = cappedKinds;
    this.cappedRoom = cappedRoom;
    for (int i = 0; i < COMPLETERS; i++) {
      completers.add(Thread.ofPlatform().daemon().name("sluice-completer-" + i).unstarted(this::completeLoop));
    }
  }

  void start() {
    completers.forEach(Thread::start);
  }

  /** Queues an outcome for the next batch. */
  void add(JobStore.Completion outcome) {
    outcomes.add(outcome);
  }

  /** Outcomes recorded so far. */
  long recordedCount() {
    return recorded.get();
  }

  /** Records what is queued, then stops the completers (waiting up to {@code timeout} for each). */
  void close(Duration timeout) {
    completing = false;
    for (Thread t : completers) WorkerRuntime.join(t, timeout);
  }

  /** Stops at once, dropping what is queued, as if the process died. */
  void abandon() {
    abandoned = true;
    completing = false;
    outcomes.clear();
    completers.forEach(Thread::interrupt);
  }

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
      if (!flush(batch)) LockSupport.parkNanos(WorkerRuntime.ERROR_BACKOFF.toNanos());
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
              JobRun.errorText(new PermanentJobFailure(reason)), o.error())), List.of(), workerId, clock.instant());
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
    Set<String> capped = cappedKinds.get();
    for (JobStore.Completion c : done) {
      held.recorded(c.lease());
      if (capped.contains(c.kind())) cappedDone = true;
    }
    recorded.addAndGet(done.size());
    if (cappedDone) cappedRoom.run();
  }
}
