package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.queue.schema.SqlResource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads the logged rule decisions (for the API and the CLI); needs no rules loaded. Thread-safe. */
public final class DecisionLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UNDEFINED_TABLE = "42P01";
  private final DataSource ds;
  private final SqlResource list;
  private final SqlResource exists;
  private final SqlResource forRule;
  private final SqlResource byIds;
  private final SqlResource find;

  public DecisionLog(DataSource dataSource, String schema) {
    this.ds = dataSource;
    this.list = SqlResource.load(DecisionLog.class, "list_decisions.sql", schema);
    this.exists = SqlResource.load(DecisionLog.class, "event_exists.sql", schema);
    this.forRule = SqlResource.load(DecisionLog.class, "list_rule_decisions.sql", schema);
    this.byIds = SqlResource.load(DecisionLog.class, "list_decisions_by_id.sql", schema);
    this.find = SqlResource.load(DecisionLog.class, "find_decision.sql", schema);
  }

  /** The decisions of stored event {@code eventId}, oldest first; empty when there is no such event. */
  public Optional<List<Decision>> forEvent(long eventId) {
    try (Connection c = ds.getConnection()) {
      try (PreparedStatement ps = exists.prepare(c)) {
        exists.set(ps, "event_id", eventId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || !rs.getBoolean(1)) return Optional.empty();
        }
      } catch (SQLException e) {
        if (UNDEFINED_TABLE.equals(e.getSQLState())) return Optional.empty(); // no webhook store in this database yet
        throw e;
      }
      return Optional.of(decisions(c, eventId));
    } catch (SQLException e) {
      throw new IllegalStateException("reading decisions of event " + eventId + " failed: " + e.getMessage(), e);
    }
  }

  /** The decisions logged for {@code eventId}, oldest first (none when it has none or does not exist). */
  public List<Decision> decisions(long eventId) {
    try (Connection c = ds.getConnection()) {
      return decisions(c, eventId);
    } catch (SQLException e) {
      throw new IllegalStateException("reading decisions of event " + eventId + " failed: " + e.getMessage(), e);
    }
  }

  /** The newest {@code limit} decisions of {@code rule}, newest first. */
  public List<Decision> forRule(String rule, int limit) {
    try (Connection c = ds.getConnection(); PreparedStatement ps = forRule.prepare(c)) {
      forRule.set(ps, "rule", rule);
      forRule.set(ps, "limit", limit);
      return read(ps);
    } catch (SQLException e) {
      throw new IllegalStateException("reading decisions of rule " + rule + " failed: " + e.getMessage(), e);
    }
  }

  /** One decision. */
  public Optional<Decision> find(long id) {
    try (Connection c = ds.getConnection(); PreparedStatement ps = find.prepare(c)) {
      find.set(ps, "id", id);
      return read(ps).stream().findFirst();
    } catch (SQLException e) {
      throw new IllegalStateException("reading decision " + id + " failed: " + e.getMessage(), e);
    }
  }

  /** Decisions {@code ids}, read on {@code c} (inside its transaction). */
  List<Decision> decisions(Connection c, List<Long> ids) throws SQLException {
    try (PreparedStatement ps = byIds.prepare(c)) {
      byIds.set(ps, "ids", c.createArrayOf("int8", ids.toArray()));
      return read(ps);
    }
  }

  private List<Decision> decisions(Connection c, long eventId) throws SQLException {
    try (PreparedStatement ps = list.prepare(c)) {
      list.set(ps, "event_id", eventId);
      return read(ps);
    }
  }

  private static List<Decision> read(PreparedStatement ps) throws SQLException {
    List<Decision> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long eventId = rs.getLong("event_id");
        Long event = rs.wasNull() ? null : eventId;
        out.add(new Decision(rs.getLong("id"), event, rs.getString("trigger"), rs.getString("subject"), rs.getString("rule"),
            rs.getString("rule_file"), rs.getTimestamp("evaluated_at").toInstant(), rs.getBoolean("matched"), rs.getString("outcome"),
            rs.getString("decided_by"), rs.getString("dedupe_key"), json(rs.getString("inputs")), json(rs.getString("jobs")),
            rs.getString("error")));
      }
    }
    return out;
  }

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      throw new IllegalStateException("stored decision JSON unreadable", e);
    }
  }
}
