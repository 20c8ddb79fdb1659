package dev.sluice.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The engine's SQL, loaded once from the {@code .sql} resources next to this class. {@code ${schema}}
 * becomes the validated, quoted schema name (an identifier, never a value); values are always bound
 * as JDBC parameters.
 */
final class SqlStatements {
  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
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
    String quoted = "\"" + checkSchema(schema) + "\"";
    for (String name : NAMES) {
      String path = "dev/sluice/sync/" + name + ".sql";
      try (InputStream in = SqlStatements.class.getClassLoader().getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("missing SQL resource " + path);
        }
        byName.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${schema}", quoted));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read SQL resource " + path, e);
      }
    }
  }

  static String checkSchema(String schema) {
    if (schema == null || !SCHEMA_NAME.matcher(schema).matches()) {
      throw new IllegalArgumentException("schema name must be lower-case letters, digits and _ (max 63), "
          + "starting with a letter or _: '" + schema + "'");
    }
    return schema;
  }

  String get(String name) {
    String sql = byName.get(name);
    if (sql == null) {
      throw new IllegalArgumentException("no SQL named " + name);
    }
    return sql;
  }
}
