package dev.sluice.queue;

import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The job store on PostgreSQL, over the caller's {@link DataSource}: enqueue, NOTIFY, retention,
 * reads and admin here; a job's run in {@link PostgresClaims}, per-kind settings in
 * {@link PostgresKinds}. Thread-safe.
 */
final class PostgresJobStore implements JobStore {
  /** Rows per statement in {@link #bulkEnqueue}; bounds the size of one bind message. */
  static final int BULK_CHUNK = 10_000;

  /** NOTIFY payload prefix of a cancel request, followed by the job id. */
  static final String CANCEL_NOTICE_PREFIX = "cancel:";
  /** NOTIFY payload prefix of a pause, followed by the kind. */
  static final String PAUSE_NOTICE_PREFIX = "pause:";
  /**
   * NOTIFY payload prefix of an enqueue whose {@link JobQueue} already woke its own workers
   * in-process, followed by that queue's origin id, ':' and the kind (see {@link #wokenNotice}).
   */
  static final String WOKEN_NOTICE_PREFIX = "woken:";

  private final DataSource dataSource;
  private final String schema;
  private final String channel;
  private final PostgresClaims claims;
  private final PostgresKinds kinds;
  private final long dedupeWindowMs;
  private final SqlResource enqueue, enqueueDedupe, bulkEnqueue, notify, cleanDead, cleanFinishedDefault,
      cleanFinishedPartitions, ensureFinishedDay, cleanDedupe, find, list, retryJob, cancelJob, retryDead, cancelDead,
      statsCounts, statsOldestReady;

  PostgresJobStore(DataSource dataSource, String schema) {
    this(dataSource, schema, KindPolicy.DEDUPE_WINDOW_DEFAULT);
  }

  /** {@code dedupeWindow}: how long a dedupe key stays taken for kinds whose policy sets none. */
  PostgresJobStore(DataSource dataSource, String schema, Duration dedupeWindow) {
    this.dataSource = dataSource;
    this.dedupeWindowMs = dedupeWindow.toMillis();
    this.schema = SqlResource.checkSchema(schema);
    this.channel = notifyChannel(schema);
    this.claims = new PostgresClaims(dataSource, schema);
    this.kinds = new PostgresKinds(dataSource, schema, channel);
    Class<?> o = PostgresJobStore.class;
    enqueue = SqlResource.load(o, "enqueue.sql", schema);
    enqueueDedupe = SqlResource.load(o, "enqueue_dedupe.sql", schema);
    bulkEnqueue = SqlResource.load(o, "bulk_enqueue.sql", schema);
    notify = SqlResource.load(o, "notify.sql", schema);
    cleanDead = SqlResource.load(o, "clean_dead.sql", schema);
    cleanFinishedDefault = SqlResource.load(o, "clean_finished_default.sql", schema);
    cleanFinishedPartitions = SqlResource.load(o, "clean_finished_partitions.sql", schema);
    ensureFinishedDay = SqlResource.load(o, "ensure_finished_day.sql", schema);
    cleanDedupe = SqlResource.load(o, "clean_dedupe.sql", schema);
    find = SqlResource.load(o, "find.sql", schema);
    list = SqlResource.load(o, "list.sql", schema);
    retryJob = SqlResource.load(o, "retry_job.sql", schema);
    cancelJob = SqlResource.load(o, "cancel_job.sql", schema);
    retryDead = SqlResource.load(o, "retry_dead.sql", schema);
    cancelDead = SqlResource.load(o, "cancel_dead.sql", schema);
    statsCounts = SqlResource.load(o, "stats_counts.sql", schema);
    statsOldestReady = SqlResource.load(o, "stats_oldest_ready.sql", schema);
  }

  /**
   * The NOTIFY payload of an enqueue made by the {@link JobQueue} with this {@code origin}, which
   * wakes its own workers at commit: their listeners skip it; every other listener wakes as for
   * any other payload.
   */
  static String wokenNotice(String origin, String kind) {
    return WOKEN_NOTICE_PREFIX + origin + ":" + kind;
  }

  /** The LISTEN/NOTIFY channel of a schema's queue (an identifier derived from the checked schema name). */
  static String notifyChannel(String schema) {
    return "sluice_jobs_" + SqlResource.checkSchema(schema);
  }

  String channel() {
    return channel;
  }

  String schema() {
    return schema;
  }

  DataSource dataSource() {
    return dataSource;
  }

  static OffsetDateTime ts(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, int col) throws SQLException {
    OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static Integer intOrNull(ResultSet rs, int col) throws SQLException {
    int v = rs.getInt(col);
    return rs.wasNull() ? null : v;
  }

  static Long longOrNull(ResultSet rs, int col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }

  // --- enqueue ---

  @Override
  public EnqueueResult enqueue(Connection c, NewJob job, Instant now) throws SQLException {
    return enqueue(c, job, now, true, job.kind());
  }

  /**
   * Enqueues; {@code notify} false leaves the wake-up to the caller (see {@link NotifyDebouncer}),
   * {@code notice} is the NOTIFY payload (the kind, or a {@link #wokenNotice}).
   */
  EnqueueResult enqueue(Connection c, NewJob job, Instant now, boolean notify, String notice) throws SQLException {
    Instant runAt = job.runAt() == null ? now : job.runAt();
    SqlResource sql = job.dedupeKey() == null ? enqueue : enqueueDedupe;
    // A concurrent insert of the same dedupe key that commits while we wait on the unique index
    // is invisible to this statement's snapshot: we neither insert nor see it. A new statement
    // (new snapshot under READ COMMITTED) sees it.
    for (int round = 0; round < 5; round++) {
      try (PreparedStatement ps = sql.prepare(c)) {
        sql.set(ps, "lock_space", channel);
        sql.set(ps, "kind", job.kind());
        sql.set(ps, "payload", job.payload());
        sql.set(ps, "priority", job.priority());
        sql.set(ps, "run_at", ts(runAt));
        sql.set(ps, "max_attempts", job.maxAttempts());
        sql.set(ps, "default_max_attempts", RetryPolicy.DEFAULT_MAX_ATTEMPTS);
        sql.set(ps, "concurrency_key", job.concurrencyKey());
        sql.set(ps, "timeout_ms", job.timeout() == null ? null : job.timeout().toMillis());
        sql.set(ps, "now", ts(now));
        sql.set(ps, "channel", channel);
        sql.set(ps, "notify", notify);
        sql.set(ps, "notice", notice);
        if (job.dedupeKey() != null) {
          sql.set(ps, "dedupe_key", job.dedupeKey());
          sql.set(ps, "default_dedupe_window_ms", dedupeWindowMs);
        }
        try (ResultSet rs = lastResult(ps)) {
          if (rs != null && rs.next()) return new EnqueueResult(rs.getLong(1), rs.getBoolean(2));
        }
      }
    }
    throw new SQLException("dedupe key '" + job.dedupeKey() + "' conflicts with a job this transaction cannot see "
        + "(enqueue under READ COMMITTED to get the existing id)");
  }

  /**
   * Runs a two-statement resource (the kind's shared lock, then the write) in one round trip: the
   * driver sends both before one Sync, so without a transaction of the caller's they still form one.
   */
  private static ResultSet lastResult(PreparedStatement ps) throws SQLException {
    boolean isResult = ps.execute();
    ResultSet last = null;
    while (true) {
      if (isResult) {
        if (last != null) last.close();
        last = ps.getResultSet();
      } else if (ps.getUpdateCount() == -1) {
        return last;
      }
      isResult = ps.getMoreResults(java.sql.Statement.KEEP_CURRENT_RESULT);
    }
  }

  @Override
  public long bulkEnqueue(Connection c, List<NewJob> jobs, Instant now) throws SQLException {
    long inserted = 0;
    for (int from = 0; from < jobs.size(); from += BULK_CHUNK) {
      List<NewJob> chunk = jobs.subList(from, Math.min(jobs.size(), from + BULK_CHUNK));
      int n = chunk.size();
      String[] kinds = new String[n], payloads = new String[n], dedupe = new String[n], keys = new String[n];
      Integer[] priorities = new Integer[n], maxAttempts = new Integer[n];
      Long[] runAt = new Long[n], timeouts = new Long[n];
      long nowMs = now.toEpochMilli();
      for (int i = 0; i < n; i++) {
        NewJob j = chunk.get(i);
        kinds[i] = j.kind();
        payloads[i] = j.payload();
        priorities[i] = j.priority();
        runAt[i] = j.runAt() == null ? nowMs : j.runAt().toEpochMilli();
        maxAttempts[i] = j.maxAttempts();
        dedupe[i] = j.dedupeKey();
        keys[i] = j.concurrencyKey();
        timeouts[i] = j.timeout() == null ? null : j.timeout().toMillis();
      }
      try (PreparedStatement ps = bulkEnqueue.prepare(c)) {
        bulkEnqueue.set(ps, "kinds", c.createArrayOf("text", kinds));
        bulkEnqueue.set(ps, "payloads", c.createArrayOf("text", payloads));
        bulkEnqueue.set(ps, "priorities", c.createArrayOf("int4", priorities));
        bulkEnqueue.set(ps, "run_at_ms", c.createArrayOf("int8", runAt));
        bulkEnqueue.set(ps, "max_attempts", c.createArrayOf("int4", maxAttempts));
        bulkEnqueue.set(ps, "dedupe_keys", c.createArrayOf("text", dedupe));
        bulkEnqueue.set(ps, "concurrency_keys", c.createArrayOf("text", keys));
        bulkEnqueue.set(ps, "timeouts_ms", c.createArrayOf("int8", timeouts));
        bulkEnqueue.set(ps, "default_max_attempts", RetryPolicy.DEFAULT_MAX_ATTEMPTS);
        bulkEnqueue.set(ps, "default_dedupe_window_ms", dedupeWindowMs);
        bulkEnqueue.set(ps, "lock_space", channel);
        bulkEnqueue.set(ps, "now", ts(now));
        try (ResultSet rs = lastResult(ps)) {
          rs.next();
          inserted += rs.getLong(1);
        }
      }
    }
    if (inserted > 0) {
      try (PreparedStatement ps = notify.prepare(c)) {
        notify.set(ps, "channel", channel);
        notify.set(ps, "payload", "bulk");
        ps.execute();
      }
    }
    return inserted;
  }

  @Override
  public void notifyReady(String kind) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = notify.prepare(c)) {
      notify.set(ps, "channel", channel);
      notify.set(ps, "payload", kind);
      ps.execute();
    }
  }

  // --- claim, outcomes, heartbeat, progress, rescue: see PostgresClaims ---

  @Override
  public Claim claim(List<String> kinds, int limit, String workerId, Instant now) throws SQLException {
    return claims.claim(kinds, limit, workerId, null, now);
  }

  /**
   * As {@link #claim(List, int, String, Instant)}, recording on the lease the claiming worker's
   * {@code heartbeatInterval}: the rescuer never finds the lease stale before 3 intervals.
   */
  Claim claim(List<String> kinds, int limit, String workerId, Duration heartbeatInterval, Instant now) throws SQLException {
    return claims.claim(kinds, limit, workerId, heartbeatInterval, now);
  }

  @Override
  public Claim claimCapped(String kind, int limit, String workerId, Instant now) throws SQLException {
    return claims.claimCapped(kind, limit, workerId, null, now);
  }

  /** As {@link #claimCapped(String, int, String, Instant)}, recording the worker's heartbeat interval on the lease. */
  Claim claimCapped(String kind, int limit, String workerId, Duration heartbeatInterval, Instant now) throws SQLException {
    return claims.claimCapped(kind, limit, workerId, heartbeatInterval, now);
  }

  @Override
  public int complete(List<Completion> outcomes, Collection<UUID> released, String workerId, Instant now) throws SQLException {
    return claims.complete(outcomes, released, workerId, now);
  }

  @Override
  public List<Beat> heartbeat(Collection<UUID> leases, String workerId, Instant now) throws SQLException {
    return claims.heartbeat(leases, workerId, now);
  }

  @Override
  public boolean progress(long id, UUID lease, String progressJson, Instant now) throws SQLException {
    return claims.progress(id, lease, progressJson, now);
  }

  @Override
  public List<Long> rescueStale(Duration rescueAfter, int limit, Instant now) throws SQLException {
    return claims.rescueStale(rescueAfter, limit, now);
  }

  @Override
  public int rescueLeases(Instant before) throws SQLException {
    return claims.rescueLeases(before);
  }

  // --- retention ---

  @Override
  public int cleanFinished(Instant finishedBefore, Instant deadBefore, int limit) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      int n;
      try (PreparedStatement ps = cleanFinishedPartitions.prepare(c)) {
        cleanFinishedPartitions.set(ps, "before", ts(finishedBefore));
        try (ResultSet rs = ps.executeQuery()) {
          n = rs.next() ? rs.getInt(1) : 0;
        }
      }
      try (PreparedStatement ps = cleanFinishedDefault.prepare(c)) {
        cleanFinishedDefault.set(ps, "finished_before", ts(finishedBefore));
        cleanFinishedDefault.set(ps, "limit", limit);
        n += ps.executeUpdate();
      }
      try (PreparedStatement ps = cleanDead.prepare(c)) {
        cleanDead.set(ps, "cancelled_before", ts(finishedBefore));
        cleanDead.set(ps, "dead_before", ts(deadBefore));
        cleanDead.set(ps, "limit", limit);
        n += ps.executeUpdate();
      }
      return n;
    }
  }

  @Override
  public int cleanDedupe(Instant now, int limit) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = cleanDedupe.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      cleanDedupe.set(ps, "now", ts(now));
      cleanDedupe.set(ps, "limit", limit);
      return ps.executeUpdate();
    }
  }

  @Override
  public void ensureFinishedDays(java.time.LocalDate from, int days) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = ensureFinishedDay.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      for (int i = 0; i < days; i++) {
        ensureFinishedDay.set(ps, "day", from.plusDays(i).toString());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
        }
      }
    }
  }

  // --- reads and admin ---

  private static Job readJob(ResultSet rs) throws SQLException {
    Long timeout = longOrNull(rs, 16);
    return new Job(rs.getLong(1), rs.getString(2), rs.getString(3), JobState.fromDb(rs.getString(4)), rs.getInt(5),
        instant(rs, 6), rs.getInt(7), rs.getInt(8), rs.getString(9), rs.getString(10), rs.getString(11),
        rs.getString(12), rs.getString(13), rs.getString(14), instant(rs, 15),
        timeout == null ? null : Duration.ofMillis(timeout), instant(rs, 17), instant(rs, 18), instant(rs, 19));
  }

  @Override
  public Optional<Job> find(long id) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = find.prepare(c)) {
      find.set(ps, "id", id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(readJob(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public List<Job> list(JobState state, JobFilter filter, int limit) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = list.prepare(c)) {
      list.set(ps, "state", state == null ? null : state.dbValue());
      list.set(ps, "kind", filter.kind());
      list.set(ps, "error_contains", filter.errorContains());
      list.set(ps, "limit", limit);
      List<Job> jobs = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) jobs.add(readJob(rs));
      }
      return jobs;
    }
  }

  private boolean updateOne(SqlResource sql, long id, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = sql.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      sql.set(ps, "id", id);
      sql.set(ps, "now", ts(now));
      if (sql == retryJob) sql.set(ps, "default_dedupe_window_ms", dedupeWindowMs);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  public boolean retry(long id, Instant now) throws SQLException {
    boolean moved = updateOne(retryJob, id, now);
    if (moved) notifyReady("retry");
    return moved;
  }

  @Override
  public boolean cancel(long id, Instant now) throws SQLException {
    boolean moved = updateOne(cancelJob, id, now);
    // a running job's worker learns of the cancel at once (or at its next heartbeat without NOTIFY)
    if (moved) notifyReady(CANCEL_NOTICE_PREFIX + id);
    return moved;
  }

  private int updateDead(SqlResource sql, JobFilter filter, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = sql.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      sql.set(ps, "kind", filter.kind());
      sql.set(ps, "error_contains", filter.errorContains());
      sql.set(ps, "now", ts(now));
      if (sql == retryDead) sql.set(ps, "default_dedupe_window_ms", dedupeWindowMs);
      if (!ps.execute()) return ps.getUpdateCount();
      try (ResultSet rs = ps.getResultSet()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  @Override
  public int retryDead(JobFilter filter, Instant now) throws SQLException {
    int n = updateDead(retryDead, filter, now);
    if (n > 0) notifyReady("retry");
    return n;
  }

  @Override
  public int cancelDead(JobFilter filter, Instant now) throws SQLException {
    return updateDead(cancelDead, filter, now);
  }

  @Override
  public QueueStats stats(Instant now) throws SQLException {
    Map<String, Map<JobState, Long>> counts = new HashMap<>();
    Duration oldest = null;
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps = statsCounts.prepare(c); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.computeIfAbsent(rs.getString(1), k -> new EnumMap<>(JobState.class))
              .put(JobState.fromDb(rs.getString(2)), rs.getLong(3));
        }
      }
      try (PreparedStatement ps = statsOldestReady.prepare(c)) {
        statsOldestReady.set(ps, "now", ts(now));
        try (ResultSet rs = ps.executeQuery()) {
          Instant min = rs.next() ? instant(rs, 1) : null;
          if (min != null) oldest = Duration.between(min, now);
        }
      }
    }
    Map<String, Map<JobState, Long>> frozen = new HashMap<>();
    counts.forEach((k, v) -> frozen.put(k, Map.copyOf(v)));
    return new QueueStats(Map.copyOf(frozen), oldest);
  }

  @Override
  public void configureKind(String kind, KindPolicy policy, Instant now) throws SQLException {
    kinds.configureKind(kind, policy, now);
  }

  @Override
  public void setPaused(String kind, boolean paused, Instant now) throws SQLException {
    kinds.setPaused(kind, paused, now);
    notifyReady(paused ? PAUSE_NOTICE_PREFIX + kind : kind);
  }

  @Override
  public int setShadow(String kind, boolean shadow, Instant now) throws SQLException {
    return kinds.setShadow(kind, shadow, now);
  }

  @Override
  public List<KindSettings> kinds() throws SQLException {
    return kinds.kinds();
  }
}
