package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * {@code GET /metrics} (Prometheus text) and {@code GET /healthz}. The cluster's series (jobs,
 * runs, records synced, run durations, rate-limit buckets and 429s; see {@link ClusterMetrics}) are
 * read from PostgreSQL with one statement at scrape time, so every process reports the whole
 * cluster's numbers; the page is cached for {@link #CACHE_FOR}, so any number of scrapers cost the
 * database one statement per {@link #CACHE_FOR}. The JVM series are this process's own. With {@code
 * server.metrics_token} set, {@code /metrics} needs it as a bearer token (the API token does not
 * open it, nor does it open the API).
 */
final class MetricsEndpoint {
  /** Scrapes within this long of the last one get its page: many scrapers cost the database one read. */
  static final Duration CACHE_FOR = Duration.ofSeconds(5);

  private final CachedValue<String> page;
  private final ClusterMetrics cluster;
  private final DataSource dataSource;
  private final ObjectMapper json;
  private final Clock clock;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /** Reads the queue's and sync engine's tables in {@code schema} through {@code dataSource}. */
  MetricsEndpoint(DataSource dataSource, String schema, ObjectMapper json, Clock clock) {
    this.page = new CachedValue<>(clock, CACHE_FOR, this::render);
    this.cluster = new ClusterMetrics(dataSource, schema);
    this.dataSource = dataSource;
    this.json = json;
    this.clock = clock;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
  }

  void scrape(Context ctx) {
    String text;
    try {
      text = page();
    } catch (MetricsUnavailable e) {
      ApiServer.error(ctx, json, 503, "the database is unreachable: " + e.getMessage());
      return;
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(text);
  }

  /** The current page: the cached one, or a new one when it is {@link #CACHE_FOR} old. */
  String page() {
    return page.get();
  }

  /** The page, built from the database at most once per {@link #CACHE_FOR} whatever the number of scrapers. */
  private String render() {
    try {
      return cluster.render(clock.instant()) + registry.scrape();
    } catch (SQLException e) {
      throw new MetricsUnavailable(e.getMessage());
    }
  }

  /** The database did not answer the scrape's statement. */
  static final class MetricsUnavailable extends RuntimeException {
    MetricsUnavailable(String message) {
      super(message, null, false, false);
    }
  }

  void health(Context ctx) {
    try (Connection c = dataSource.getConnection()) {
      if (c.isValid(2)) {
        ApiServer.send(ctx, json, 200, json.createObjectNode().put("status", "ok").put("database", "ok"));
      } else {
        ApiServer.error(ctx, json, 503, "the database is not answering");
      }
    } catch (SQLException e) {
      ApiServer.error(ctx, json, 503, "the database is unreachable");
    }
  }
}
