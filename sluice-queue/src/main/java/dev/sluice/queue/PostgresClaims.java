package dev.sluice.queue;

import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The statements of a job's run on PostgreSQL: claims under a new lease, outcomes, heartbeats,
 * progress and rescue, for {@link PostgresJobStore}. Every write after the claim names the lease.
 * Thread-safe.
 */
final class PostgresClaims {
  /** Distinct concurrency keys a per-key capped claim looks at, from where the last one stopped. */
  static final int KEY_WINDOW = 1000;
  /** The order claims read jobs in (the claim index's: priority, run_at, id). */
  static final Comparator<Job> CLAIM_ORDER =
      Comparator.comparingInt(Job::priority).thenComparing(Job::runAt).thenComparingLong(Job::id);

  private final DataSource dataSource;
  private final SqlResource claim, lockKind, claimCapped, claimCappedKeys, completeOk, completeOther, heartbeat, progress,
      rescueStale, rescueLeases;
  /** Per capped kind, the concurrency key after which its next claim starts (round robin over keys). */
  private final Map<String, String> keyCursor = new ConcurrentHashMap<>();

  PostgresClaims(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    Class<?> o = PostgresClaims.class;
    claim = SqlResource.load(o, "claim.sql", schema);
    lockKind = SqlResource.load(o, "lock_kind.sql", schema);
    claimCapped = SqlResource.load(o, "claim_capped.sql", schema);
    claimCappedKeys = SqlResource.load(o, "claim_capped_keys.sql", schema);
    completeOk = SqlResource.load(o, "complete_ok.sql", schema);
    completeOther = SqlResource.load(o, "complete_other.sql", schema);
    heartbeat = SqlResource.load(o, "heartbeat.sql", schema);
    progress = SqlResource.load(o, "progress.sql", schema);
    rescueStale = SqlResource.load(o, "rescue_stale.sql", schema);
    rescueLeases = SqlResource.load(o, "rescue_leases.sql", schema);
  }

  JobStore.Claim claim(List<String> kinds, int limit, String workerId, Duration heartbeatInterval, Instant now) throws SQLException {
    if (kinds.isEmpty() || limit < 1) return JobStore.Claim.none();
    UUID lease = UUID.randomUUID();
    // One autocommit statement, one round trip: claim.sql turns off the commit's WAL flush itself.
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = claim.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      claim.set(ps, "now", PostgresJobStore.ts(now));
      claim.set(ps, "kinds", c.createArrayOf("text", kinds.toArray()));
      claim.set(ps, "per_kind", (limit + kinds.size() - 1) / kinds.size());
      claim.set(ps, "limit", limit);
      claim.set(ps, "lease", lease);
      claim.set(ps, "worker", workerId);
      claim.set(ps, "heartbeat_interval_ms", heartbeatInterval == null ? null : heartbeatInterval.toMillis());
      List<Job> jobs = readClaimed(ps, limit, null);
      jobs.sort(CLAIM_ORDER); // the UPDATE returns its rows in id order; the worker's buffer is FIFO
      return new JobStore.Claim(lease, jobs);
    }
  }

  JobStore.Claim claimCapped(String kind, int limit, String workerId, Duration heartbeatInterval, Instant now) throws SQLException {
    UUID lease = UUID.randomUUID();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Integer maxRunning;
        Integer maxPerKey;
        try (PreparedStatement ps = lockKind.prepare(c)) {
          lockKind.set(ps, "kind", kind);
          lockKind.set(ps, "now", PostgresJobStore.ts(now));
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getBoolean(1) || rs.getBoolean(2)) {
              c.rollback();
              return JobStore.Claim.none();
            }
            maxRunning = PostgresJobStore.intOrNull(rs, 3);
            maxPerKey = PostgresJobStore.intOrNull(rs, 4);
          }
        }
        List<Job> claimed;
        SqlResource sql = maxPerKey == null ? claimCapped : claimCappedKeys;
        try (PreparedStatement ps = sql.prepare(c)) {
          sql.set(ps, "kind", kind);
          sql.set(ps, "now", PostgresJobStore.ts(now));
          sql.set(ps, "max_running", maxRunning == null ? Integer.MAX_VALUE : maxRunning);
          sql.set(ps, "limit", limit);
          sql.set(ps, "lease", lease);
          sql.set(ps, "worker", workerId);
          sql.set(ps, "heartbeat_interval_ms", heartbeatInterval == null ? null : heartbeatInterval.toMillis());
          String[] next = null;
          if (maxPerKey != null) {
            sql.set(ps, "max_per_key", maxPerKey);
            sql.set(ps, "key_window", KEY_WINDOW);
            sql.set(ps, "after_key", keyCursor.get(kind));
            next = new String[1];
          }
          claimed = readClaimed(ps, limit, next);
          if (next != null) {
            if (claimed.isEmpty() || next[0] == null) keyCursor.remove(kind);
            else keyCursor.put(kind, next[0]);
          }
        }
        c.commit();
        return new JobStore.Claim(lease, claimed);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /** Reads the claim's rows; {@code nextAfterKey}, when given, receives the per-key cursor column. */
  private static List<Job> readClaimed(PreparedStatement ps, int limit, String[] nextAfterKey) throws SQLException {
    List<Job> jobs = new ArrayList<>(Math.min(limit, 1024));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Long timeout = PostgresJobStore.longOrNull(rs, 9);
        jobs.add(new Job(rs.getLong(1), rs.getString(2), rs.getString(3), JobState.RUNNING, rs.getInt(4),
            instant(rs, 5), rs.getInt(6), rs.getInt(7), null, rs.getString(8), null, null, null,
            null, null, timeout == null ? null : Duration.ofMillis(timeout), instant(rs, 10), null, null));
        if (nextAfterKey != null) nextAfterKey[0] = rs.getString(11);
      }
    }
    return jobs;
  }

  private static Instant instant(ResultSet rs, int col) throws SQLException {
    OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  int complete(List<JobStore.Completion> outcomes, Collection<UUID> released, String workerId, Instant now) throws SQLException {
    List<JobStore.Completion> ok = new ArrayList<>(outcomes.size());
    List<JobStore.Completion> other = new ArrayList<>();
    for (JobStore.Completion o : outcomes) {
      if (o.state() == JobState.COMPLETED) ok.add(o);
      else if (JobState.RUNNING.canMoveTo(o.state())) other.add(o);
      else throw new IllegalArgumentException("running job cannot become " + o.state());
    }
    UUID[] releasedLeases = released.toArray(UUID[]::new);
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      // Autocommit, one round trip per statement; the statements turn off their commit's WAL flush.
      int changed = 0;
      if (!ok.isEmpty() || other.isEmpty()) {
        Long[] ids = new Long[ok.size()];
        UUID[] leases = new UUID[ok.size()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = ok.get(i).id();
          leases[i] = ok.get(i).lease();
        }
        try (PreparedStatement ps = completeOk.prepare(c)) {
          completeOk.set(ps, "ids", c.createArrayOf("int8", ids));
          completeOk.set(ps, "leases", c.createArrayOf("uuid", leases));
          completeOk.set(ps, "released", c.createArrayOf("uuid", other.isEmpty() ? releasedLeases : new UUID[0]));
          completeOk.set(ps, "now", PostgresJobStore.ts(now));
          completeOk.set(ps, "worker", workerId);
          changed += count(ps);
        }
      }
      if (!other.isEmpty()) {
        int n = other.size();
        Long[] ids = new Long[n], runAt = new Long[n];
        UUID[] leases = new UUID[n];
        String[] states = new String[n], errors = new String[n], stacks = new String[n];
        for (int i = 0; i < n; i++) {
          JobStore.Completion o = other.get(i);
          ids[i] = o.id();
          leases[i] = o.lease();
          states[i] = o.state().dbValue();
          runAt[i] = o.runAt() == null ? now.toEpochMilli() : o.runAt().toEpochMilli();
          errors[i] = withoutNul(o.error());
          stacks[i] = withoutNul(o.stack());
        }
        try (PreparedStatement ps = completeOther.prepare(c)) {
          completeOther.set(ps, "ids", c.createArrayOf("int8", ids));
          completeOther.set(ps, "leases", c.createArrayOf("uuid", leases));
          completeOther.set(ps, "states", c.createArrayOf("text", states));
          completeOther.set(ps, "run_at_ms", c.createArrayOf("int8", runAt));
          completeOther.set(ps, "errors", c.createArrayOf("text", errors));
          completeOther.set(ps, "stacks", c.createArrayOf("text", stacks));
          completeOther.set(ps, "released", c.createArrayOf("uuid", releasedLeases));
          completeOther.set(ps, "now", PostgresJobStore.ts(now));
          completeOther.set(ps, "worker", workerId);
          changed += count(ps);
        }
      }
      return changed;
    }
  }

  /** PostgreSQL text cannot hold U+0000: stored as U+FFFD, as {@code JobRun.errorText} does. */
  static String withoutNul(String s) {
    return s == null ? null : JobRun.storable(s);
  }

  private static int count(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  List<JobStore.Beat> heartbeat(Collection<UUID> leases, String workerId, Instant now) throws SQLException {
    if (leases.isEmpty()) return List.of();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = heartbeat.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      heartbeat.set(ps, "leases", c.createArrayOf("uuid", leases.toArray()));
      heartbeat.set(ps, "now", PostgresJobStore.ts(now));
      heartbeat.set(ps, "worker", workerId);
      List<JobStore.Beat> beats = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) beats.add(new JobStore.Beat(rs.getLong(1), rs.getObject(2, UUID.class), rs.getBoolean(3)));
      }
      return beats;
    }
  }

  boolean progress(long id, UUID lease, String progressJson, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = progress.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      progress.set(ps, "id", id);
      progress.set(ps, "lease", lease);
      progress.set(ps, "progress", progressJson);
      return ps.executeUpdate() == 1;
    }
  }

  List<Long> rescueStale(Duration rescueAfter, int limit, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = rescueStale.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      rescueStale.set(ps, "now", PostgresJobStore.ts(now));
      rescueStale.set(ps, "rescue_after_ms", rescueAfter.toMillis());
      rescueStale.set(ps, "limit", limit);
      List<Long> ids = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) ids.add(rs.getLong(1));
      }
      return ids;
    }
  }

  int rescueLeases(Instant before) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = rescueLeases.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      rescueLeases.set(ps, "before", PostgresJobStore.ts(before));
      return ps.executeUpdate();
    }
  }
}
