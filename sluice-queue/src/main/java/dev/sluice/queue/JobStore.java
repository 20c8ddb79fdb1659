package dev.sluice.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * JobStore is every read and write the queue does on its tables, with plain verbs. One
 * implementation ({@link PostgresJobStore}); the contract tests in {@code JobStoreContract} pin the
 * behaviour any implementation must have. Thread-safe; each call uses its own connection unless
 * one is passed in.
 */
interface JobStore {
  EnqueueResult enqueue(Connection c, NewJob job, Instant now) throws SQLException;

  long bulkEnqueue(Connection c, List<NewJob> jobs, Instant now) throws SQLException;

  /**
   * Claims up to {@code limit} runnable jobs of the uncapped {@code kinds} for {@code workerId},
   * under one new lease, at most {@code ceil(limit / kinds)} per kind.
   */
  Claim claim(List<String> kinds, int limit, String workerId, Instant now) throws SQLException;

  /** Claims jobs of one capped kind within its caps (the kind row is locked meanwhile), under one new lease. */
  Claim claimCapped(String kind, int limit, String workerId, Instant now) throws SQLException;

  /**
   * Records outcomes; an outcome applies only while its job still runs under the outcome's lease.
   * Deletes the {@code released} leases (all their jobs have an outcome). Returns how many jobs changed.
   */
  int complete(List<Completion> outcomes, Collection<UUID> released, String workerId, Instant now) throws SQLException;

  /** Heartbeats {@code workerId}'s leases; answers the jobs still running under them. */
  List<Beat> heartbeat(Collection<UUID> leases, String workerId, Instant now) throws SQLException;

  boolean progress(long id, UUID lease, String progressJson, Instant now) throws SQLException;

  /**
   * Moves running jobs whose lease heartbeat is older than {@code rescueAfter} (at least 3 heartbeat
   * intervals of the lease's worker) back to retryable (or dead); returns their ids. Job and kind
   * timeouts do not change it: they limit a run, the watchdog enforces them.
   */
  List<Long> rescueStale(Duration rescueAfter, int limit, Instant now) throws SQLException;

  /** Deletes leases without a running job whose heartbeat is older than {@code before}. */
  int rescueLeases(Instant before) throws SQLException;

  /**
   * Retention, one batch: completed and shadowed jobs finished before {@code finishedBefore} (whole
   * day partitions, then rows of the default partition), cancelled ones likewise, dead ones finished
   * before {@code deadBefore}. Returns rows deleted (a dropped partition counts one).
   */
  int cleanFinished(Instant finishedBefore, Instant deadBefore, int limit) throws SQLException;

  /** Deletes a batch of expired dedupe keys. */
  int cleanDedupe(Instant now, int limit) throws SQLException;

  /** Makes the day partitions of finished jobs for the days from {@code from} on ({@code days} of them). */
  void ensureFinishedDays(java.time.LocalDate from, int days) throws SQLException;

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

  /** The jobs one claim took, all under {@code lease}. */
  record Claim(UUID lease, List<Job> jobs) {
    static Claim none() {
      return new Claim(null, List.of());
    }
  }

  /** One job still running under a heartbeated lease. */
  record Beat(long id, UUID lease, boolean cancelRequested) {
  }

  /** The outcome of one run, as the completer flushes it; applies only under {@code lease}. */
  record Completion(long id, UUID lease, String kind, JobState state, Instant runAt, String error, String stack) {
    static Completion ok(Job job, UUID lease) {
      return new Completion(job.id(), lease, job.kind(), JobState.COMPLETED, null, null, null);
    }

    static Completion of(Job job, UUID lease, JobState state, Instant runAt, String error, String stack) {
      return new Completion(job.id(), lease, job.kind(), state, runAt, error, stack);
    }
  }

  /** A row of {@code job_kind}. */
  record KindSettings(String kind, boolean paused, boolean shadow, KindPolicy policy) {
  }
}
