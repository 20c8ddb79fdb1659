package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.queue.schema.SqlResource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The rules' own state, each statement run in the caller's transaction (the evaluation's, which
 * also holds the decision and the jobs): dedupe keys per rule, enrollment per rule and record,
 * throttle slots and debounce rows per scope and key.
 */
final class RuleState {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Who holds a taken dedupe key. */
  record Holder(long decisionId, Instant takenAt, Instant expiresAt, JsonNode jobs) {}

  /** A debounce offer's answer: the job that will run and when; {@code merged} when it was already waiting. */
  record Debounced(long jobId, Instant runAt, boolean merged) {}

  private final SqlResource nextDecisionId;
  private final SqlResource takeDedupe;
  private final SqlResource dedupeHolder;
  private final SqlResource setDedupeJobs;
  private final SqlResource lockEnrollment;
  private final SqlResource upsertEnrollment;
  private final SqlResource lockThrottle;
  private final SqlResource setThrottle;
  private final SqlResource lockDebounceKey;
  private final SqlResource waitingDebounce;
  private final SqlResource mergeDebounce;
  private final SqlResource insertDebounce;
  private final SqlResource fireDebounce;
  private final SqlResource debounceOfJob;

  RuleState(String schema) {
    nextDecisionId = load("next_decision_id.sql", schema);
    takeDedupe = load("take_dedupe.sql", schema);
    dedupeHolder = load("dedupe_holder.sql", schema);
    setDedupeJobs = load("set_dedupe_jobs.sql", schema);
    lockEnrollment = load("lock_enrollment.sql", schema);
    upsertEnrollment = load("upsert_enrollment.sql", schema);
    lockThrottle = load("lock_throttle.sql", schema);
    setThrottle = load("set_throttle.sql", schema);
    lockDebounceKey = load("lock_debounce_key.sql", schema);
    waitingDebounce = load("waiting_debounce.sql", schema);
    mergeDebounce = load("merge_debounce.sql", schema);
    insertDebounce = load("insert_debounce.sql", schema);
    fireDebounce = load("fire_debounce.sql", schema);
    debounceOfJob = load("debounce_of_job.sql", schema);
  }

  private static SqlResource load(String file, String schema) {
    return SqlResource.load(RuleState.class, file, schema);
  }

  static OffsetDateTime ts(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  long nextDecisionId(Connection c) throws SQLException {
    try (PreparedStatement ps = nextDecisionId.prepare(c); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Takes {@code key} for {@code window}; empty when taken now, else who holds it. */
  Optional<Holder> takeDedupe(Connection c, String rule, String key, long decisionId, Instant now, Duration window) throws SQLException {
    try (PreparedStatement ps = takeDedupe.prepare(c)) {
      takeDedupe.set(ps, "rule", rule);
      takeDedupe.set(ps, "dedupe_key", key);
      takeDedupe.set(ps, "decision_id", decisionId);
      takeDedupe.set(ps, "now", ts(now));
      takeDedupe.set(ps, "expires_at", ts(now.plus(window)));
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) return Optional.empty();
      }
    }
    try (PreparedStatement ps = dedupeHolder.prepare(c)) {
      dedupeHolder.set(ps, "rule", rule);
      dedupeHolder.set(ps, "dedupe_key", key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new SQLException("dedupe key " + key + " of rule " + rule + " is neither free nor held");
        return Optional.of(new Holder(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant(), json(rs.getString(4))));
      }
    }
  }

  void setDedupeJobs(Connection c, String rule, String key, long decisionId, JsonNode jobs) throws SQLException {
    try (PreparedStatement ps = setDedupeJobs.prepare(c)) {
      setDedupeJobs.set(ps, "rule", rule);
      setDedupeJobs.set(ps, "dedupe_key", key);
      setDedupeJobs.set(ps, "decision_id", decisionId);
      setDedupeJobs.set(ps, "jobs", jobs.toString());
      ps.executeUpdate();
    }
  }

  /**
   * Records whether {@code subject} matches {@code rule} now and answers whether it matched at the
   * previous evaluation (false for a record never seen). Locks the row until the transaction ends,
   * so two evaluations of one record see each other's answer.
   */
  boolean enroll(Connection c, String rule, String subject, boolean matching, long decisionId, Instant now) throws SQLException {
    boolean was;
    try (PreparedStatement ps = lockEnrollment.prepare(c)) {
      lockEnrollment.set(ps, "rule", rule);
      lockEnrollment.set(ps, "subject", subject);
      try (ResultSet rs = ps.executeQuery()) {
        was = rs.next() && rs.getBoolean(1);
      }
    }
    if (was != matching) {
      try (PreparedStatement ps = upsertEnrollment.prepare(c)) {
        upsertEnrollment.set(ps, "rule", rule);
        upsertEnrollment.set(ps, "subject", subject);
        upsertEnrollment.set(ps, "matching", matching);
        upsertEnrollment.set(ps, "now", ts(now));
        upsertEnrollment.set(ps, "decision_id", decisionId);
        ps.executeUpdate();
      }
    }
    return was;
  }

  /**
   * Gives one job of {@code scope}/{@code key} its run time: {@code earliest}, or later so that no
   * window of {@code period} holds more than {@code limit} of the scope's jobs. Nothing is dropped.
   */
  Instant throttle(Connection c, String scope, String key, int limit, Duration period, Instant earliest) throws SQLException {
    long[] slots;
    try (PreparedStatement ps = lockThrottle.prepare(c)) {
      lockThrottle.set(ps, "scope", scope);
      lockThrottle.set(ps, "throttle_key", key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Long[] a = (Long[]) rs.getArray(1).getArray();
        slots = Arrays.stream(a).mapToLong(Long::longValue).toArray();
      }
    }
    long at = ThrottleSlots.next(slots, limit, period.toMillis(), earliest.toEpochMilli());
    try (PreparedStatement ps = setThrottle.prepare(c)) {
      setThrottle.set(ps, "scope", scope);
      setThrottle.set(ps, "throttle_key", key);
      setThrottle.set(ps, "slots", c.createArrayOf("int8", Arrays.stream(ThrottleSlots.add(slots, limit, at)).boxed().toArray()));
      ps.executeUpdate();
    }
    return Instant.ofEpochMilli(at);
  }

  /** The waiting debounced job of {@code scope}/{@code key}, if any: moved to {@code runAt} with {@code payload}. */
  Optional<Debounced> mergeDebounce(Connection c, String scope, String key, Instant now, Duration period, Duration maxWait,
      String payload) throws SQLException {
    try (PreparedStatement ps = lockDebounceKey.prepare(c)) {
      lockDebounceKey.set(ps, "scope", scope);
      lockDebounceKey.set(ps, "debounce_key", key);
      ps.executeQuery().close();
    }
    long jobId;
    Instant firstAt;
    try (PreparedStatement ps = waitingDebounce.prepare(c)) {
      waitingDebounce.set(ps, "scope", scope);
      waitingDebounce.set(ps, "debounce_key", key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return Optional.empty();
        jobId = rs.getLong(1);
        firstAt = rs.getTimestamp(2).toInstant();
      }
    }
    Instant runAt = min(now.plus(period), firstAt.plus(maxWait));
    try (PreparedStatement ps = mergeDebounce.prepare(c)) {
      mergeDebounce.set(ps, "job_id", jobId);
      mergeDebounce.set(ps, "run_at", ts(runAt));
      mergeDebounce.set(ps, "payload", payload);
      ps.executeUpdate();
    }
    return Optional.of(new Debounced(jobId, runAt, true));
  }

  /** Records a new debounced job (after {@link #mergeDebounce} found none, in the same transaction). */
  void insertDebounce(Connection c, long jobId, String scope, String key, Instant now, Instant runAt, String payload) throws SQLException {
    try (PreparedStatement ps = insertDebounce.prepare(c)) {
      insertDebounce.set(ps, "job_id", jobId);
      insertDebounce.set(ps, "scope", scope);
      insertDebounce.set(ps, "debounce_key", key);
      insertDebounce.set(ps, "now", ts(now));
      insertDebounce.set(ps, "run_at", ts(runAt));
      insertDebounce.set(ps, "payload", payload);
      ps.executeUpdate();
    }
  }

  /** What a debounced job should do now. */
  sealed interface DebounceTurn {
    /** Run with this payload (the latest evaluation's). */
    record Run(String payload) implements DebounceTurn {}

    /** More evaluations came: wait until then. */
    record Wait(Instant until) implements DebounceTurn {}
  }

  /** The debounced job {@code jobId}'s turn at {@code now} (empty: not a debounced job, run as is). */
  Optional<DebounceTurn> debounceTurn(Connection c, long jobId, Instant now) throws SQLException {
    try (PreparedStatement ps = fireDebounce.prepare(c)) {
      fireDebounce.set(ps, "job_id", jobId);
      fireDebounce.set(ps, "now", ts(now));
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) return Optional.of(new DebounceTurn.Run(rs.getString(1)));
      }
    }
    try (PreparedStatement ps = debounceOfJob.prepare(c)) {
      debounceOfJob.set(ps, "job_id", jobId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return Optional.empty();
        if (rs.getTimestamp(2) != null) return Optional.of(new DebounceTurn.Run(rs.getString(3))); // a retry of a fired job
        return Optional.of(new DebounceTurn.Wait(rs.getTimestamp(1).toInstant()));
      }
    }
  }

  static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** {@code s} as JSON ({@code {}} for null). */
  static JsonNode parse(String s) {
    return json(s == null ? "{}" : s);
  }

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      throw new IllegalStateException("stored JSON unreadable", e);
    }
  }

  /** The throttle's arithmetic on the sorted run times of a scope's last {@code limit} jobs. */
  static final class ThrottleSlots {
    private ThrottleSlots() {}

    /**
     * The earliest time at or after {@code earliest} such that, with it added, no window of
     * {@code period} holds more than {@code limit} slots: at least {@code period} after the
     * limit-th latest slot (the later ones are fewer than {@code limit}).
     */
    static long next(long[] slots, int limit, long period, long earliest) {
      if (slots.length < limit) return earliest;
      return Math.max(earliest, slots[slots.length - limit] + period);
    }

    /** {@code slots} with {@code at} inserted in order, keeping the latest {@code limit}. */
    static long[] add(long[] slots, int limit, long at) {
      List<Long> l = new ArrayList<>();
      for (long s : slots) l.add(s);
      l.add(at);
      l.sort(null);
      while (l.size() > limit) l.remove(0);
      return l.stream().mapToLong(Long::longValue).toArray();
    }
  }
}
