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

  /** A claimed lead (what a drainer sends, and the version it sends); {@code token} names the claim (one per claimed batch) that every later write must match. */
  record Claimed(long id, String source, String email, Map<String, String> fields, int version, int attempts, java.util.UUID token) {}

  private final SqlResource upsert;
  private final SqlResource claim;
  private final SqlResource recordOutcomes;
  private final SqlResource lease;
  private final SqlResource selectLead;
  private final SqlResource listLeads;
  private final SqlResource countLeads;
  private final SqlResource waitingLeads;

  LeadStore(String schema) {
    upsert = SqlResource.load(LeadStore.class, "upsert_leads.sql", schema);
    claim = SqlResource.load(LeadStore.class, "claim_leads.sql", schema);
    recordOutcomes = SqlResource.load(LeadStore.class, "record_outcomes.sql", schema);
    lease = SqlResource.load(LeadStore.class, "lease_leads.sql", schema);
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
   * Claims up to {@code limit} leads of {@code destination} for one drainer under a new claim
   * token; the claim commits without waiting for the WAL flush (see {@link #recordOutcomes}).
   */
  List<Claimed> claim(Connection c, String destination, int limit, Instant now, Instant leaseUntil) throws SQLException {
    return claim(c, destination, limit, now, leaseUntil, java.util.UUID.randomUUID());
  }

  /**
   * {@link #claim(Connection, String, int, Instant, Instant)} under an existing claim {@code token}:
   * a drainer adds leads to the batch it holds, which stays one claim.
   */
  List<Claimed> claim(Connection c, String destination, int limit, Instant now, Instant leaseUntil, java.util.UUID token)
      throws SQLException {
    List<Claimed> out = new ArrayList<>();
    try (PreparedStatement ps = claim.prepare(c)) {
      claim.set(ps, "destination", destination);
      claim.set(ps, "limit", limit);
      claim.set(ps, "now", utc(now));
      claim.set(ps, "lease_until", utc(leaseUntil));
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

  /** What became of one claimed lead's send: {@code sent} (with the CRM id), {@code rejected} or {@code retrying} (with the reason). */
  record Outcome(Claimed lead, LeadState state, String crmId, String reason) {
    Outcome {
      if (state != LeadState.SENT && state != LeadState.REJECTED && state != LeadState.RETRYING) {
        throw new IllegalArgumentException("an outcome is sent, rejected or retrying, not " + state);
      }
    }
  }

  /**
   * Records the outcomes of leads of one claim in one statement (record_outcomes.sql), its rows
   * locked in the intake's order; a {@code retrying} lead is back at {@code retryAt}, one attempt
   * spent when {@code attemptSpent}.
   *
   * <p>Like a claim, it commits without waiting for the WAL flush. Only storing a lead waits for it;
   * the drain's bookkeeping need not: such a commit is atomic and visible at once, and only a crash
   * of the database server itself within a fraction of a second can lose it, which leaves the leads
   * as they were before it (claimed or waiting again), so they are sent once more, to the same CRM
   * record (the write is an upsert by email). A later durable commit (any lead stored) flushes it
   * with everything before it.
   */
  void recordOutcomes(Connection c, List<Outcome> outcomes, boolean attemptSpent, Instant now, Instant retryAt)
      throws SQLException {
    if (outcomes.isEmpty()) return;
    java.util.UUID token = token(outcomes.stream().map(Outcome::lead).toList());
    int n = outcomes.size();
    Long[] ids = new Long[n];
    Integer[] versions = new Integer[n];
    String[] states = new String[n];
    String[] crmIds = new String[n];
    String[] reasons = new String[n];
    for (int i = 0; i < n; i++) {
      Outcome o = outcomes.get(i);
      ids[i] = o.lead().id();
      versions[i] = o.lead().version();
      states[i] = o.state().wire();
      crmIds[i] = o.crmId();
      reasons[i] = o.reason();
    }
    try (PreparedStatement ps = recordOutcomes.prepare(c)) {
      recordOutcomes.set(ps, "token", token);
      recordOutcomes.set(ps, "ids", c.createArrayOf("bigint", ids));
      recordOutcomes.set(ps, "versions", c.createArrayOf("int4", versions));
      recordOutcomes.set(ps, "outcomes", c.createArrayOf("text", states));
      recordOutcomes.set(ps, "crm_ids", c.createArrayOf("text", crmIds));
      recordOutcomes.set(ps, "reasons", c.createArrayOf("text", reasons));
      recordOutcomes.set(ps, "spent", attemptSpent ? 1 : 0);
      recordOutcomes.set(ps, "now", utc(now));
      recordOutcomes.set(ps, "retry_at", utc(retryAt == null ? now : retryAt));
      ps.executeUpdate();
    }
  }

  /** The CRM took {@code leads} (of one claim) as the records {@code crmIds}. */
  void markSent(Connection c, List<Claimed> leads, List<String> crmIds, Instant now) throws SQLException {
    List<Outcome> out = new ArrayList<>(leads.size());
    for (int i = 0; i < leads.size(); i++) out.add(new Outcome(leads.get(i), LeadState.SENT, crmIds.get(i), null));
    recordOutcomes(c, out, false, now, now);
  }

  /** The CRM refused {@code leads} (of one claim) for {@code reasons} (one per lead, or one for all). */
  void markRejected(Connection c, List<Claimed> leads, List<String> reasons, Instant now) throws SQLException {
    List<Outcome> out = new ArrayList<>(leads.size());
    for (int i = 0; i < leads.size(); i++) {
      out.add(new Outcome(leads.get(i), LeadState.REJECTED, null, reasons.get(reasons.size() == 1 ? 0 : i)));
    }
    recordOutcomes(c, out, false, now, now);
  }

  /** {@code leads} (of one claim) go back to the drain at {@code availableAt}; see record_outcomes.sql. */
  void markRetrying(Connection c, List<Claimed> leads, boolean attemptSpent, String reason, Instant now, Instant availableAt)
      throws SQLException {
    recordOutcomes(c, leads.stream().map(l -> new Outcome(l, LeadState.RETRYING, null, reason)).toList(), attemptSpent, now,
        availableAt);
  }

  /** Hands {@code ids} of the claim {@code token} back, claimable at once (lease_leads.sql). */
  void release(Connection c, List<Long> ids, java.util.UUID token, Instant now) throws SQLException {
    release(c, ids, token, now, now);
  }

  /** Hands {@code ids} of the claim {@code token} back, claimable at {@code availableAt} (lease_leads.sql). */
  void release(Connection c, List<Long> ids, java.util.UUID token, Instant now, Instant availableAt) throws SQLException {
    lease(c, ids, token, LeadState.RECEIVED, availableAt, now);
  }

  /** Extends the lease of the claim {@code token} on {@code ids}; answers the ids it still holds. */
  java.util.Set<Long> extendLease(Connection c, List<Long> ids, java.util.UUID token, Instant leaseUntil) throws SQLException {
    return lease(c, ids, token, LeadState.SENDING, leaseUntil, null);
  }

  /** lease_leads.sql: {@code state} sending keeps the lease until {@code availableAt}, received ends it. */
  private java.util.Set<Long> lease(Connection c, List<Long> ids, java.util.UUID token, LeadState state, Instant availableAt,
      Instant now) throws SQLException {
    java.util.Set<Long> held = new java.util.HashSet<>();
    if (ids.isEmpty()) return held;
    try (PreparedStatement ps = lease.prepare(c)) {
      lease.set(ps, "ids", c.createArrayOf("bigint", ids.toArray()));
      lease.set(ps, "token", token);
      lease.set(ps, "state", state.wire());
      lease.set(ps, "available_at", utc(availableAt));
      lease.set(ps, "now", now == null ? null : utc(now));
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
