package dev.sluice.sync;

import dev.sluice.queue.schema.SqlResource;
import java.util.HashMap;
import java.util.Map;

/**
 * The engine's SQL, loaded once from the {@code .sql} resources next to this class through the
 * queue's {@link SqlResource} ({@code ${schema}} becomes the validated, quoted schema name, an
 * identifier, never a value); the engine's statements bind their values positionally.
 */
final class SqlStatements {
  private static final String[] NAMES = {
      "upsert_connection", "insert_run", "find_active_run", "insert_stream", "mirror_count",
      "last_completed_stream_start", "insert_event", "select_run", "lock_run", "list_runs", "select_streams",
      "lock_streams", "lock_stream", "select_stream", "update_stream", "update_run", "select_events",
      "select_mirror_rows", "upsert_records", "insert_record_changes", "select_mirror_row",
      "select_record_changes", "lock_association_targets", "update_associations",
      "find_stalled_streams", "analyze_record", "clean_sync_events", "clean_record_changes", "clean_sync_runs", "archive_gone",
      "insert_outside_run_changes", "clean_outside_run_changes", "add_totals", "add_run_duration"};

  private final Map<String, String> byName = new HashMap<>();

  SqlStatements(String schema) {
    for (String name : NAMES) {
      byName.put(name, SqlResource.load(SqlStatements.class, name + ".sql", schema).sql());
    }
  }

  static String checkSchema(String schema) {
    return SqlResource.checkSchema(schema);
  }

  String get(String name) {
    String sql = byName.get(name);
    if (sql == null) {
      throw new IllegalArgumentException("no SQL named " + name);
    }
    return sql;
  }
}
