package dev.sluice.queue;

import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The statements on the per-kind settings in {@code job_kind} (policy, pause, shadow mode) for
 * {@link PostgresJobStore}, which sends the NOTIFY a pause needs. Thread-safe.
 */
final class PostgresKinds {
  private final DataSource dataSource;
  /** The advisory lock space the kind's enqueues share (the queue's channel). */
  private final String channel;
  private final SqlResource kindConfigure, kindPause, kindShadow, shadowLock, shadowWaiting, kindList;

  PostgresKinds(DataSource dataSource, String schema, String channel) {
    this.dataSource = dataSource;
    this.channel = channel;
    Class<?> o = PostgresKinds.class;
    kindConfigure = SqlResource.load(o, "kind_configure.sql", schema);
    kindPause = SqlResource.load(o, "kind_pause.sql", schema);
    kindShadow = SqlResource.load(o, "kind_shadow.sql", schema);
    shadowLock = SqlResource.load(o, "shadow_lock.sql", schema);
    shadowWaiting = SqlResource.load(o, "shadow_waiting.sql", schema);
    kindList = SqlResource.load(o, "kind_list.sql", schema);
  }

  void configureKind(String kind, KindPolicy policy, Instant now) throws SQLException {
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
      kindConfigure.set(ps, "dedupe_window_ms", policy.dedupeWindow() == null ? null : policy.dedupeWindow().toMillis());
      kindConfigure.set(ps, "keep_finished", policy.keepFinished());
      kindConfigure.set(ps, "now", PostgresJobStore.ts(now));
      ps.executeUpdate();
    }
  }

  void setPaused(String kind, boolean paused, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = kindPause.prepare(c)) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      kindPause.set(ps, "kind", kind);
      kindPause.set(ps, "paused", paused);
      kindPause.set(ps, "now", PostgresJobStore.ts(now));
      ps.executeUpdate();
    }
  }

  int setShadow(String kind, boolean shadow, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = shadowLock.prepare(c)) {
          shadowLock.set(ps, "lock_space", channel);
          shadowLock.set(ps, "kind", kind);
          ps.executeQuery().close();
        }
        try (PreparedStatement ps = kindShadow.prepare(c)) {
          kindShadow.set(ps, "kind", kind);
          kindShadow.set(ps, "shadow", shadow);
          kindShadow.set(ps, "now", PostgresJobStore.ts(now));
          ps.executeUpdate();
        }
        int moved = 0;
        if (shadow) {
          try (PreparedStatement ps = shadowWaiting.prepare(c)) {
            shadowWaiting.set(ps, "kind", kind);
            shadowWaiting.set(ps, "now", PostgresJobStore.ts(now));
            try (ResultSet rs = ps.executeQuery()) {
              moved = rs.next() ? rs.getInt(1) : 0;
            }
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

  List<JobStore.KindSettings> kinds() throws SQLException {
    List<JobStore.KindSettings> kinds = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = kindList.prepare(c); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Long timeout = PostgresJobStore.longOrNull(rs, 6);
        Long base = PostgresJobStore.longOrNull(rs, 7);
        Long max = PostgresJobStore.longOrNull(rs, 8);
        double jitter = rs.getDouble(9);
        boolean jitterNull = rs.wasNull();
        Integer attempts = PostgresJobStore.intOrNull(rs, 10);
        RetryPolicy retry = RetryPolicy.DEFAULT;
        if (base != null && max != null) {
          retry = RetryPolicy.exponential(Duration.ofMillis(base), Duration.ofMillis(max))
              .jitter(jitterNull ? RetryPolicy.DEFAULT.jitter() : jitter)
              .maxAttempts(attempts == null ? RetryPolicy.DEFAULT_MAX_ATTEMPTS : attempts);
        }
        Long dedupe = PostgresJobStore.longOrNull(rs, 11);
        KindPolicy policy = new KindPolicy(retry, PostgresJobStore.intOrNull(rs, 4), PostgresJobStore.intOrNull(rs, 5),
            timeout == null ? null : Duration.ofMillis(timeout), dedupe == null ? null : Duration.ofMillis(dedupe),
            rs.getBoolean(12));
        kinds.add(new JobStore.KindSettings(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), policy));
      }
    }
    return kinds;
  }
}
