package dev.sluice.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.inbound.InboundEvents;
import dev.sluice.leads.LeadIntake;
import dev.sluice.queue.JobQueue;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.sync.SyncEngine;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sluice's HTTP API (see {@code docs/http-api.md} and {@code GET /openapi.yaml}): sync runs, their
 * events (JSON or server-sent events), queue statistics, health and Prometheus metrics. Every
 * {@code /v1/} call needs {@code Authorization: Bearer <api token>}; {@code /healthz},
 * {@code /metrics}, {@code /openapi.yaml} and the static dashboard ({@code /dashboard}, which calls
 * the API from the browser with the token the operator enters) are open.
 *
 * <p>Errors are always {@code {"error":"<reason>"}} with a 4xx status for bad input and 500 for a
 * fault of ours (logged with its stack trace, never sent to the client).
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final Logger requestLog = LoggerFactory.getLogger("sluice.http");

  private final Javalin app;
  private final URI url;
  private final List<String> routes;

  private ApiServer(Javalin app, URI url, List<String> routes) {
    this.app = app;
    this.url = url;
    this.routes = List.copyOf(routes);
  }

  /** What the server needs; {@code port} 0 picks a free port. */
  public record Settings(String host, int port, Secret apiToken, Optional<SluiceConfig.Tls> tls, StreamLimits streams) {
    public Settings {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(apiToken, "apiToken");
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(streams, "streams");
    }

    /** Plain HTTP. */
    public Settings(String host, int port, Secret apiToken) {
      this(host, port, apiToken, Optional.empty());
    }

    public Settings(String host, int port, Secret apiToken, Optional<SluiceConfig.Tls> tls) {
      this(host, port, apiToken, tls, StreamLimits.DEFAULT);
    }

    public Settings withStreams(StreamLimits limits) {
      return new Settings(host, port, apiToken, tls, limits);
    }
  }

  /** Server-sent event streams: how many may be open at once, and how long each may last. */
  public record StreamLimits(int maxStreams, Duration maxLifetime) {
    public static final StreamLimits DEFAULT = new StreamLimits(100, Duration.ofHours(1));

    public StreamLimits {
      if (maxStreams < 1) throw new IllegalArgumentException("maxStreams must be at least 1");
      if (maxLifetime.isNegative() || maxLifetime.isZero()) throw new IllegalArgumentException("maxLifetime must be positive");
    }
  }

  /**
   * New connections the kernel queues for the acceptor while it is busy (the {@code listen(2)}
   * backlog, capped by {@code net.core.somaxconn}). Java's default is 50: a burst of new clients
   * (a campaign's form posts, each browser on its own connection) arriving while the server is busy
   * overflows it, Linux drops their SYNs, and each of them tries again a second later — acks of a
   * second and more for requests the server handles in milliseconds (measured in {@code bench leads},
   * with the kernel's ListenOverflows rising; see docs/benchmarks.md).
   */
  static final int ACCEPT_QUEUE = 1024;

  /** The plain HTTP connector Javalin would make, with the {@link #ACCEPT_QUEUE} backlog. */
  static Connector plainConnector(Server server, HttpConfiguration http, String host, int port) {
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setAcceptQueueSize(ACCEPT_QUEUE);
    return connector;
  }

  /** Starts the server without lead intake and returns once it accepts connections. */
  public static ApiServer start(Settings settings, SluiceConfig config, SyncEngine engine, JobQueue queue, DataSource dataSource) {
    return start(settings, config, engine, queue, dataSource, null, null);
  }

  /**
   * Starts the server and returns once it accepts connections; with {@code leads}, {@code /v1/leads}
   * takes leads with the sources' intake keys (not the admin token) and shows them to the admin.
   */
  public static ApiServer start(Settings settings, SluiceConfig config, SyncEngine engine, JobQueue queue, DataSource dataSource,
      LeadIntake leads) {
    return start(settings, config, engine, queue, dataSource, leads, null);
  }

  /**
   * Starts the server with lead intake and webhook receivers: {@code inbound} receives the webhooks
   * under {@code /hooks/} (no bearer token) and serves {@code /v1/events}; without it those routes
   * answer 404.
   */
  public static ApiServer start(Settings settings, SluiceConfig config, SyncEngine engine, JobQueue queue, DataSource dataSource,
      LeadIntake leads, InboundEvents inbound) {
    return start(settings, config, engine, queue, dataSource, leads, inbound, null);
  }

  /**
   * As above, with the pipelines' runs under {@code /v1/pipelines} and {@code /v1/pipeline-runs}
   * (without {@code pipelines} those routes answer 404).
   */
  public static ApiServer start(Settings settings, SluiceConfig config, SyncEngine engine, JobQueue queue, DataSource dataSource,
      LeadIntake leads, InboundEvents inbound, dev.sluice.pipelines.PipelineEngine pipelines) {
    ObjectMapper json = new ObjectMapper();
    AuthThrottle throttle = new AuthThrottle(Clock.systemUTC());
    BearerTokenCheck auth = new BearerTokenCheck(settings.apiToken(), throttle);
    BearerTokenCheck metricsAuth = config.server().metricsToken().map(t -> new BearerTokenCheck(t, throttle)).orElse(null);
    RunJson wire = new RunJson(json);
    SyncRunRoutes runs = new SyncRunRoutes(config, engine, wire, new JsonBodyReader(), json);
    EventStream events = new EventStream(engine, wire, json, settings.streams());
    QueueRoutes jobs = new QueueRoutes(queue, json, dev.sluice.rules.RulesEngine.ACTION_KINDS);
    ConnectionRoutes connections = new ConnectionRoutes(config, json);
    if (!engine.schema().equals(queue.schema())) {
      throw new IllegalArgumentException("the sync engine's schema (" + engine.schema() + ") must be the queue's (" + queue.schema() + ")");
    }
    MetricsEndpoint metrics = new MetricsEndpoint(dataSource, queue.schema(), json, Clock.systemUTC());
    LeadRoutes leadRoutes = new LeadRoutes(leads, json);
    DecisionRoutes decisions = new DecisionRoutes(new dev.sluice.rules.DecisionLog(queue.dataSource(), queue.schema()), json);
    WebhookRoutes hooks = new WebhookRoutes(inbound, json);
    EventRoutes inboundEvents = new EventRoutes(inbound, new JsonBodyReader(), json);
    PipelineRunRoutes pipelineRuns = new PipelineRunRoutes(pipelines, new PipelineJson(json), new JsonBodyReader(), json);
    byte[] openapi = resource("/openapi.yaml");
    byte[] dashboardHtml = resource("/dashboard/index.html");
    byte[] dashboardJs = resource("/dashboard/app.js");
    byte[] dashboardCss = resource("/dashboard/style.css");

    List<String> routes = new ArrayList<>();
    Javalin server = Javalin.create(cfg -> {
      // Every HTTP route as it is added, for the test that compares them with openapi.yaml.
      cfg.events.handlerAdded(h -> {
        if (h.getHttpMethod().isHttpMethod()) routes.add(h.getHttpMethod().name() + " " + h.getPath());
      });
      cfg.startup.showJavalinBanner = false;
      cfg.concurrency.useVirtualThreads = true;
      cfg.router.ignoreTrailingSlashes = true;
      cfg.http.prefer405over404 = true;
      cfg.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JsonErrorHandler(json)));
      cfg.requestLogger.http(ApiServer::logRequest);
      if (settings.tls().isPresent()) {
        cfg.jetty.addConnector((jetty, http) -> TlsConnector.create(jetty, http, settings.host(), settings.port(), settings.tls().get()));
      } else {
        cfg.jetty.addConnector((jetty, http) -> plainConnector(jetty, http, settings.host(), settings.port()));
      }
      JavalinDefaultRoutingApi app = cfg.routes;
      // Only the methods openapi.yaml lists are answered; left alone, a HEAD would get a bodiless
      // text/plain 200 that matches no GET (wrong content type, no auth): refuse it in the Error shape.
      app.before(ctx -> {
        if (ctx.method() == HandlerType.HEAD) {
          throw new ApiError(405, "method HEAD is not allowed on " + ctx.path() + "; use GET");
        }
      });
      app.before("/v1/*", ctx -> {
        // API answers are per-caller data: never cached, never content-sniffed (errors included)
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
        // A lead form carries its source's public intake key, never the admin token.
        if (leads == null || !LeadRoutes.isIntake(ctx)) auth.check(ctx);
        refuseNul(ctx);
      });
      Handler dashboardHeaders = ctx -> {
        // The page builds its DOM from API data with textContent only; the policy is a second wall.
        ctx.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Content-Type-Options", "nosniff");
      };
      app.before("/dashboard", dashboardHeaders);
      app.before("/dashboard/*", dashboardHeaders);

      app.get("/healthz", metrics::health);
      if (metricsAuth != null) app.before("/metrics", metricsAuth::check);
      app.get("/metrics", metrics::scrape);
      app.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openapi));

      app.post("/v1/sync-runs", runs::trigger);
      app.get("/v1/sync-runs", runs::list);
      app.get("/v1/sync-runs/{id}", runs::show);
      app.post("/v1/sync-runs/{id}/cancel", runs::cancel);
      app.post("/v1/sync-runs/{id}/resume", runs::resume);
      app.get("/v1/sync-runs/{id}/events", ctx -> {
        long id = SyncRunRoutes.runId(ctx);
        String accept = ctx.header("Accept");
        if (accept != null && accept.contains("text/event-stream")) {
          events.stream(ctx, id);
        } else {
          runs.events(ctx, id);
        }
      });
      app.get("/v1/records/{connection}/{type}/{id}", runs::explain);

      app.get("/v1/connections", connections::list);

      app.get("/v1/pipelines", pipelineRuns::pipelines);
      app.post("/v1/pipeline-runs", pipelineRuns::trigger);
      app.get("/v1/pipeline-runs", pipelineRuns::list);
      app.get("/v1/pipeline-runs/{id}", pipelineRuns::show);
      app.post("/v1/pipeline-runs/{id}/cancel", pipelineRuns::cancel);
      app.post("/v1/pipeline-runs/{id}/resume", pipelineRuns::resume);
      app.get("/v1/pipeline-runs/{id}/events", pipelineRuns::events);
      app.get("/v1/pipeline-runs/{id}/results", pipelineRuns::results);

      app.get("/v1/jobs/stats", jobs::stats);
      app.get("/v1/jobs/dead", jobs::dead);
      app.post("/v1/jobs/dead/retry", jobs::retryDead);
      app.post("/v1/jobs/dead/cancel", jobs::cancelDead);
      app.get("/v1/kinds", jobs::kinds);
      app.post("/v1/kinds/{kind}/{switch}", jobs::switchKind);
      app.post("/v1/jobs/{id}/retry", jobs::retry);
      app.get("/v1/rate-limits", jobs::rateLimits);

      app.post("/v1/leads", leadRoutes::submit);
      app.options("/v1/leads", leadRoutes::preflight);
      app.get("/v1/leads", leadRoutes::list);
      app.get("/v1/leads/stats", leadRoutes::stats);
      app.get("/v1/leads/{id}", leadRoutes::show);

      app.get("/v1/events/{id}/decisions", decisions::forEvent);
      // Webhook receivers: no bearer token (the before-handler covers /v1/* only); each sender
      // proves itself with its signature, organization id or path secret.
      app.post("/hooks/hubspot/{connection}", hooks::hubspot);
      app.post("/hooks/salesforce/{connection}", hooks::salesforce);
      app.post("/hooks/mailchimp/{connection}/{secret}", hooks::mailchimp);
      app.get("/hooks/mailchimp/{connection}/{secret}", hooks::mailchimpCheck);
      app.post("/hooks/standard/{source}", hooks::standard);
      app.get("/v1/events", inboundEvents::list);
      app.post("/v1/events/replay", inboundEvents::replayMatching);
      app.get("/v1/events/{id}", inboundEvents::show);
      app.post("/v1/events/{id}/replay", inboundEvents::replayOne);

      // The dashboard: static files that call the /v1 API from the browser with the token the
      // operator types in, so the page itself needs no auth and holds no data.
      app.get("/", ctx -> ctx.status(302).header("Location", "/dashboard")); // no body: openapi.yaml describes none
      app.get("/dashboard", ctx -> ctx.contentType("text/html; charset=utf-8").header("Cache-Control", "no-store").result(dashboardHtml));
      app.get("/dashboard/app.js", ctx -> ctx.contentType("text/javascript; charset=utf-8").header("Cache-Control", "no-store").result(dashboardJs));
      app.get("/dashboard/style.css", ctx -> ctx.contentType("text/css; charset=utf-8").header("Cache-Control", "no-store").result(dashboardCss));

      app.exception(ApiError.class, (e, ctx) -> error(ctx, json, e.status(), e.getMessage()));
      app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, json, e.getStatus(), switch (e.getStatus()) {
        case 404 -> "no such endpoint: " + ctx.method() + " " + ctx.path();
        case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path();
        default -> e.getMessage();
      }));
      app.exception(Exception.class, (e, ctx) -> {
        log.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
        error(ctx, json, 500, "internal error (see the server log)");
      });
      app.error(404, ctx -> {
        if (ctx.resultInputStream() == null) error(ctx, json, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
      });
      app.error(405, ctx -> {
        if (ctx.resultInputStream() == null) error(ctx, json, 405, "method " + ctx.method() + " is not allowed on " + ctx.path());
      });
    });

    server.start(settings.host(), settings.port());
    int port = server.port();
    String host = settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "127.0.0.1" : settings.host();
    URI url = URI.create((settings.tls().isPresent() ? "https://" : "http://") + host + ":" + port);
    log.info("HTTP API listening on {}", url);
    return new ApiServer(server, url, routes);
  }

  /**
   * One line per request, at a level that follows its status: DEBUG for answers below 400 (a busy
   * intake or webhook receiver answers thousands a second, and a line each cost ~5 % of its CPU),
   * INFO for refusals (4xx), WARN for our faults (5xx). Nothing is formatted at a level that is off.
   */
  static void logRequest(Context ctx, float ms) {
    int status = ctx.statusCode();
    org.slf4j.event.Level level = status >= 500 ? org.slf4j.event.Level.WARN
        : status >= 400 ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG;
    if (!requestLog.isEnabledForLevel(level)) return;
    requestLog.atLevel(level).log("method={} path={} status={} ms={} remote={}",
        ctx.method(), WebhookRoutes.redacted(ctx), status, String.format(java.util.Locale.ROOT, "%.1f", ms), ctx.ip());
  }

  /** Where the API answers, e.g. {@code http://127.0.0.1:8080}. */
  public URI url() {
    return url;
  }

  /**
   * Every HTTP route the server registered, as {@code METHOD /path/{param}} in registration order
   * ({@code ApiRoutesMatchDocumentTest} holds them equal to the paths and methods of {@code openapi.yaml}).
   */
  List<String> routes() {
    return routes;
  }

  /** The bound port. */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  /**
   * PostgreSQL's text cannot hold U+0000: a {@code %00} in a path segment or a query parameter would
   * fail the statement it is bound into (found by fuzzing: a 500). Refused for every /v1 route.
   */
  static void refuseNul(Context ctx) {
    String query = ctx.queryString();
    String raw = ctx.req().getRequestURI() + (query == null ? "" : "?" + query);
    if (raw.contains("%00")) {
      throw ApiError.badRequest("the URL holds an encoded NUL character (%00), which no path segment or parameter may contain");
    }
  }

  static void error(Context ctx, ObjectMapper json, int status, String reason) {
    ObjectNode body = json.createObjectNode().put("error", reason);
    send(ctx, json, status, body);
  }

  static void send(Context ctx, ObjectMapper json, int status, JsonNode body) {
    try {
      ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
      if (in == null) return ("# " + name + " is missing from the jar\n").getBytes(StandardCharsets.UTF_8);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
