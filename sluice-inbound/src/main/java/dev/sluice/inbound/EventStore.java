package dev.sluice.inbound;

import dev.sluice.queue.JobQueue;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.schema.SqlResource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads stored events, marks them handled and replays them. Thread-safe. */
final class EventStore {
  private final DataSource ds;
  private final JobQueue queue;
  private final Clock clock;
  private final SqlResource list;
  private final SqlResource findRequest;
  private final SqlResource replay;
  private final SqlResource markHandled;
  private final SqlResource unhandledRequests;
  private final SqlResource requestEvents;
  private final SqlResource markRequestsHandled;

  EventStore(DataSource ds, JobQueue queue, String schema, Clock clock) {
    this.ds = ds;
    this.queue = queue;
    this.clock = clock;
    this.list = SqlResource.load(EventStore.class, "list_events.sql", schema);
    this.findRequest = SqlResource.load(EventStore.class, "find_request.sql", schema);
    this.replay = SqlResource.load(EventStore.class, "replay_events.sql", schema);
    this.markHandled = SqlResource.load(EventStore.class, "mark_handled.sql", schema);
    this.unhandledRequests = SqlResource.load(EventStore.class, "unhandled_requests.sql", schema);
    this.requestEvents = SqlResource.load(EventStore.class, "request_events.sql", schema);
    this.markRequestsHandled = SqlResource.load(EventStore.class, "mark_requests_handled.sql", schema);
  }

  List<StoredEvent> list(EventFilter f) throws SQLException {
    return list(f, null);
  }

  private List<StoredEvent> list(EventFilter f, Long id) throws SQLException {
    List<StoredEvent> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = list.prepare(c)) {
      list.set(ps, "source", f.source());
      list.set(ps, "connection", f.connection());
      list.set(ps, "type", f.type());
      list.set(ps, "object_id", f.objectId());
      list.set(ps, "since", f.since() == null ? null : f.since().atOffset(ZoneOffset.UTC));
      list.set(ps, "before", id != null ? Long.valueOf(id + 1) : f.before());
      list.set(ps, "limit", f.limit());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(row(rs));
      }
    }
    return out;
  }

  Optional<StoredEvent> find(long id) throws SQLException {
    List<StoredEvent> one = list(EventFilter.all(1), id);
    if (one.isEmpty() || one.get(0).id() != id) return Optional.empty();
    StoredEvent e = one.get(0);
    try (Connection c = ds.getConnection(); PreparedStatement ps = findRequest.prepare(c)) {
      findRequest.set(ps, "id", e.requestId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return Optional.of(e);
        StoredEvent.Raw raw = new StoredEvent.Raw(InboundJson.MAPPER.readTree(rs.getString(1)), rs.getBytes(2), rs.getString(3));
        return Optional.of(new StoredEvent(e.id(), e.source(), e.connection(), e.providerEventId(), e.type(), e.objectType(),
            e.objectId(), e.propertyName(), e.propertyValue(), e.occurredAt(), e.receivedAt(), e.requestId(),
            e.handledCount(), e.lastHandledAt(), e.replays(), e.lastReplayedAt(), e.payload(), Optional.of(raw)));
      }
    } catch (IOException ex) {
      throw new IllegalStateException("stored headers of request " + e.requestId() + " do not parse", ex);
    }
  }

  /** Re-enqueues the event job of every event matching (oldest first, at most the filter's limit); answers their ids. */
  List<Long> replay(EventFilter f, Long id) throws SQLException {
    OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = replay.prepare(c)) {
          replay.set(ps, "id", id);
          replay.set(ps, "source", f.source());
          replay.set(ps, "connection", f.connection());
          replay.set(ps, "type", f.type());
          replay.set(ps, "object_id", f.objectId());
          replay.set(ps, "since", f.since() == null ? null : f.since().atOffset(ZoneOffset.UTC));
          replay.set(ps, "limit", f.limit());
          replay.set(ps, "now", now);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) ids.add(rs.getLong(1));
          }
        }
        List<NewJob> jobs = new ArrayList<>(ids.size());
        for (long e : ids) jobs.add(NewJob.of(InboundEvents.EVENT_JOB_KIND, "{\"event_id\":" + e + ",\"replay\":true}"));
        queue.bulkEnqueue(c, jobs);
        c.commit();
        ids.sort(null);
        return ids;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Records that the event job ran for {@code eventId}; false when the event is gone (retention). */
  boolean markHandled(long eventId) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = markHandled.prepare(c)) {
      markHandled.set(ps, "id", eventId);
      markHandled.set(ps, "now", clock.instant().atOffset(ZoneOffset.UTC));
      return ps.executeUpdate() == 1;
    }
  }

  /** Of {@code requestIds}, those whose events have not been handled yet, in order. */
  List<Long> unhandledRequests(List<Long> requestIds) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = unhandledRequests.prepare(c)) {
      unhandledRequests.set(ps, "ids", c.createArrayOf("int8", requestIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getLong(1));
      }
    }
    return out;
  }

  /** The events one request stored, oldest first, without the raw request. */
  List<StoredEvent> requestEvents(long requestId) throws SQLException {
    List<StoredEvent> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = requestEvents.prepare(c)) {
      requestEvents.set(ps, "request_id", requestId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(row(rs));
      }
    }
    return out;
  }

  /** Records that the events of {@code requestIds} were handled (the first time only), in one statement. */
  void markRequestsHandled(List<Long> requestIds) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = markRequestsHandled.prepare(c)) {
      markRequestsHandled.set(ps, "ids", c.createArrayOf("int8", requestIds.toArray()));
      markRequestsHandled.set(ps, "now", clock.instant().atOffset(ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  private static StoredEvent row(ResultSet rs) throws SQLException {
    try {
      return new StoredEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
          rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), instant(rs, 10), instant(rs, 11),
          rs.getLong(12), rs.getInt(13), instant(rs, 14), rs.getInt(15), instant(rs, 16),
          InboundJson.MAPPER.readTree(rs.getString(17)), Optional.empty());
    } catch (IOException e) {
      throw new IllegalStateException("stored payload of event " + rs.getLong(1) + " does not parse", e);
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
