package dev.sluice.leads;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.leads.SubmissionCheck.Submission;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The lead table's statements, each run on a caller's connection (the caller owns the transaction). */
final class LeadStore {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> FIELDS = new TypeReference<>() {};

  /** A lead a drainer holds: what it sends and the version it sends. */
  /** A claimed lead; {@code token} names the claim (one per claimed batch) that every later write must match. */
  record Claimed(long id, String source, String email, Map<String, String> fields, int version, int attempts, java.util.UUID token) {}

  private final SqlResource upsert;
  private final SqlResource claim;
  private final SqlResource markSent;
  private final SqlResource markRejected;
  private final SqlResource markRetrying;
  private final SqlResource release;
  private final SqlResource extendLease;
  private final SqlResource selectLead;
  private final SqlResource listLeads;
  private final SqlResource countLeads;
  private final SqlResource waitingLeads;

  LeadStore(String schema) {
    upsert = SqlResource.load(LeadStore.class, "upsert_leads.sql", schema);
    claim = SqlResource.load(LeadStore.class, "claim_leads.sql", schema);
    markSent = SqlResource.load(LeadStore.class, "mark_sent.sql", schema);
    markRejected = SqlResource.load(LeadStore.class, "mark_rejected.sql", schema);
    markRetrying = SqlResource.load(LeadStore.class, "mark_retrying.sql", schema);
    release = SqlResource.load(LeadStore.class, "release_leads.sql", schema);
    extendLease = SqlResource.load(LeadStore.class, "extend_lease.sql", schema);
    selectLead = SqlResource.load(LeadStore.class, "select_lead.sql", schema);
    listLeads = SqlResource.load(LeadStore.class, "list_leads.sql", schema);
    countLeads = SqlResource.load(LeadStore.class, "count_leads.sql", schema);
    waitingLeads = SqlResource.load(LeadStore.class, "waiting_leads.sql", schema);
  }

  /**
   * Stores a batch of checked submissions in one statement and answers each in order. Repeats of
   * one (source, email key) inside the batch are merged first (later non-empty values win), since
   * one statement may not update a row twice; the first of them learns whether the lead is new.
   */
  List<LeadReceipt> store(Connection c, List<Submission> batch, Instant now) throws SQLException {
    Map<String, Submission> merged = new TreeMap<>(); // key order: concurrent batches lock rows alike
    Map<String, Integer> counts = new HashMap<>();
    for (Submission s : batch) {
      String k = s.source() + "\u0000" + s.emailKey();
      merged.merge(k, s, (old, neu) -> {
        Map<String, String> f = new TreeMap<>(old.fields());
        f.putAll(neu.fields());
        return new Submission(old.source(), old.email(), old.emailKey(), f, neu.destination());
      });
      counts.merge(k, 1, Integer::sum);
    }
    int n = merged.size();
    String[] sources = new String[n];
    String[] keys = new String[n];
    String[] emails = new String[n];
    String[] fields = new String[n];
    String[] destinations = new String[n];
    Integer[] submissions = new Integer[n];
    int i = 0;
    for (Map.Entry<String, Submission> e : merged.entrySet()) {
      Submission s = e.getValue();
      sources[i] = s.source();
      keys[i] = s.emailKey();
      emails[i] = s.email();
      fields[i] = json(s.fields());
      destinations[i] = s.destination();
      submissions[i] = counts.get(e.getKey());
      i++;
    }
    Map<String, long[]> stored = new HashMap<>(); // key -> {id, inserted ? 1 : 0}
    try (PreparedStatement ps = upsert.prepare(c)) {
      upsert.set(ps, "sources", c.createArrayOf("text", sources));
      upsert.set(ps, "keys", c.createArrayOf("text", keys));
      upsert.set(ps, "emails", c.createArrayOf("text", emails));
      upsert.set(ps, "fields", c.createArrayOf("text", fields));
      upsert.set(ps, "destinations", c.createArrayOf("text", destinations));
      upsert.set(ps, "counts", c.createArrayOf("int4", submissions));
      upsert.set(ps, "now", utc(now));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stored.put(rs.getString(2) + "\u0000" + rs.getString(3), new long[] {rs.getLong(1), rs.getBoolean(4) ? 1 : 0});
        }
      }
    }
    List<LeadReceipt> out = new ArrayList<>(batch.size());
    Map<String, Boolean> answered = new HashMap<>();
    for (Submission s : batch) {
      String k = s.source() + "\u0000" + s.emailKey();
      long[] row = stored.get(k);
      if (row == null) throw new SQLException("the lead upsert returned no row for a submission of source " + s.source());
      boolean first = answered.putIfAbsent(k, Boolean.TRUE) == null;
      out.add(new LeadReceipt(row[0], !(first && row[1] == 1)));
    }
    return out;
  }

  /**
   * Lets the transaction open on {@code c} commit without waiting for the WAL flush. Only for the
   * drain's own bookkeeping (claims and outcomes), never for storing a lead: such a commit is
   * atomic and visible at once, and only a crash of the database server itself within a fraction
   * of a second can lose it, which leaves the leads as they were before it — claimed or waiting
   * again, so they are sent once more, to the same CRM record (the write is an upsert by email).
   * A later durable commit (any lead stored) flushes it with everything before it.
   */
  static void commitWithoutFlush(Connection c) throws SQLException {
    try (java.sql.Statement s = c.createStatement()) {
      s.execute("SET LOCAL synchronous_commit TO off");
    }
  }

  /**
   * Claims up to {@code limit} leads of {@code destination} for one drainer under a new claim
   * token; the claim commits without waiting for the WAL flush (see {@link #commitWithoutFlush}).
   */
  List<Claimed> claim(Connection c, String destination, int limit, Instant now, Instant leaseUntil) throws SQLException {
    List<Claimed> out = new ArrayList<>();
    try (PreparedStatement ps = claim.prepare(c)) {
      claim.set(ps, "destination", destination);
      claim.set(ps, "limit", limit);
      claim.set(ps, "now", utc(now));
      claim.set(ps, "lease_until", utc(leaseUntil));
      java.util.UUID token = java.util.UUID.randomUUID();
      claim.set(ps, "token", token);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Claimed(rs.getLong(1), rs.getString(2), rs.getString(3), fields(rs.getString(4)), rs.getInt(5), rs.getInt(6), token));
        }
      }
    }
    out.sort(java.util.Comparator.comparingLong(Claimed::id));
    return out;
  }

  void markSent(Connection c, List<Claimed> leads, List<String> crmIds, Instant now) throws SQLException {
    if (leads.isEmpty()) return;
    try (PreparedStatement ps = markSent.prepare(c)) {
      markSent.set(ps, "ids", c.createArrayOf("bigint", leads.stream().map(Claimed::id).toArray()));
      markSent.set(ps, "versions", c.createArrayOf("int4", leads.stream().map(Claimed::version).toArray()));
      markSent.set(ps, "crm_ids", c.createArrayOf("text", crmIds.toArray()));
      markSent.set(ps, "now", utc(now));
      markSent.set(ps, "token", token(leads));
      ps.executeUpdate();
    }
  }

  void markRejected(Connection c, List<Claimed> leads, List<String> reasons, Instant now) throws SQLException {
    if (leads.isEmpty()) return;
    try (PreparedStatement ps = markRejected.prepare(c)) {
      markRejected.set(ps, "ids", c.createArrayOf("bigint", leads.stream().map(Claimed::id).toArray()));
      markRejected.set(ps, "versions", c.createArrayOf("int4", leads.stream().map(Claimed::version).toArray()));
      markRejected.set(ps, "reasons", c.createArrayOf("text", reasons.toArray()));
      markRejected.set(ps, "now", utc(now));
      markRejected.set(ps, "token", token(leads));
      ps.executeUpdate();
    }
  }

  void markRetrying(Connection c, List<Long> ids, java.util.UUID token, boolean attemptSpent, String reason, Instant now,
      Instant availableAt) throws SQLException {
    if (ids.isEmpty()) return;
    try (PreparedStatement ps = markRetrying.prepare(c)) {
      markRetrying.set(ps, "token", token);
      markRetrying.set(ps, "ids", c.createArrayOf("bigint", ids.toArray()));
      markRetrying.set(ps, "spent", attemptSpent ? 1 : 0);
      markRetrying.set(ps, "reason", reason);
      markRetrying.set(ps, "now", utc(now));
      markRetrying.set(ps, "available_at", utc(availableAt));
      ps.executeUpdate();
    }
  }

  void release(Connection c, List<Long> ids, java.util.UUID token, Instant now) throws SQLException {
    if (ids.isEmpty()) return;
    try (PreparedStatement ps = release.prepare(c)) {
      release.set(ps, "token", token);
      release.set(ps, "ids", c.createArrayOf("bigint", ids.toArray()));
      release.set(ps, "now", utc(now));
      ps.executeUpdate();
    }
  }

  /** Extends the lease of the claim {@code token} on {@code ids}; answers the ids it still holds. */
  java.util.Set<Long> extendLease(Connection c, List<Long> ids, java.util.UUID token, Instant leaseUntil) throws SQLException {
    java.util.Set<Long> held = new java.util.HashSet<>();
    try (PreparedStatement ps = extendLease.prepare(c)) {
      extendLease.set(ps, "ids", c.createArrayOf("bigint", ids.toArray()));
      extendLease.set(ps, "token", token);
      extendLease.set(ps, "lease_until", utc(leaseUntil));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) held.add(rs.getLong(1));
      }
    }
    return held;
  }

  /** The claim of {@code leads}, all of one claimed batch. */
  private static java.util.UUID token(List<Claimed> leads) {
    java.util.UUID token = leads.get(0).token();
    for (Claimed l : leads) {
      if (!token.equals(l.token())) throw new IllegalArgumentException("leads of more than one claim in one write");
    }
    return token;
  }

  Lead lead(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = selectLead.prepare(c)) {
      selectLead.set(ps, "id", id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? lead(rs) : null;
      }
    }
  }

  List<Lead> leads(Connection c, LeadState state, String source, Long beforeId, int limit) throws SQLException {
    try (PreparedStatement ps = listLeads.prepare(c)) {
      listLeads.set(ps, "state", state == null ? null : state.wire());
      listLeads.set(ps, "source", source);
      listLeads.set(ps, "before_id", beforeId);
      listLeads.set(ps, "limit", limit);
      List<Lead> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(lead(rs));
      }
      return out;
    }
  }

  LeadCounts counts(Connection c) throws SQLException {
    Map<String, Map<LeadState, Long>> out = new LinkedHashMap<>();
    try (PreparedStatement ps = countLeads.prepare(c); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(LeadState.fromWire(rs.getString(2)), rs.getLong(3));
      }
    }
    return new LeadCounts(out);
  }

  long waiting(Connection c, String destination) throws SQLException {
    try (PreparedStatement ps = waitingLeads.prepare(c)) {
      waitingLeads.set(ps, "destination", destination);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Lead lead(ResultSet rs) throws SQLException {
    return new Lead(rs.getLong(1), rs.getString(2), rs.getString(3), fields(rs.getString(4)), rs.getString(5),
        LeadState.fromWire(rs.getString(6)), rs.getInt(7), rs.getInt(8), rs.getInt(9), rs.getString(10), rs.getString(11),
        instant(rs, 12), instant(rs, 13), instant(rs, 14), instant(rs, 15));
  }

  private static Instant instant(ResultSet rs, int col) throws SQLException {
    OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  private static String json(Map<String, String> fields) {
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> fields(String json) {
    try {
      return JSON.readValue(json, FIELDS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable lead fields: " + e.getOriginalMessage(), e);
    }
  }
}
