package dev.sluice.sync;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.SyncMode;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reads and writes the sync tables on a caller's connection (the caller owns the transaction). */
final class SyncStore {
  final SqlStatements sql;

  SyncStore(SqlStatements sql) {
    this.sql = sql;
  }

  // ---- runs

  Optional<RunRow> run(Connection c, long id, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get(lock ? "lock_run" : "select_run"))) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(runRow(rs)) : Optional.empty();
      }
    }
  }

  List<RunRow> runs(Connection c, RunFilter f) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get("list_runs"))) {
      ps.setString(1, f.connection());
      ps.setString(2, f.connection());
      String status = f.status() == null ? null : f.status().wire();
      ps.setString(3, status);
      ps.setString(4, status);
      setLong(ps, 5, f.beforeId());
      setLong(ps, 6, f.beforeId());
      ps.setInt(7, f.limit());
      List<RunRow> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(runRow(rs));
        }
      }
      return out;
    }
  }

  private static RunRow runRow(ResultSet rs) throws SQLException {
    return new RunRow(rs.getLong(1), rs.getString(2), Arrays.asList((String[]) rs.getArray(3).getArray()),
        SyncMode.valueOf(rs.getString(4).toUpperCase(Locale.ROOT)), RunStatus.fromWire(rs.getString(5)),
        rs.getString(6), rs.getString(7), rs.getString(8), instant(rs, 9), instant(rs, 10), instant(rs, 11),
        rs.getLong(12));
  }

  void updateRun(Connection c, RunRow r) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get("update_run"))) {
      ps.setString(1, r.status().wire());
      ps.setString(2, r.currentObject());
      ps.setString(3, r.phase());
      ps.setString(4, r.lastError());
      setInstant(ps, 5, r.startedAt());
      setInstant(ps, 6, r.finishedAt());
      ps.setLong(7, r.lastEventSeq());
      ps.setLong(8, r.id());
      ps.executeUpdate();
    }
  }

  /** Adds one page's counts to the connection's and object's running totals (for /metrics). */
  void addTotals(Connection c, String connection, String objectType, StreamCounts k, long requests) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get("add_totals"))) {
      ps.setString(1, connection);
      ps.setString(2, objectType);
      ps.setLong(3, k.fetched());
      ps.setLong(4, k.created());
      ps.setLong(5, k.updated());
      ps.setLong(6, k.unchanged());
      ps.setLong(7, k.archived());
      ps.setLong(8, k.failed());
      ps.setLong(9, requests);
      ps.executeUpdate();
    }
  }

  /** Adds one run that reached {@code status} after {@code seconds} to the duration histogram (for /metrics). */
  void addRunDuration(Connection c, String connection, RunStatus status, double seconds) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get("add_run_duration"))) {
      ps.setString(1, connection);
      ps.setString(2, status.wire());
      ps.setDouble(3, seconds);
      ps.setArray(4, c.createArrayOf("bigint", RunDurations.increment(seconds)));
      ps.executeUpdate();
    }
  }

  // ---- streams

  /** Streams of the given runs, by run id, each in the order the objects were requested. */
  Map<Long, List<StreamState>> streams(Connection c, List<Long> runIds) throws SQLException {
    Map<Long, List<StreamState>> out = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql.get("select_streams"))) {
      ps.setArray(1, c.createArrayOf("bigint", runIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          StreamState s = streamRow(rs);
          out.computeIfAbsent(s.runId(), k -> new ArrayList<>()).add(s);
        }
      }
    }
    return out;
  }

  List<StreamState> lockStreams(Connection c, long runId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get("lock_streams"))) {
      ps.setLong(1, runId);
      List<StreamState> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(streamRow(rs));
        }
      }
      return out;
    }
  }

  Optional<StreamState> stream(Connection c, long runId, String objectType, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get(lock ? "lock_stream" : "select_stream"))) {
      ps.setLong(1, runId);
      ps.setString(2, objectType);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(streamRow(rs)) : Optional.empty();
      }
    }
  }

  private static StreamState streamRow(ResultSet rs) throws SQLException {
    long est = rs.getLong(15);
    Long estimated = rs.wasNull() ? null : est;
    return new StreamState(rs.getLong(1), rs.getString(2), StreamStatus.fromWire(rs.getString(3)), rs.getInt(4),
        rs.getString(5), rs.getLong(6),
        new StreamCounts(rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getLong(11), rs.getLong(12)),
        rs.getLong(13), rs.getString(14), estimated, instant(rs, 16), instant(rs, 17), instant(rs, 18),
        rs.getString(19));
  }

  void updateStream(Connection c, StreamState s) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get("update_stream"))) {
      ps.setString(1, s.status().wire());
      ps.setInt(2, s.generation());
      ps.setString(3, s.checkpoint());
      ps.setLong(4, s.pagesCommitted());
      StreamCounts k = s.counts();
      ps.setLong(5, k.fetched());
      ps.setLong(6, k.created());
      ps.setLong(7, k.updated());
      ps.setLong(8, k.unchanged());
      ps.setLong(9, k.archived());
      ps.setLong(10, k.failed());
      ps.setLong(11, s.requests());
      ps.setString(12, s.position());
      setInstant(ps, 13, s.startedAt());
      setInstant(ps, 14, s.finishedAt());
      ps.setString(15, s.lastError());
      ps.setLong(16, s.runId());
      ps.setString(17, s.objectType());
      ps.executeUpdate();
    }
  }

  // ---- events

  long insertEvent(Connection c, long runId, String stream, SyncEventType type, JsonNode payload, Instant at)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get("insert_event"))) {
      ps.setLong(1, runId);
      ps.setString(2, stream);
      ps.setString(3, type.wire());
      ps.setString(4, Json.write(payload));
      setInstant(ps, 5, at);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  List<SyncEvent> events(Connection c, long runId, long afterSeq, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get("select_events"))) {
      ps.setLong(1, runId);
      ps.setLong(2, afterSeq);
      ps.setInt(3, limit);
      List<SyncEvent> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new SyncEvent(rs.getLong(1), rs.getLong(2), rs.getString(3), SyncEventType.fromWire(rs.getString(4)),
              Json.read(rs.getString(5)), instant(rs, 6)));
        }
      }
      return out;
    }
  }

  // ---- helpers

  static Instant instant(ResultSet rs, int col) throws SQLException {
    java.time.OffsetDateTime t = rs.getObject(col, java.time.OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static void setInstant(PreparedStatement ps, int i, Instant v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(i, java.time.OffsetDateTime.ofInstant(v, java.time.ZoneOffset.UTC));
    }
  }

  static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  static Array textArray(Connection c, List<String> values) throws SQLException {
    return c.createArrayOf("text", values.toArray());
  }
}
