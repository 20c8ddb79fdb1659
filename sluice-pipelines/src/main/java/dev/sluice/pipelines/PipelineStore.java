package dev.sluice.pipelines;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The pipeline tables' SQL, each statement a named {@code .sql} resource beside this class. */
final class PipelineStore {
  static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, SqlResource> sql = new HashMap<>();

  PipelineStore(String schema) {
    for (String name : List.of("insert_run", "find_active_run", "select_run", "list_runs", "insert_event", "select_events",
        "select_changed", "select_links", "upsert_entities", "upsert_links", "insert_results", "upsert_record_states",
        "upsert_written", "commit_batch", "finish_run", "fail_run", "cancel_run", "resume_run", "select_results",
        "select_breakdown", "link_destination", "select_job_batch", "hand_on_run", "analyze_identity_entity", "analyze_identity_link",
        "analyze_pipeline_record", "analyze_pipeline_written")) {
      sql.put(name, SqlResource.load(PipelineStore.class, name + ".sql", schema));
    }
  }

  /** The text of a statement without parameters. */
  String text(String name) {
    return sql.get(name).sql();
  }

  /** A statement with its parameters bound by name. */
  private PreparedStatement prepare(Connection c, String name, Object... params) throws SQLException {
    SqlResource r = sql.get(name);
    PreparedStatement ps = r.prepare(c);
    for (int i = 0; i < params.length; i += 2) {
      Object v = params[i + 1];
      if (v instanceof Instant t) v = Timestamp.from(t);
      else if (v instanceof String[] a) v = c.createArrayOf("text", a);
      r.set(ps, (String) params[i], v);
    }
    return ps;
  }

  int update(Connection c, String name, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, name, params)) {
      return ps.executeUpdate();
    }
  }

  Optional<Long> firstLong(Connection c, String name, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, name, params); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }

  Optional<PipelineRun> run(Connection c, long id) throws SQLException {
    List<PipelineRun> runs = runs(c, "select_run", "id", id);
    return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
  }

  List<PipelineRun> runs(Connection c, String name, Object... params) throws SQLException {
    List<PipelineRun> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, name, params); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new PipelineRun(rs.getLong("id"), rs.getString("pipeline"), PipelineRunStatus.fromWire(rs.getString("status")),
            rs.getString("trigger"), rs.getInt("generation"), rs.getString("position"), rs.getLong("batches_committed"),
            rs.getLong("selected"), rs.getLong("synced"), rs.getLong("failed"), rs.getLong("skipped"), rs.getLong("write_calls"),
            rs.getString("last_error"), instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at")));
      }
    }
    return out;
  }

  long event(Connection c, long run, String type, Map<String, ?> payload, Instant now) throws SQLException {
    return firstLong(c, "insert_event", "run", run, "type", type, "payload", json(payload), "now", now).orElseThrow();
  }

  List<PipelineEvent> events(Connection c, long run, long after, int limit) throws SQLException {
    List<PipelineEvent> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, "select_events", "run", run, "after", after, "limit", limit);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new PipelineEvent(rs.getLong("seq"), rs.getLong("run_id"), rs.getString("type"), rs.getString("payload"),
            instant(rs, "at")));
      }
    }
    return out;
  }

  List<RecordResult> results(Connection c, long run, String status, String after, int limit) throws SQLException {
    List<RecordResult> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, "select_results", "run", run, "status", status, "after", after, "limit", limit);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new RecordResult(rs.getString("source_id"), rs.getLong("batch"), rs.getString("status"), rs.getString("reason"),
            rs.getString("destination_id"), rs.getString("error"), instant(rs, "at")));
      }
    }
    return out;
  }

  /** status → reason → records of the run ({@code ""} when a result has no reason, e.g. synced). */
  Map<String, Map<String, Long>> breakdown(Connection c, long run) throws SQLException {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    try (PreparedStatement ps = prepare(c, "select_breakdown", "run", run); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString("status"), k -> new LinkedHashMap<>()).put(rs.getString("reason"), rs.getLong("n"));
      }
    }
    return out;
  }

  List<SourceRow> changed(Connection c, Pipeline p, String after, int limit) throws SQLException {
    List<SourceRow> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, "select_changed", "pipeline", p.name(), "connection", p.sourceConnection(),
        "object_type", p.sourceObject(), "destination_connection", p.destinationConnection(), "destination_object",
        p.destinationObject(), "after", after, "limit", limit); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new SourceRow(rs.getString("external_id"), map(rs.getString("properties")), rs.getBoolean("archived"),
            instant(rs, "source_updated_at"), rs.getString("content_hash"), map(rs.getString("mapped")), map(rs.getString("written")),
            rs.getString("last_destination_id"), rs.getBoolean("destination_archived")));
      }
    }
    return out;
  }

  Map<String, List<LinkedRecord>> links(Connection c, Pipeline p, List<String> keys) throws SQLException {
    Map<String, List<LinkedRecord>> out = new HashMap<>();
    if (keys.isEmpty()) return out;
    // Each key once: select_links is driven by the key list, so a key repeated in the batch (two source
    // records with one email) would list every linked record twice and read as a duplicate at the destination.
    try (PreparedStatement ps = prepare(c, "select_links", "keys", keys.stream().distinct().toArray(String[]::new),
        "source_connection", p.sourceConnection(), "source_object", p.sourceObject(),
        "destination_connection", p.destinationConnection(), "destination_object", p.destinationObject());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        LinkedRecord l = new LinkedRecord(rs.getString("match_key"), rs.getString("connection"), rs.getString("object_type"),
            rs.getString("external_id"), map(rs.getString("properties")), instant(rs, "source_updated_at"),
            rs.getBoolean("archived"), map(rs.getString("written")));
        out.computeIfAbsent(l.matchKey(), k -> new ArrayList<>()).add(l);
      }
    }
    return out;
  }

  static String json(Object value) {
    try {
      return value == null ? null : JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> map(String json) {
    if (json == null) return null;
    try {
      Map<String, Object> raw = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : raw.entrySet()) {
        Object v = e.getValue();
        out.put(e.getKey(), v == null ? null : v instanceof String s ? s : JSON.writeValueAsString(v));
      }
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable JSON in the pipeline tables: " + e.getOriginalMessage(), e);
    }
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
