package dev.sluice.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.schema.SqlResource;
import dev.sluice.sync.MirrorRefresh;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The {@value InboundEvents#MIRROR_JOB_KIND} handler: takes the ids noted for one connection and
 * object type, reads their current state — HubSpot through the connector's batch read (100 ids a
 * call, under the connection's shared rate limit), Salesforce from the newest stored notification —
 * and upserts them into the mirror as a sync page would ({@link MirrorRefresh}), in one transaction
 * with the removal of exactly the ids it refreshed.
 */
final class MirrorRefresher {
  /** Most ids one job refreshes; more waiting get a follow-up job. */
  static final int MAX_IDS_PER_JOB = 1000;
  /** Most notes one job reads (a record noted by many storing transactions has a note from each). */
  static final int MAX_NOTES_PER_JOB = 10 * MAX_IDS_PER_JOB;

  /** A record to refresh and the latest event that named it. */
  private record Pending(String objectId, long eventId) {}

  /**
   * The records one job refreshes ({@code ids}, oldest first) and exactly the notes it read for
   * them ({@code notes}), which it deletes; {@code more} when notes were left behind.
   */
  private record Taken(List<Pending> ids, List<Pending> notes, boolean more) {}

  private final DataSource ds;
  private final JobQueue queue;
  private final Clock clock;
  private final WebhookSources sources;
  private final Function<String, SourceConnector> connectors;
  private final Duration window;
  private final MirrorRefresh mirror;
  private final SqlResource pendingIds;
  private final SqlResource clearPending;
  private final SqlResource latestSalesforce;
  private final SqlResource snapshot;

  MirrorRefresher(DataSource ds, JobQueue queue, String schema, Clock clock, WebhookSources sources,
      Function<String, SourceConnector> connectors, Duration window) {
    this.ds = ds;
    this.queue = queue;
    this.clock = clock;
    this.sources = sources;
    this.connectors = connectors;
    this.window = window;
    this.mirror = new MirrorRefresh(schema, clock);
    this.pendingIds = SqlResource.load(MirrorRefresher.class, "pending_ids.sql", schema);
    this.clearPending = SqlResource.load(MirrorRefresher.class, "clear_pending.sql", schema);
    this.latestSalesforce = SqlResource.load(MirrorRefresher.class, "latest_salesforce_values.sql", schema);
    this.snapshot = SqlResource.load(MirrorRefresher.class, "snapshot_mirror.sql", schema);
  }

  void handle(JobContext ctx) throws SQLException, ConnectorException {
    String connection = ctx.payload().path("connection").asText();
    String objectType = ctx.payload().path("object_type").asText();
    Taken taken = pending(connection, objectType);
    List<Pending> pending = taken.ids();
    if (pending.isEmpty()) return;
    List<String> ids = pending.stream().map(Pending::objectId).toList();
    boolean hubspot = sources.find(WebhookSender.HUBSPOT, connection).isPresent();
    List<SourceRecord> records;
    Instant readAt = clock.instant();
    if (hubspot) {
      try {
        records = connectors.apply(connection).readRecords(objectType, ids);
      } catch (ConnectorException e) {
        if (e.kind() == ConnectorException.Kind.RATE_LIMITED && e.retryAfter() != null) throw new JobSnooze(e.retryAfter());
        throw e;
      }
    } else {
      records = salesforce(connection, objectType, ids);
    }
    Map<String, Long> eventIds = new java.util.HashMap<>(); // the latest event that named each record
    pending.forEach(p -> eventIds.put(p.objectId(), p.eventId()));
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        snapshot(c, connection, objectType, pending, readAt); // the rules' previous for these events
        mirror.apply(c, connection, hubspot ? "hubspot" : "salesforce", objectType, records, eventIds, readAt);
        if (hubspot) {
          // ids HubSpot no longer knows at all (merged into another record): archived in the mirror
          java.util.Set<String> known = new java.util.HashSet<>();
          records.forEach(r -> known.add(r.externalId()));
          mirror.archiveGone(c, connection, objectType, ids.stream().filter(id -> !known.contains(id)).toList(), eventIds);
        }
        clear(c, connection, objectType, taken.notes());
        if (taken.more()) {
          // more are waiting: one follow-up now, keyed like the notes so it coalesces with theirs
          long bucket = clock.millis() / Math.max(1, window.toMillis());
          EventWriter.enqueue(queue, c, List.of(NewJob.builder(InboundEvents.MIRROR_JOB_KIND)
              .payload(ctx.payload().toString()).dedupeKey(MirrorNotes.refreshKey(connection, objectType, bucket) + ":more")
              .concurrencyKey(connection + ":" + objectType).build()));
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** The oldest notes, up to {@value #MAX_IDS_PER_JOB} distinct records (each with its latest event). */
  private Taken pending(String connection, String objectType) throws SQLException {
    Map<String, Long> latest = new LinkedHashMap<>();
    List<Pending> notes = new ArrayList<>();
    boolean more = false;
    try (Connection c = ds.getConnection(); PreparedStatement ps = pendingIds.prepare(c)) {
      pendingIds.set(ps, "connection", connection);
      pendingIds.set(ps, "object_type", objectType);
      pendingIds.set(ps, "limit", MAX_NOTES_PER_JOB);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Pending note = new Pending(rs.getString(1), rs.getLong(2));
          if (!latest.containsKey(note.objectId()) && latest.size() == MAX_IDS_PER_JOB) {
            more = true; // this note and the rest wait for the follow-up job
            break;
          }
          latest.merge(note.objectId(), note.eventId(), Math::max);
          notes.add(note);
        }
      }
    }
    more |= notes.size() == MAX_NOTES_PER_JOB;
    List<Pending> ids = new ArrayList<>(latest.size());
    latest.forEach((id, event) -> ids.add(new Pending(id, event)));
    return new Taken(ids, notes, more);
  }

  private void snapshot(Connection c, String connection, String objectType, List<Pending> pending, Instant now) throws SQLException {
    try (PreparedStatement ps = snapshot.prepare(c)) {
      snapshot.set(ps, "connection", connection);
      snapshot.set(ps, "object_type", objectType);
      snapshot.set(ps, "object_ids", EventWriter.text(pending.stream().map(Pending::objectId).toList()));
      snapshot.set(ps, "event_ids", c.createArrayOf("int8", pending.stream().map(Pending::eventId).toArray()));
      snapshot.set(ps, "now", java.time.OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  private void clear(Connection c, String connection, String objectType, List<Pending> pending) throws SQLException {
    try (PreparedStatement ps = clearPending.prepare(c)) {
      clearPending.set(ps, "connection", connection);
      clearPending.set(ps, "object_type", objectType);
      clearPending.set(ps, "object_ids", EventWriter.text(pending.stream().map(Pending::objectId).toList()));
      clearPending.set(ps, "event_ids", c.createArrayOf("int8", pending.stream().map(Pending::eventId).toArray()));
      ps.executeUpdate();
    }
  }

  /** Salesforce notifications carry the record's current values: the newest stored one per record is the record. */
  private List<SourceRecord> salesforce(String connection, String objectType, List<String> ids) throws SQLException {
    List<SourceRecord> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = latestSalesforce.prepare(c)) {
      latestSalesforce.set(ps, "connection", connection);
      latestSalesforce.set(ps, "object_type", objectType);
      latestSalesforce.set(ps, "object_ids", EventWriter.text(ids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(salesforceRecord(objectType, rs.getString(1), InboundJson.MAPPER.readTree(rs.getString(2))));
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored Salesforce notification does not parse: " + e.getMessage(), e);
    }
    return out;
  }

  static SourceRecord salesforceRecord(String objectType, String id, JsonNode payload) {
    Map<String, String> fields = new LinkedHashMap<>();
    payload.path("fields").properties().forEach(f -> fields.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText()));
    Instant modified = SalesforceOutboundMessage.lastModified(fields);
    boolean deleted = "true".equalsIgnoreCase(fields.get("IsDeleted"));
    return new SourceRecord(objectType, id, fields, Map.of(), deleted, modified);
  }
}
