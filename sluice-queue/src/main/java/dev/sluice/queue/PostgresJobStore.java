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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** The job store on PostgreSQL, over the caller's {@link DataSource}. Thread-safe. */
final class PostgresJobStore implements JobStore {
  /** How many runnable rows a capped claim looks at to find ones whose key has room. */
  static final int CAPPED_CLAIM_WINDOW = 1000;
  /** Rows per statement in {@link #bulkEnqueue}; bounds the size of one bind message. */
  static final int BULK_CHUNK = 10_000;

  private final DataSource dataSource;
  private final String schema;
  private final String channel;
  private final SqlResource enqueue, bulkEnqueue, notify, claim, lockKind, claimCapped, completeOk, completeOther,
      heartbeat, progress, rescueStale, cleanFinished, find, list, retryJob, cancelJob, retryDead, cancelDead,
      statsCounts, statsOldestReady, kindConfigure, kindPause, kindShadow, shadowWaiting, kindList;

  PostgresJobStore(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.schema = SqlResource.checkSchema(schema);
    this.channel = notifyChannel(schema);
    Class<?> o = PostgresJobStore.class;
    enqueue = SqlResource.load(o, "enqueue.sql", schema);
    bulkEnqueue = SqlResource.load(o, "bulk_enqueue.sql", schema);
    notify = SqlResource.load(o, "notify.sql", schema);
    claim = SqlResource.load(o, "claim.sql", schema);
    lockKind = SqlResource.load(o, "lock_kind.sql", schema);
    claimCapped = SqlResource.load(o, "claim_capped.sql", schema);
    completeOk = SqlResource.load(o, "complete_ok.sql", schema);
    completeOther = SqlResource.load(o, "complete_other.sql", schema);
    heartbeat = SqlResource.load(o, "heartbeat.sql", schema);
    progress = SqlResource.load(o, "progress.sql", schema);
    rescueStale = SqlResource.load(o, "rescue_stale.sql", schema);
    cleanFinished = SqlResource.load(o, "clean_finished.sql", schema);
    find = SqlResource.load(o, "find.sql", schema);
    list = SqlResource.load(o, "list.sql", schema);
    retryJob = SqlResource.load(o, "retry_job.sql", schema);
    cancelJob = SqlResource.load(o, "cancel_job.sql", schema);
    retryDead = SqlResource.load(o, "retry_dead.sql", schema);
    cancelDead = SqlResource.load(o, "cancel_dead.sql", schema);
    statsCounts = SqlResource.load(o, "stats_counts.sql", schema);
    statsOldestReady = SqlResource.load(o, "stats_oldest_ready.sql", schema);
    kindConfigure = SqlResource.load(o, "kind_configure.sql", schema);
    kindPause = SqlResource.load(o, "kind_pause.sql", schema);
    kindShadow = SqlResource.load(o, "kind_shadow.sql", schema);
    shadowWaiting = SqlResource.load(o, "shadow_waiting.sql", schema);
    kindList = SqlResource.load(o, "kind_list.sql", schema);
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

  private static Integer intOrNull(ResultSet rs, int col) throws SQLException {
    int v = rs.getInt(col);
    return rs.wasNull() ? null : v;
  }

  private static Long longOrNull(ResultSet rs, int col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }

  // --- enqueue ---

  @Override
  public EnqueueResult enqueue(Connection c, NewJob job, Instant now) throws SQLException {
    return enqueue(c, job, now, true);
  }

  /** Enqueues; {@code notify} false leaves the wake-up to the caller (see {@link NotifyDebouncer}). */
  EnqueueResult enqueue(Connection c, NewJob job, Instant now, boolean notify) throws SQLException {
    Instant runAt = job.runAt() == null ? now : job.runAt();
    // A concurrent insert of the same dedupe key that commits while we wait on the unique index
    // is invisible to this statement's snapshot: we neither insert nor see it. A new statement
    // (new snapshot under READ COMMITTED) sees it.
    for (int round = 0; round < 5; round++) {
      try (PreparedStatement ps = enqueue.prepare(c)) {
        enqueue.set(ps, "kind", job.kind());
        enqueue.set(ps, "payload", job.payload());
        enqueue.set(ps, "priority", job.priority());
        enqueue.set(ps, "run_at", ts(runAt));
        enqueue.set(ps, "max_attempts", job.maxAttempts());
        enqueue.set(ps, "default_max_attempts", RetryPolicy.DEFAULT_MAX_ATTEMPTS);
        enqueue.set(ps, "dedupe_key", job.dedupeKey());
        enqueue.set(ps, "concurrency_key", job.concurrencyKey());
        enqueue.set(ps, "timeout_ms", job.timeout() == null ? null : job.timeout().toMillis());
        enqueue.set(ps, "now", ts(now));
        enqueue.set(ps, "channel", channel);
        enqueue.set(ps, "notify", notify);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) return new EnqueueResult(rs.getLong(1), rs.getBoolean(2));
        }
      }
    }
    throw new SQLException("dedupe key '" + job.dedupeKey() + "' conflicts with a job this transaction cannot see "
        + "(enqueue under READ COMMITTED to get the existing id)");
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
        bulkEnqueue.set(ps, "now", ts(now));
        try (ResultSet rs = ps.executeQuery()) {
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

  // --- claim ---

  @Override
  public List<Job> claim(List<String> kinds, int limit, String workerId, Instant now) throws SQLException {
    // One autocommit statement, one round trip: claim.sql turns off the commit's WAL flush itself.
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = claim.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      claim.set(ps, "now", ts(now));
      claim.set(ps, "kinds", c.createArrayOf("text", kinds.toArray()));
      claim.set(ps, "limit", limit);
      claim.set(ps, "worker", workerId);
      return readClaimed(ps, limit);
    }
  }

  @Override
  public List<Job> claimCapped(String kind, int limit, String workerId, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Integer maxRunning;
        Integer maxPerKey;
        try (PreparedStatement ps = lockKind.prepare(c)) {
          lockKind.set(ps, "kind", kind);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getBoolean(1) || rs.getBoolean(2)) {
              c.rollback();
              return List.of();
            }
            maxRunning = intOrNull(rs, 3);
            maxPerKey = intOrNull(rs, 4);
          }
        }
        List<Job> claimed;
        try (PreparedStatement ps = claimCapped.prepare(c)) {
          claimCapped.set(ps, "kind", kind);
          claimCapped.set(ps, "now", ts(now));
          claimCapped.set(ps, "window", CAPPED_CLAIM_WINDOW);
          claimCapped.set(ps, "max_per_key", maxPerKey == null ? Integer.MAX_VALUE : maxPerKey);
          claimCapped.set(ps, "max_running", maxRunning == null ? Integer.MAX_VALUE : maxRunning);
          claimCapped.set(ps, "limit", limit);
          claimCapped.set(ps, "worker", workerId);
          claimed = readClaimed(ps, limit);
        }
        c.commit();
        return claimed;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private static List<Job> readClaimed(PreparedStatement ps, int limit) throws SQLException {
    List<Job> jobs = new ArrayList<>(Math.min(limit, 1024));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Long timeout = longOrNull(rs, 10);
        jobs.add(new Job(rs.getLong(1), rs.getString(2), rs.getString(3), JobState.RUNNING, rs.getInt(4),
            instant(rs, 5), rs.getInt(6), rs.getInt(7), rs.getString(8), rs.getString(9), null, null, null,
            null, null, timeout == null ? null : Duration.ofMillis(timeout), instant(rs, 11), null, null));
      }
    }
    return jobs;
  }

  // --- completion, heartbeat, progress ---

  @Override
  public int complete(List<Completion> outcomes, String workerId, Instant now) throws SQLException {
    List<Completion> ok = new ArrayList<>(outcomes.size());
    List<Completion> other = new ArrayList<>();
    for (Completion o : outcomes) {
      if (o.state() == JobState.COMPLETED) ok.add(o);
      else other.add(o);
    }
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      // Autocommit, one round trip per statement; the statements turn off their commit's WAL flush.
      return completeIn(c, ok, other, workerId, now);
    }
  }

  private int completeIn(Connection c, List<Completion> ok, List<Completion> other, String workerId, Instant now)
      throws SQLException {
    int changed = 0;
    if (!ok.isEmpty()) {
      Long[] ids = new Long[ok.size()];
      Integer[] attempts = new Integer[ok.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = ok.get(i).id();
        attempts[i] = ok.get(i).attempt();
      }
      try (PreparedStatement ps = completeOk.prepare(c)) {
        completeOk.set(ps, "ids", c.createArrayOf("int8", ids));
        completeOk.set(ps, "attempts", c.createArrayOf("int4", attempts));
        completeOk.set(ps, "now", ts(now));
        completeOk.set(ps, "worker", workerId);
        changed += ps.executeUpdate();
      }
    }
    if (!other.isEmpty()) {
      int n = other.size();
      Long[] ids = new Long[n], runAt = new Long[n];
      Integer[] attempts = new Integer[n];
      String[] states = new String[n], errors = new String[n], stacks = new String[n];
      for (int i = 0; i < n; i++) {
        Completion o = other.get(i);
        if (!JobState.RUNNING.canMoveTo(o.state())) throw new IllegalArgumentException("running job cannot become " + o.state());
        ids[i] = o.id();
        attempts[i] = o.attempt();
        states[i] = o.state().dbValue();
        runAt[i] = o.runAt() == null ? now.toEpochMilli() : o.runAt().toEpochMilli();
        errors[i] = o.error();
        stacks[i] = o.stack();
      }
      try (PreparedStatement ps = completeOther.prepare(c)) {
        completeOther.set(ps, "ids", c.createArrayOf("int8", ids));
        completeOther.set(ps, "attempts", c.createArrayOf("int4", attempts));
        completeOther.set(ps, "states", c.createArrayOf("text", states));
        completeOther.set(ps, "run_at_ms", c.createArrayOf("int8", runAt));
        completeOther.set(ps, "errors", c.createArrayOf("text", errors));
        completeOther.set(ps, "stacks", c.createArrayOf("text", stacks));
        completeOther.set(ps, "now", ts(now));
        completeOther.set(ps, "worker", workerId);
        changed += ps.executeUpdate();
      }
    }
    return changed;
  }

  @Override
  public int heartbeat(long[] ids, String workerId, Instant now) throws SQLException {
    if (ids.length == 0) return 0;
    Long[] boxed = new Long[ids.length];
    for (int i = 0; i < ids.length; i++) boxed[i] = ids[i];
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = heartbeat.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      heartbeat.set(ps, "ids", c.createArrayOf("int8", boxed));
      heartbeat.set(ps, "now", ts(now));
      heartbeat.set(ps, "worker", workerId);
      return ps.executeUpdate();
    }
  }

  @Override
  public boolean progress(long id, String workerId, String progressJson, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = progress.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      progress.set(ps, "id", id);
      progress.set(ps, "worker", workerId);
      progress.set(ps, "progress", progressJson);
      progress.set(ps, "now", ts(now));
      return ps.executeUpdate() == 1;
    }
  }

  // --- maintenance ---

  @Override
  public List<Long> rescueStale(Duration defaultTimeout, int limit, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = rescueStale.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      rescueStale.set(ps, "now", ts(now));
      rescueStale.set(ps, "default_timeout_ms", defaultTimeout.toMillis());
      rescueStale.set(ps, "limit", limit);
      List<Long> ids = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) ids.add(rs.getLong(1));
      }
      return ids;
    }
  }

  @Override
  public int cleanFinished(Instant finishedBefore, Instant deadBefore, Instant dedupeBefore, int limit) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = cleanFinished.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      cleanFinished.set(ps, "finished_before", ts(finishedBefore));
      cleanFinished.set(ps, "dead_before", ts(deadBefore));
      cleanFinished.set(ps, "dedupe_before", ts(dedupeBefore));
      cleanFinished.set(ps, "limit", limit);
      return ps.executeUpdate();
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
    return updateOne(cancelJob, id, now);
  }

  private int updateDead(SqlResource sql, JobFilter filter, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = sql.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      sql.set(ps, "kind", filter.kind());
      sql.set(ps, "error_contains", filter.errorContains());
      sql.set(ps, "now", ts(now));
      return ps.executeUpdate();
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
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = kindConfigure.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      RetryPolicy r = policy.retry();
      kindConfigure.set(ps, "kind", kind);
      kindConfigure.set(ps, "max_running", policy.maxRunning());
      kindConfigure.set(ps, "max_running_per_key", policy.maxRunningPerKey());
      kindConfigure.set(ps, "timeout_ms", policy.timeout() == null ? null : policy.timeout().toMillis());
      kindConfigure.set(ps, "retry_base_ms", r.base().toMillis());
      kindConfigure.set(ps, "retry_max_ms", r.max().toMillis());
      kindConfigure.set(ps, "retry_jitter", r.jitter());
      kindConfigure.set(ps, "retry_max_attempts", r.maxAttempts());
      kindConfigure.set(ps, "now", ts(now));
      ps.executeUpdate();
    }
  }

  @Override
  public void setPaused(String kind, boolean paused, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = kindPause.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      kindPause.set(ps, "kind", kind);
      kindPause.set(ps, "paused", paused);
      kindPause.set(ps, "now", ts(now));
      ps.executeUpdate();
    }
    if (!paused) notifyReady(kind);
  }

  @Override
  public int setShadow(String kind, boolean shadow, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = kindShadow.prepare(c)) {
          kindShadow.set(ps, "kind", kind);
          kindShadow.set(ps, "shadow", shadow);
          kindShadow.set(ps, "now", ts(now));
          ps.executeUpdate();
        }
        int moved = 0;
        if (shadow) {
          try (PreparedStatement ps = shadowWaiting.prepare(c)) {
            shadowWaiting.set(ps, "kind", kind);
            shadowWaiting.set(ps, "now", ts(now));
            moved = ps.executeUpdate();
          }
        }
        c.commit();
        return moved;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  @Override
  public List<KindSettings> kinds() throws SQLException {
    List<KindSettings> kinds = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = kindList.prepare(c); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Long timeout = longOrNull(rs, 6);
        Long base = longOrNull(rs, 7);
        Long max = longOrNull(rs, 8);
        double jitter = rs.getDouble(9);
        boolean jitterNull = rs.wasNull();
        Integer attempts = intOrNull(rs, 10);
        RetryPolicy retry = RetryPolicy.DEFAULT;
        if (base != null && max != null) {
          retry = RetryPolicy.exponential(Duration.ofMillis(base), Duration.ofMillis(max))
              .jitter(jitterNull ? RetryPolicy.DEFAULT.jitter() : jitter)
              .maxAttempts(attempts == null ? RetryPolicy.DEFAULT_MAX_ATTEMPTS : attempts);
        }
        KindPolicy policy = new KindPolicy(retry, intOrNull(rs, 4), intOrNull(rs, 5),
            timeout == null ? null : Duration.ofMillis(timeout));
        kinds.add(new KindSettings(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), policy));
      }
    }
    return kinds;
  }

}
