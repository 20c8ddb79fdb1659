package dev.sluice.pipelines;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.sluice.queue.schema.SqlResource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Reads sample records from the mirror ({@code sluice.record}) to try a mapping on. Thread-safe. */
public final class MirrorSample {
  private static final TypeReference<LinkedHashMap<String, Object>> PROPERTIES = new TypeReference<>() {};

  /**
   * One mirror record.
   *
   * @param properties its properties as text (null values kept as null)
   */
  public record MirrorRecord(String externalId, Map<String, String> properties) {}

  private final DataSource ds;
  private final SqlResource select;

  /** @param schema where the mirror lives, usually {@code sluice} */
  public MirrorSample(DataSource ds, String schema) {
    this.ds = ds;
    this.select = SqlResource.load(MirrorSample.class, "select_sample.sql", schema);
  }

  /** The {@code limit} most recently changed live records of {@code connection}/{@code objectType}. */
  public List<MirrorRecord> read(String connection, String objectType, int limit) throws SQLException {
    List<MirrorRecord> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = select.prepare(c)) {
      select.set(ps, "connection", connection);
      select.set(ps, "object_type", objectType);
      select.set(ps, "limit", Math.max(1, limit));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new MirrorRecord(rs.getString("external_id"), text(rs.getString("properties"))));
        }
      }
    }
    return out;
  }

  private static Map<String, String> text(String json) throws SQLException {
    try {
      Map<String, String> out = new LinkedHashMap<>();
      PipelineStore.JSON.readValue(json, PROPERTIES).forEach((k, v) -> out.put(k, v == null ? null : v.toString()));
      return out;
    } catch (IOException e) {
      throw new SQLException("mirror properties are not a JSON object: " + e.getMessage(), e);
    }
  }
}
