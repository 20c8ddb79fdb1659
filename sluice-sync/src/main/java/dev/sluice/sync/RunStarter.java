package dev.sluice.sync;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.SyncMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The rows a new run starts with, inside the trigger's transaction: the run (unless one for the
 * same connection and objects is active: the coalescing index refuses it), a stream per object with
 * its estimate or incremental start, the {@code run-created} event and the first page jobs.
 */
final class RunStarter {
  private final SyncStore store;
  private final PageJobHandler.PageJobs pageJobs;

  RunStarter(SyncStore store, PageJobHandler.PageJobs pageJobs) {
    this.store = store;
    this.pageJobs = pageJobs;
  }

  Optional<Long> insertRun(Connection c, SyncRequest req, String objectsKey, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("insert_run"))) {
      ps.setString(1, req.connection());
      ps.setArray(2, c.createArrayOf("text", req.objects().toArray()));
      ps.setString(3, objectsKey);
      ps.setString(4, req.mode().name().toLowerCase(Locale.ROOT));
      SyncStore.setInstant(ps, 5, now);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  Optional<Long> activeRun(Connection c, String connection, String objectsKey) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("find_active_run"))) {
      ps.setString(1, connection);
      ps.setString(2, objectsKey);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  void createStreams(Connection c, long runId, SyncRequest req, Instant now) throws SQLException {
    List<StreamState> streams = new ArrayList<>();
    for (int i = 0; i < req.objects().size(); i++) {
      String object = req.objects().get(i);
      Long estimate = req.mode() == SyncMode.FULL ? mirrorCount(c, req.connection(), object) : null;
      Instant since = req.mode() == SyncMode.INCREMENTAL ? lastCompletedStart(c, req.connection(), object) : null;
      try (PreparedStatement ps = c.prepareStatement(store.sql.get("insert_stream"))) {
        ps.setLong(1, runId);
        ps.setString(2, object);
        ps.setInt(3, i);
        SyncStore.setLong(ps, 4, estimate);
        SyncStore.setInstant(ps, 5, since);
        ps.executeUpdate();
      }
      streams.add(StreamState.created(runId, object, estimate, since));
    }
    RunTransaction t = RunTransaction.lockExisting(c, store, runId, now);
    streams.forEach(t::track);
    ArrayNode objects = Json.MAPPER.createArrayNode();
    req.objects().forEach(objects::add);
    ObjectNode p = Json.object().put("connection", req.connection()).put("mode", req.mode().name().toLowerCase(Locale.ROOT));
    p.set("objects", objects);
    t.append(null, SyncEventType.RUN_CREATED, p);
    t.finish();
    for (String object : req.objects()) {
      pageJobs.enqueue(c, new PageJob(runId, object, 0, 0));
    }
  }

  private Long mirrorCount(Connection c, String connection, String object) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("mirror_count"))) {
      ps.setString(1, connection);
      ps.setString(2, object);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long n = rs.getLong(1);
        return n == 0 ? null : n; // an empty mirror says nothing about the source's size
      }
    }
  }

  private Instant lastCompletedStart(Connection c, String connection, String object) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("last_completed_stream_start"))) {
      ps.setString(1, object);
      ps.setString(2, connection);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return SyncStore.instant(rs, 1);
      }
    }
  }
}
