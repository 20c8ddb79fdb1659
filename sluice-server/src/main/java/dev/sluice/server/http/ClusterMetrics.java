package dev.sluice.server.http;

import dev.sluice.queue.schema.SqlResource;
import dev.sluice.sync.RunDurations;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The cluster's own series for {@code /metrics}, read from PostgreSQL with one statement
 * ({@code metrics_scrape.sql}) and written in the Prometheus text format. Counters are running totals
 * kept in the database ({@code sync_total}, {@code sync_run_total}, {@code rate_limit.throttled_total}),
 * so they add up every process's work and never go back, whichever process is scraped.
 */
final class ClusterMetrics {
  private final DataSource dataSource;
  private final SqlResource scrape;

  /** Reads the queue's and the sync engine's tables, which live in one {@code schema}. */
  ClusterMetrics(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.scrape = SqlResource.load(ClusterMetrics.class, "metrics_scrape.sql", schema);
  }

  /** One sample row of the statement (see metrics_scrape.sql). */
  private record Row(String metric, String a, String b, String c, double x, Double y, long[] counts) {}

  /** The series as Prometheus text at {@code now} (the age of waiting jobs and the buckets' permits). */
  String render(Instant now) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = scrape.prepare(c)) {
      scrape.set(ps, "now", now.atOffset(ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          double y = rs.getDouble("y");
          Double yy = rs.wasNull() ? null : y;
          Array arr = rs.getArray("counts");
          long[] counts = null;
          if (arr != null) {
            Object[] values = (Object[]) arr.getArray();
            counts = new long[values.length];
            for (int i = 0; i < values.length; i++) counts[i] = values[i] == null ? 0 : ((Number) values[i]).longValue();
          }
          rows.add(new Row(rs.getString("metric"), rs.getString("a"), rs.getString("b"), rs.getString("c"),
              rs.getDouble("x"), yy, counts));
        }
      }
    }
    return write(rows);
  }

  private static String write(List<Row> rows) {
    Text t = new Text();
    t.family("sluice_jobs", "gauge", "jobs by kind and state: waiting (ready, retryable), running, dead, cancelled; finished jobs are not counted");
    for (Row r : rows) if (r.metric.equals("jobs")) t.sample("sluice_jobs", labels("kind", r.a, "state", r.b), r.x);
    t.family("sluice_jobs_oldest_ready_seconds", "gauge", "age of the oldest job of a kind that could run now but waits");
    for (Row r : rows) if (r.metric.equals("oldest")) t.sample("sluice_jobs_oldest_ready_seconds", labels("kind", r.a), Math.max(0, r.x));
    t.family("sluice_sync_runs", "gauge", "active sync runs by status (finished runs: sluice_sync_run_duration_seconds_count)");
    for (Row r : rows) if (r.metric.equals("runs")) t.sample("sluice_sync_runs", labels("status", r.a), r.x);

    t.family("sluice_sync_records_total", "counter", "records read by sync pages, by connection, object and outcome (fetched = created + updated + unchanged + failed)");
    Map<List<String>, Double> requests = new TreeMap<>((p, q) -> (p.get(0) + '\u0000' + p.get(1)).compareTo(q.get(0) + '\u0000' + q.get(1)));
    for (Row r : rows) {
      if (r.metric.equals("records")) {
        t.sample("sluice_sync_records_total", labels("connection", r.a, "object", r.b, "outcome", r.c), r.x);
        requests.put(List.of(r.a, r.b), r.y);
      }
    }
    t.family("sluice_sync_requests_total", "counter", "vendor API requests made by sync pages, by connection and object");
    requests.forEach((k, v) -> t.sample("sluice_sync_requests_total", labels("connection", k.get(0), "object", k.get(1)), v));

    t.family("sluice_sync_run_duration_seconds", "histogram", "durations of sync runs that reached a final status, from their start");
    for (Row r : rows) {
      if (!r.metric.equals("run_duration")) continue;
      for (int i = 0; i < RunDurations.BOUNDS.size(); i++) {
        long n = r.counts != null && i < r.counts.length ? r.counts[i] : 0;
        t.sample("sluice_sync_run_duration_seconds_bucket",
            labels("connection", r.a, "status", r.b, "le", number(RunDurations.BOUNDS.get(i))), n);
      }
      double runs = r.y == null ? 0 : r.y;
      t.sample("sluice_sync_run_duration_seconds_bucket", labels("connection", r.a, "status", r.b, "le", "+Inf"), runs);
      t.sample("sluice_sync_run_duration_seconds_sum", labels("connection", r.a, "status", r.b), r.x);
      t.sample("sluice_sync_run_duration_seconds_count", labels("connection", r.a, "status", r.b), runs);
    }

    t.family("sluice_rate_limit_available", "gauge", "permits a shared rate-limit bucket could grant now");
    for (Row r : rows) if (r.metric.equals("rate_limit")) t.sample("sluice_rate_limit_available", labels("bucket", r.a), r.x);
    t.family("sluice_rate_limit_capacity", "gauge", "most permits a shared rate-limit bucket holds");
    for (Row r : rows) if (r.metric.equals("rate_limit")) t.sample("sluice_rate_limit_capacity", labels("bucket", r.a), r.y == null ? 0 : r.y);
    t.family("sluice_rate_limit_throttled_total", "counter", "429 answers from the API a bucket stands for, by bucket and connection (the bucket name before its last ':')");
    for (Row r : rows) {
      if (r.metric.equals("rate_limit")) {
        t.sample("sluice_rate_limit_throttled_total", labels("bucket", r.a, "connection", connectionOf(r.a)),
            r.counts == null || r.counts.length == 0 ? 0 : r.counts[0]);
      }
    }
    return t.toString();
  }

  /** A connection's buckets are named {@code <connection>:<class>} (ConnectionLimits.bucketName). */
  static String connectionOf(String bucket) {
    int colon = bucket.lastIndexOf(':');
    return colon <= 0 ? "" : bucket.substring(0, colon);
  }

  private static Map<String, String> labels(String... kv) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) out.put(kv[i], kv[i + 1] == null ? "" : kv[i + 1]);
    return out;
  }

  static String number(double v) {
    if (Double.isNaN(v)) return "NaN";
    if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.format(Locale.ROOT, "%.1f", v);
    return Double.toString(v);
  }

  /** Prometheus text exposition format 0.0.4. */
  private static final class Text {
    private final StringBuilder out = new StringBuilder(4096);

    void family(String name, String type, String help) {
      out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    void sample(String name, Map<String, String> labels, double value) {
      out.append(name);
      if (!labels.isEmpty()) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> l : labels.entrySet()) {
          if (!first) out.append(',');
          first = false;
          out.append(l.getKey()).append("=\"")
              .append(l.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        out.append('}');
      }
      out.append(' ').append(number(value)).append('\n');
    }

    @Override
    public String toString() {
      return out.toString();
    }
  }
}
