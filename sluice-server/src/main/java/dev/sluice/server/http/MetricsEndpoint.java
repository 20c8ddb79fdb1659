package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.QueueStats;
import dev.sluice.sync.RunFilter;
import dev.sluice.sync.RunStatus;
import dev.sluice.sync.SyncEngine;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * {@code GET /metrics} (Prometheus text) and {@code GET /healthz}. Queue depth and run counts are
 * read from PostgreSQL at scrape time, so every process reports the whole cluster's numbers; the page
 * is cached for {@link #CACHE_FOR}. With {@code server.metrics_token} set, {@code /metrics} needs it
 * as a bearer token (the API token does not open it, nor does it open the API).
 */
final class MetricsEndpoint {
  /** Runs counted per status at most (the count is a gauge for dashboards, not an audit). */
  static final int MAX_RUNS_COUNTED = 1000;
  /** Scrapes within this long of the last one get its page: many scrapers cost the database one read. */
  static final Duration CACHE_FOR = Duration.ofSeconds(5);

  private final CachedValue<String> page;

  private final SyncEngine engine;
  private final JobQueue queue;
  private final DataSource dataSource;
  private final ObjectMapper json;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MultiGauge jobs;
  private final MultiGauge runs;
  private final MultiGauge oldestReady;

  MetricsEndpoint(SyncEngine engine, JobQueue queue, DataSource dataSource, ObjectMapper json, Clock clock) {
    this.page = new CachedValue<>(clock, CACHE_FOR, this::render);
    this.engine = engine;
    this.queue = queue;
    this.dataSource = dataSource;
    this.json = json;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    jobs = MultiGauge.builder("sluice.jobs").description("jobs in the queue by kind and state").register(registry);
    runs = MultiGauge.builder("sluice.sync.runs").description("sync runs by status (capped at " + MAX_RUNS_COUNTED + " per status)").register(registry);
    oldestReady = MultiGauge.builder("sluice.jobs.oldest.ready.seconds").description("age of the oldest runnable job").register(registry);
  }

  void scrape(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(page.get());
  }

  /** The page, built from the database at most once per {@link #CACHE_FOR} whatever the number of scrapers. */
  private String render() {
    QueueStats stats = queue.stats();
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (Map.Entry<String, Map<JobState, Long>> kind : stats.countsByKind().entrySet()) {
      for (JobState state : JobState.values()) {
        long n = kind.getValue().getOrDefault(state, 0L);
        rows.add(MultiGauge.Row.of(Tags.of("kind", kind.getKey(), "state", state.dbValue()), n));
      }
    }
    jobs.register(rows, true);
    oldestReady.register(List.of(MultiGauge.Row.of(Tags.empty(),
        stats.oldestReady().map(d -> d.toMillis() / 1000.0).orElse(0.0))), true);
    List<MultiGauge.Row<?>> runRows = new ArrayList<>();
    for (RunStatus status : RunStatus.values()) {
      int n = engine.list(RunFilter.all().withStatus(status).withLimit(MAX_RUNS_COUNTED)).size();
      runRows.add(MultiGauge.Row.of(Tags.of("status", status.wire()), n));
    }
    runs.register(runRows, true);
    return registry.scrape();
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
