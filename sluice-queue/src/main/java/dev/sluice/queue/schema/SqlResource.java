package dev.sluice.queue.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One named SQL statement loaded from a {@code .sql} resource next to the class that runs it.
 * {@code ${schema}} becomes the queue's (validated, quoted) schema; {@code :name} markers become
 * JDBC parameters bound by name, so values are never concatenated into SQL.
 *
 * <p>Shared by the queue's packages (jobs, cron, rate limits) and by the modules built on the queue
 * ({@code sluice-inbound}), so they load SQL the same way; not part of the queue's job API.
 */
public final class SqlResource {
  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final String name;
  private final String jdbcSql;
  private final Map<String, List<Integer>> positions;

  private SqlResource(String name, String jdbcSql, Map<String, List<Integer>> positions) {
    this.name = name;
    this.jdbcSql = jdbcSql;
    this.positions = positions;
  }

  /** Loads {@code <owner's package path>/<file>} for {@code schema}. */
  public static SqlResource load(Class<?> owner, String file, String schema) {
    String path = owner.getPackageName().replace('.', '/') + "/" + file;
    try (InputStream in = owner.getClassLoader().getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing SQL resource " + path);
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return parse(file, text.replace("${schema}", quoteSchema(schema)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read SQL resource " + path, e);
    }
  }

  /** {@code schema} when it is a valid unquoted schema name; otherwise IllegalArgumentException. */
  public static String checkSchema(String schema) {
    if (schema == null || !SCHEMA_NAME.matcher(schema).matches()) {
      throw new IllegalArgumentException("schema name must be lower-case letters, digits and _ (max 63), starting with a letter or _: '" + schema + "'");
    }
    return schema;
  }

  static String quoteSchema(String schema) {
    return "\"" + checkSchema(schema) + "\"";
  }

  static SqlResource parse(String name, String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    Map<String, List<Integer>> positions = new HashMap<>();
    int index = 0;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'') { // string literal: copy verbatim
        int end = sql.indexOf('\'', i + 1);
        while (end > 0 && end + 1 < n && sql.charAt(end + 1) == '\'') end = sql.indexOf('\'', end + 2);
        if (end < 0) end = n - 1;
        out.append(sql, i, end + 1);
        i = end + 1;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') { // comment: drop to end of line
        int end = sql.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') { // cast
        out.append("::");
        i += 2;
      } else if (c == ':' && i + 1 < n && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
        int start = i + 1;
        int end = start;
        while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) end++;
        positions.computeIfAbsent(sql.substring(start, end), k -> new ArrayList<>()).add(++index);
        out.append('?');
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return new SqlResource(name, out.toString().strip(), Map.copyOf(positions));
  }

  public PreparedStatement prepare(Connection c) throws SQLException {
    return c.prepareStatement(jdbcSql);
  }

  /** Binds {@code value} to every occurrence of {@code :param}; null binds SQL NULL. */
  public void set(PreparedStatement ps, String param, Object value) throws SQLException {
    List<Integer> at = positions.get(param);
    if (at == null) throw new IllegalArgumentException(name + " has no parameter :" + param);
    for (int p : at) {
      if (value == null) ps.setNull(p, java.sql.Types.NULL);
      else ps.setObject(p, value);
    }
  }

  /**
   * Runs this statement — a DELETE of at most {@code :limit} rows older than {@code :cutoff} — again
   * until it deletes fewer than {@code slice} rows, each slice its own short transaction (the
   * retention passes of the modules); answers the rows deleted.
   */
  public int deleteInSlices(javax.sql.DataSource ds, Object cutoff, int slice) throws SQLException {
    int total = 0;
    try (Connection c = ds.getConnection(); PreparedStatement ps = prepare(c)) {
      set(ps, "cutoff", cutoff);
      set(ps, "limit", slice);
      int n;
      do {
        n = ps.executeUpdate();
        total += n;
      } while (n == slice);
    }
    return total;
  }

  public String name() {
    return name;
  }

  public String sql() {
    return jdbcSql;
  }
}
