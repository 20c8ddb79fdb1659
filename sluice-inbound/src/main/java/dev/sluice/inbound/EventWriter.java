package dev.sluice.inbound;

import dev.sluice.postgres.GroupCommitter;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.schema.SqlResource;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.postgresql.PGConnection;

/**
 * Writes a batch of deliveries in the group committer's transaction: claims their provider ids in
 * the dedupe memory, stores the requests that carried anything new with their new events, enqueues
 * one event job per {@value #EVENTS_PER_JOB} new events (whole requests; payload
 * {@code {"request_ids":[…]}}) and notes the records the mirror must refresh. A fixed number of
 * statements per batch, whatever its size: the per-event cost is the rows themselves.
 */
final class EventWriter implements GroupCommitter.BatchWriter<Delivery, Delivery.Stored> {
  /**
   * Events one {@value InboundEvents#EVENT_JOB_KIND} job covers at most (a request is never split):
   * a job per event would cost a job row, a claim and a completion per event, the bulk of the work.
   */
  static final int EVENTS_PER_JOB = 500;
  private final JobQueue queue;
  private final Clock clock;
  private final MirrorNotes mirror;
  private final SqlResource claim;
  private final SqlResource nextIds;
  private final SqlResource insertRequests;
  private final SqlResource copyEvents;

  EventWriter(JobQueue queue, String schema, Clock clock, MirrorNotes mirror) {
    this.queue = queue;
    this.clock = clock;
    this.mirror = mirror;
    this.claim = SqlResource.load(EventWriter.class, "dedupe_claim.sql", schema);
    this.nextIds = SqlResource.load(EventWriter.class, "next_ids.sql", schema);
    this.insertRequests = SqlResource.load(EventWriter.class, "insert_requests.sql", schema);
    this.copyEvents = SqlResource.load(EventWriter.class, "copy_events.sql", schema);
  }

  private static String key(String source, String connection, String providerId) {
    return source + '\u0000' + connection + '\u0000' + providerId;
  }

  @Override
  public List<Delivery.Stored> write(Connection c, List<Delivery> batch) throws SQLException {
    var now = clock.instant().atOffset(ZoneOffset.UTC);
    Set<String> fresh = claim(c, batch, now);
    // which events of which delivery are new: the first occurrence of a freshly claimed key
    List<List<NewEvent>> newEvents = new ArrayList<>(batch.size());
    int requests = 0;
    int events = 0;
    for (Delivery d : batch) {
      List<NewEvent> mine = new ArrayList<>();
      for (NewEvent e : d.events()) {
        if (fresh.remove(key(d.sender().wireName(), d.connection(), e.providerEventId()))) mine.add(e);
      }
      newEvents.add(mine);
      if (!mine.isEmpty()) {
        requests++;
        events += mine.size();
      }
    }
    List<Delivery.Stored> out = new ArrayList<>(batch.size());
    if (events == 0) {
      for (Delivery d : batch) out.add(new Delivery.Stored(List.of(), d.events().size()));
      return out;
    }
    long[][] ids = nextIds(c, requests, events);
    int ri = 0;
    int ei = 0;
    RequestRows req = new RequestRows(requests);
    EventRows ev = new EventRows();
    List<NewJob> jobs = new ArrayList<>();
    List<Long> jobRequests = new ArrayList<>();
    int jobEvents = 0;
    MirrorNotes.Batch notes = mirror.batch();
    for (int i = 0; i < batch.size(); i++) {
      Delivery d = batch.get(i);
      List<NewEvent> mine = newEvents.get(i);
      if (mine.isEmpty()) {
        out.add(new Delivery.Stored(List.of(), d.events().size()));
        continue;
      }
      long requestId = ids[0][ri++];
      req.add(requestId, d, mine.size());
      List<Long> stored = new ArrayList<>(mine.size());
      for (NewEvent e : mine) {
        long eventId = ids[1][ei++];
        ev.add(eventId, requestId, d, e);
        stored.add(eventId);
        notes.note(d, e, eventId);
      }
      if (jobEvents > 0 && jobEvents + mine.size() > EVENTS_PER_JOB) {
        jobs.add(eventJob(jobRequests));
        jobRequests.clear();
        jobEvents = 0;
      }
      jobRequests.add(requestId);
      jobEvents += mine.size();
      out.add(new Delivery.Stored(stored, d.events().size() - mine.size()));
    }
    jobs.add(eventJob(jobRequests));
    req.insert(c, insertRequests);
    ev.copy(c, copyEvents);
    enqueue(queue, c, jobs);
    notes.flush(c, now);
    return out;
  }

  /** The job that handles the new events of {@code requestIds}. */
  static NewJob eventJob(List<Long> requestIds) {
    StringBuilder b = new StringBuilder("{\"request_ids\":[");
    for (int i = 0; i < requestIds.size(); i++) b.append(i == 0 ? "" : ",").append(requestIds.get(i));
    return NewJob.of(InboundEvents.EVENT_JOB_KIND, b.append("]}").toString());
  }

  private Set<String> claim(Connection c, List<Delivery> batch, java.time.OffsetDateTime now) throws SQLException {
    List<String> sources = new ArrayList<>();
    List<String> connections = new ArrayList<>();
    List<String> providerIds = new ArrayList<>();
    for (Delivery d : batch) {
      for (NewEvent e : d.events()) {
        sources.add(d.sender().wireName());
        connections.add(d.connection());
        providerIds.add(e.providerEventId());
      }
    }
    Set<String> fresh = new HashSet<>();
    try (PreparedStatement ps = claim.prepare(c)) {
      claim.set(ps, "sources", text(sources));
      claim.set(ps, "connections", text(connections));
      claim.set(ps, "provider_event_ids", text(providerIds));
      claim.set(ps, "now", now);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) fresh.add(key(rs.getString(1), rs.getString(2), rs.getString(3)));
      }
    }
    return fresh;
  }

  private long[][] nextIds(Connection c, int requests, int events) throws SQLException {
    try (PreparedStatement ps = nextIds.prepare(c)) {
      nextIds.set(ps, "requests", requests);
      nextIds.set(ps, "events", events);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new long[][] {longs(rs.getArray(1)), longs(rs.getArray(2))};
      }
    }
  }

  private static long[] longs(Array a) throws SQLException {
    Long[] boxed = (Long[]) a.getArray();
    long[] out = new long[boxed.length];
    for (int i = 0; i < boxed.length; i++) out[i] = boxed[i];
    return out;
  }

  /**
   * Enqueues in the caller's transaction; a database failure stays a {@link SQLException}, so the
   * group committer retries the batch's requests one by one instead of failing them all.
   */
  static void enqueue(JobQueue queue, Connection c, List<NewJob> jobs) throws SQLException {
    try {
      queue.bulkEnqueue(c, jobs);
    } catch (RuntimeException e) {
      if (e.getCause() instanceof SQLException sql) throw sql;
      throw e;
    }
  }

  /**
   * A {@code text[]} parameter as its literal ({@code {"a","b\"c",NULL}}), bound as text and cast by
   * the statement ({@code :name::text[]}): what the driver's {@code createArrayOf("text", …)} sends,
   * without its cost — it appends every character singly into a buffer that grows as it goes, the
   * largest single cost of this writer in a profile of {@code bench webhooks} (the payloads' quotes
   * all need a backslash). Here each element is copied in runs between the characters that do.
   */
  static String text(List<String> values) {
    int size = 2;
    for (String v : values) size += v == null ? 5 : v.length() + 8;
    StringBuilder b = new StringBuilder(size).append('{');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) b.append(',');
      String v = values.get(i);
      if (v == null) {
        b.append("NULL");
        continue;
      }
      b.append('"');
      int from = 0;
      for (int j = 0; j < v.length(); j++) {
        char ch = v.charAt(j);
        if (ch == '"' || ch == '\\') {
          b.append(v, from, j).append('\\');
          from = j;
        }
      }
      b.append(v, from, v.length()).append('"');
    }
    return b.append('}').toString();
  }

  /** Column arrays for insert_requests.sql. */
  private static final class RequestRows {
    final List<Long> ids;
    final List<String> sources, connections, receivedAt, headers, bodies, verifications;
    final List<Integer> counts;

    RequestRows(int n) {
      ids = new ArrayList<>(n);
      sources = new ArrayList<>(n);
      connections = new ArrayList<>(n);
      receivedAt = new ArrayList<>(n);
      headers = new ArrayList<>(n);
      bodies = new ArrayList<>(n);
      verifications = new ArrayList<>(n);
      counts = new ArrayList<>(n);
    }

    void add(long id, Delivery d, int events) {
      ids.add(id);
      sources.add(d.sender().wireName());
      connections.add(d.connection());
      receivedAt.add(d.receivedAt().toString());
      headers.add(d.headersJson());
      bodies.add(Base64.getEncoder().encodeToString(d.body()));
      verifications.add(d.verification());
      counts.add(events);
    }

    void insert(Connection c, SqlResource sql) throws SQLException {
      try (PreparedStatement ps = sql.prepare(c)) {
        sql.set(ps, "ids", c.createArrayOf("int8", ids.toArray()));
        sql.set(ps, "sources", text(sources));
        sql.set(ps, "connections", text(connections));
        sql.set(ps, "received_at", text(receivedAt));
        sql.set(ps, "headers", text(headers));
        sql.set(ps, "bodies", text(bodies));
        sql.set(ps, "verifications", text(verifications));
        sql.set(ps, "event_counts", c.createArrayOf("int4", counts.toArray()));
        ps.executeUpdate();
      }
    }
  }

  /**
   * {@code v} as a field of COPY's text format: {@code \N} for null, and backslash, tab, newline
   * and carriage return escaped (nothing else is special; U+0000 never gets here, see {@link StoredValues}).
   */
  static void copyField(StringBuilder b, String v) {
    if (v == null) {
      b.append("\\N");
      return;
    }
    int from = 0;
    for (int j = 0; j < v.length(); j++) {
      char ch = v.charAt(j);
      String escaped = switch (ch) {
        case '\\' -> "\\\\";
        case '\t' -> "\\t";
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        default -> null;
      };
      if (escaped != null) {
        b.append(v, from, j).append(escaped);
        from = j + 1;
      }
    }
    b.append(v, from, v.length());
  }

  /** The batch's new events as the COPY text copy_events.sql reads: one line per event. */
  private static final class EventRows {
    private final StringBuilder rows = new StringBuilder(64 * 1024);
    private Delivery lastDelivery;
    private String lastReceivedAt;

    void add(long id, long requestId, Delivery d, NewEvent e) {
      if (d != lastDelivery) {
        lastDelivery = d;
        lastReceivedAt = d.receivedAt().toString();
      }
      rows.append(id).append('\t').append(requestId);
      field(d.sender().wireName());
      field(d.connection());
      field(e.providerEventId());
      field(e.type());
      field(e.objectType());
      field(e.objectId());
      field(e.propertyName());
      field(e.propertyValue());
      field(e.occurredAt() == null ? null : e.occurredAt().toString());
      field(lastReceivedAt);
      field(e.payloadJson());
      rows.append('\n');
    }

    private void field(String v) {
      rows.append('\t');
      copyField(rows, v);
    }

    void copy(Connection c, SqlResource sql) throws SQLException {
      try {
        c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.sql(), new StringReader(rows.toString()));
      } catch (IOException e) {
        throw new SQLException("copying the events failed: " + e.getMessage(), e);
      }
    }
  }
}
