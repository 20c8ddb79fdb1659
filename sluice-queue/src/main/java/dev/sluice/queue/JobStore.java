package dev.sluice.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * JobStore is every read and write the queue does on its tables, with plain verbs. One
 * implementation ({@link PostgresJobStore}); the contract tests in {@code JobStoreContract} pin the
 * behaviour any implementation must have. Thread-safe; each call uses its own connection unless
 * one is passed in.
 */
interface JobStore {
  EnqueueResult enqueue(Connection c, NewJob job, Instant now) throws SQLException;

  long bulkEnqueue(Connection c, List<NewJob> jobs, Instant now) throws SQLException;

  /** Claims up to {@code limit} runnable jobs of the uncapped {@code kinds} for {@code workerId}. */
  List<Job> claim(List<String> kinds, int limit, String workerId, Instant now) throws SQLException;

  /** Claims jobs of one capped kind within its caps (the kind row is locked meanwhile). */
  List<Job> claimCapped(String kind, int limit, String workerId, Instant now) throws SQLException;

  /** Records outcomes of runs by {@code workerId}; returns how many rows changed. */
  int complete(List<Completion> outcomes, String workerId, Instant now) throws SQLException;

  int heartbeat(long[] ids, String workerId, Instant now) throws SQLException;

  boolean progress(long id, String workerId, String progressJson, Instant now) throws SQLException;

  /** Moves stale running jobs back to retryable (or dead); returns their ids. */
  List<Long> rescueStale(Duration defaultTimeout, int limit, Instant now) throws SQLException;

  int cleanFinished(Instant finishedBefore, Instant deadBefore, Instant dedupeBefore, int limit) throws SQLException;

  Optional<Job> find(long id) throws SQLException;

  List<Job> list(JobState state, JobFilter filter, int limit) throws SQLException;

  boolean retry(long id, Instant now) throws SQLException;

  boolean cancel(long id, Instant now) throws SQLException;

  int retryDead(JobFilter filter, Instant now) throws SQLException;

  int cancelDead(JobFilter filter, Instant now) throws SQLException;

  QueueStats stats(Instant now) throws SQLException;

  void configureKind(String kind, KindPolicy policy, Instant now) throws SQLException;

  void setPaused(String kind, boolean paused, Instant now) throws SQLException;

  /** Sets shadow mode; turning it on also records the kind's waiting jobs as shadowed. */
  int setShadow(String kind, boolean shadow, Instant now) throws SQLException;

  List<KindSettings> kinds() throws SQLException;

  void notifyReady(String kind) throws SQLException;

  /** The outcome of one run, as the completer flushes it. */
  record Completion(long id, String kind, int attempt, JobState state, Instant runAt, String error, String stack) {
    static Completion ok(Job job) {
      return new Completion(job.id(), job.kind(), job.attempt(), JobState.COMPLETED, null, null, null);
    }

    static Completion of(Job job, JobState state, Instant runAt, String error, String stack) {
      return new Completion(job.id(), job.kind(), job.attempt(), state, runAt, error, stack);
    }
  }

  /** A row of {@code job_kind}. */
  record KindSettings(String kind, boolean paused, boolean shadow, KindPolicy policy) {
  }
}
