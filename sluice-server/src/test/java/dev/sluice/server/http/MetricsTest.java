package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.EnqueueResult;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.ratelimit.RateLimitSnapshot;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotTier;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.ApiCalls.Answer;
import dev.sluice.server.runtime.SluiceRuntime;
import dev.sluice.sync.RunDurations;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} after real work: a sandbox sync with injected 429s through the real runtime,
 * read over HTTP; and the scrape's cost, counted statement by statement.
 */
class MetricsTest {
  private static final String TOKEN = "metrics-test-api-token-0123456789abcdef";
  private static final int CONTACTS = 180;
  private static final int COMPANIES = 30;
  private static final String KIND = "metrics-test-idle";

  static TestDatabase db;
  static Sandbox sandbox;
  static SluiceRuntime runtime;
  static ApiServer server;

  @BeforeAll
  static void start() {
    db = TestDatabase.create("server_metrics", 16);
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().tier(HubSpotTier.PROFESSIONAL).build()).start();
    for (int i = 0; i < CONTACTS; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "m" + i + "@example.com"));
    }
    for (int i = 0; i < COMPANIES; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Metrics " + i));
    }
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          hubspot-main:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            tier: professional
            objects: [contacts, companies]
        """.formatted(sandbox.baseUrl()), Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token()));
    runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
    runtime.startWorkers(3);
    server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
        runtime.engine(), runtime.queue(), runtime.dataSource());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  @Test
  void aSyncWith429sShowsItsRecordsDurationThrottlesPermitsAndJobs() throws Exception {
    // three 429s on the contacts list, whatever else the sandbox's own limiter answers
    sandbox.faults().add(FaultRule.tooManyRequests(1.0).onPath("/crm/v3/objects/contacts").times(3));
    Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
    List<EnqueueResult> idle = runtime.queue().enqueueAll(List.of(
        NewJob.builder(KIND).payload("{}").runAt(hourAgo).build(),
        NewJob.builder(KIND).payload("{}").build(),
        NewJob.builder(KIND).payload("{}").build()));
    assertThat(runtime.queue().cancel(idle.get(2).id())).isTrue();

    Answer a = ApiCalls.call(server.url(), "POST", "/v1/sync-runs",
        "{\"connection\":\"hubspot-main\",\"objects\":[\"contacts\",\"companies\"],\"mode\":\"full\"}", TOKEN);
    assertThat(a.status()).isEqualTo(202);
    long id = a.body().get("run_id").asLong();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(
        () -> ApiCalls.call(server.url(), "GET", "/v1/sync-runs/" + id, null, TOKEN).body().get("status").asText(),
        "completed"::equals);
    long served429 = sandbox.counters().tooManyRequestsServed();
    assertThat(served429).isGreaterThanOrEqualTo(3);

    // the page is cached for 5 s: wait for one read after the run
    Map<String, Double> m = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(MetricsTest::scrape, s -> s.containsKey(key("sluice_sync_run_duration_seconds_count", "connection", "hubspot-main", "status", "completed")));

    assertThat(m.get(key("sluice_sync_records_total", "connection", "hubspot-main", "object", "contacts", "outcome", "fetched"))).isEqualTo(CONTACTS);
    assertThat(m.get(key("sluice_sync_records_total", "connection", "hubspot-main", "object", "contacts", "outcome", "created"))).isEqualTo(CONTACTS);
    assertThat(m.get(key("sluice_sync_records_total", "connection", "hubspot-main", "object", "companies", "outcome", "created"))).isEqualTo(COMPANIES);
    assertThat(m.get(key("sluice_sync_records_total", "connection", "hubspot-main", "object", "contacts", "outcome", "updated"))).isZero();
    assertThat(m.get(key("sluice_sync_requests_total", "connection", "hubspot-main", "object", "contacts"))).isGreaterThanOrEqualTo(2);

    assertThat(m.get(key("sluice_sync_run_duration_seconds_count", "connection", "hubspot-main", "status", "completed"))).isEqualTo(1);
    assertThat(m.get(key("sluice_sync_run_duration_seconds_bucket", "connection", "hubspot-main", "status", "completed", "le", "+Inf"))).isEqualTo(1);
    assertThat(m.get(key("sluice_sync_run_duration_seconds_bucket", "connection", "hubspot-main", "status", "completed", "le",
        ClusterMetrics.number(RunDurations.BOUNDS.get(RunDurations.BOUNDS.size() - 1))))).isEqualTo(1);
    assertThat(m.get(key("sluice_sync_run_duration_seconds_sum", "connection", "hubspot-main", "status", "completed"))).isPositive();
    assertThat(m).doesNotContainKey(key("sluice_sync_runs", "status", "processing"));

    // every 429 the sandbox sent is counted once, against one of the connection's buckets
    double throttled = m.entrySet().stream()
        .filter(e -> e.getKey().startsWith("sluice_rate_limit_throttled_total{") && e.getKey().contains("connection=\"hubspot-main\""))
        .mapToDouble(Map.Entry::getValue).sum();
    assertThat(throttled).isEqualTo(served429);
    // a daily quota does not refill during the day: what the scrape read is what the bucket holds now
    RateLimitSnapshot daily = runtime.rateLimits().snapshot("hubspot-main:daily");
    assertThat(m.get(key("sluice_rate_limit_available", "bucket", "hubspot-main:daily"))).isEqualTo(daily.available());
    assertThat(daily.available()).isLessThan(daily.limit().capacity());
    assertThat(m.get(key("sluice_rate_limit_capacity", "bucket", "hubspot-main:daily"))).isEqualTo((double) daily.limit().capacity());

    assertThat(m.get(key("sluice_jobs", "kind", KIND, "state", "ready"))).isEqualTo(2);
    assertThat(m.get(key("sluice_jobs", "kind", KIND, "state", "cancelled"))).isEqualTo(1);
    assertThat(m.get(key("sluice_jobs_oldest_ready_seconds", "kind", KIND))).isGreaterThanOrEqualTo(3600);
    assertThat(m).containsKey("jvm_threads_live_threads");
  }

  @Test
  void aScrapeIsOneStatementAndThePageIsCached() throws Exception {
    AtomicInteger statements = new AtomicInteger();
    ManualClock clock = new ManualClock(Instant.parse("2026-12-07T12:00:00Z"));
    MetricsEndpoint endpoint = new MetricsEndpoint(counting(db.dataSource(), statements), SluiceRuntime.SCHEMA, new ObjectMapper(), clock);
    String first = endpoint.page();
    assertThat(first).contains("# TYPE sluice_sync_records_total counter").contains("# TYPE sluice_sync_run_duration_seconds histogram")
        .contains("# TYPE sluice_rate_limit_available gauge").contains("# TYPE sluice_jobs gauge");
    assertThat(statements).hasValue(1);
    clock.advance(MetricsEndpoint.CACHE_FOR.minusMillis(1));
    for (int i = 0; i < 10; i++) endpoint.page();
    assertThat(statements).hasValue(1);
    clock.advance(Duration.ofMillis(1));
    endpoint.page();
    assertThat(statements).hasValue(2);
  }

  static Map<String, Double> scrape() throws Exception {
    Answer a = ApiCalls.call(server.url(), "GET", "/metrics", null, null);
    assertThat(a.status()).isEqualTo(200);
    Map<String, Double> out = new HashMap<>();
    Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");
    for (String l : a.raw().body().split("\n")) {
      if (l.startsWith("#") || l.isBlank()) continue;
      Matcher x = line.matcher(l);
      assertThat(x.matches()).as(l).isTrue();
      out.put(x.group(1).replace(",}", "}"), Double.parseDouble(x.group(2).replace("+Inf", "Infinity")));
    }
    return out;
  }

  static String key(String name, String... labels) {
    StringBuilder b = new StringBuilder(name).append('{');
    for (int i = 0; i < labels.length; i += 2) {
      if (i > 0) b.append(',');
      b.append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
    }
    return b.append('}').toString();
  }

  /** {@code ds}, counting every statement executed through the connections it hands out. */
  static DataSource counting(DataSource ds, AtomicInteger executed) {
    return (DataSource) Proxy.newProxyInstance(MetricsTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, args) -> {
      Object r = invoke(ds, m, args);
      if (r instanceof Connection c) {
        return Proxy.newProxyInstance(MetricsTest.class.getClassLoader(), new Class<?>[] {Connection.class}, (pc, mc, ac) -> {
          Object s = invoke(c, mc, ac);
          if (s instanceof Statement st) {
            Class<?> type = s instanceof java.sql.CallableStatement ? java.sql.CallableStatement.class
                : s instanceof java.sql.PreparedStatement ? java.sql.PreparedStatement.class : Statement.class;
            return Proxy.newProxyInstance(MetricsTest.class.getClassLoader(), new Class<?>[] {type}, (ps, ms, as) -> {
              if (ms.getName().startsWith("execute")) executed.incrementAndGet();
              return invoke(st, ms, as);
            });
          }
          return s;
        });
      }
      return r;
    });
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
