package dev.sluice.sandbox;

import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotSandbox;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * A running sandbox: one HTTP server on 127.0.0.1 serving every configured vendor API
 * ({@link PlatformSandbox}), with the admin API under {@code /_admin/}, fault injection, a request
 * journal and counters shared by all platforms.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.builder().port(0).clock(clock)
 *         .hubspot(HubSpotOptions.builder().tier(HubSpotTier.STARTER).build())
 *         .start()) {
 *   String base = sandbox.baseUrl();              // http://127.0.0.1:54321
 *   String token = sandbox.hubspot().token();
 *   sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "a@b.com"));
 *   sandbox.faults().add(FaultRule.tooManyRequests(0.1));
 *   long served429 = sandbox.counters().tooManyRequestsServed();
 * }
 * }</pre>
 *
 * Thread-safe. {@link #close()} stops the server and every platform's background work.
 */
public final class Sandbox implements AutoCloseable {
  /** Path prefix of the admin API; requests under it are never faulted nor journaled. */
  public static final String ADMIN_PREFIX = "/_admin";

  private static final String RECORDED = "sluice.sandbox.recorded";
  private static final String FAULT = "sluice.sandbox.fault";
  private static final String ARRIVED = "sluice.sandbox.arrived";

  private final Javalin app;
  private final List<PlatformSandbox> platforms;
  private final Clock clock;
  private final FaultInjector faults;
  private final RequestJournal journal;
  private final SandboxCounters counters;
  private volatile String baseUrl = "http://127.0.0.1:0";

  private Sandbox(Builder b) {
    this.platforms = List.copyOf(b.platforms);
    this.clock = b.clock;
    this.faults = new FaultInjector(b.seed);
    this.journal = new RequestJournal(b.journalCapacity);
    this.counters = new SandboxCounters();
    SandboxServices services = new SandboxServices(clock, counters, ctx -> finishEarly(ctx, ctx.attribute(FAULT)), () -> baseUrl);
    this.app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.concurrency.useVirtualThreads = true;
      cfg.http.maxRequestSize = 50_000_000L;
      cfg.http.compressionStrategy = CompressionStrategy.NONE;
      cfg.router.ignoreTrailingSlashes = true;
      cfg.jetty.host = "127.0.0.1";
      routes(cfg.routes, services);
    });
    app.start("127.0.0.1", b.port);
    this.baseUrl = "http://127.0.0.1:" + app.port();
  }

  private void routes(JavalinDefaultRoutingApi app, SandboxServices services) {
    app.before(this::beforeEveryRequest);
    app.after(this::afterEveryRequest);
    app.exception(Exception.class, (e, ctx) -> {
      if (e instanceof io.javalin.http.HttpResponseException r) {
        // Unknown paths and methods: in the owning vendor's shape, else still JSON.
        ctx.status(r.getStatus());
        if (r.getStatus() == 404 || r.getStatus() == 405) {
          unknownEndpoint(ctx);
        } else {
          ctx.contentType("application/json").result(jsonError(r.getMessage()));
        }
        return;
      }
      // A bug in a platform must still answer JSON, never Jetty's HTML page.
      ctx.status(500).contentType("application/json")
          .result(jsonError("Internal sandbox error: " + e));
    });
    for (int status : new int[] {404, 405}) {
      app.error(status, ctx -> {
        String type = ctx.res().getContentType();
        if (type == null || !type.startsWith("application/json") || noRouteMatched(ctx)) {
          unknownEndpoint(ctx);
        }
      });
    }
    new AdminRoutes(this).register(app);
    for (PlatformSandbox p : platforms) {
      p.attach(services);
      p.routes(app);
    }
  }

  /** A builder with port 0 (a free port), the system clock and seed 0. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public String baseUrl() {
    return baseUrl;
  }

  public int port() {
    return app.port();
  }

  /** The admin API's base URL, {@code baseUrl() + "/_admin"}. */
  public String adminUrl() {
    return baseUrl + ADMIN_PREFIX;
  }

  /** The HubSpot platform; throws if the sandbox was started without it. */
  public HubSpotSandbox hubspot() {
    return platform(HubSpotSandbox.class);
  }

  /** The registered platform of a type; throws if there is none. */
  public <T extends PlatformSandbox> T platform(Class<T> type) {
    for (PlatformSandbox p : platforms) if (type.isInstance(p)) return type.cast(p);
    throw new IllegalStateException("this sandbox was started without " + type.getSimpleName());
  }

  /** The registered platforms, in registration order. */
  public List<PlatformSandbox> platforms() {
    return platforms;
  }

  public Clock clock() {
    return clock;
  }

  public FaultInjector faults() {
    return faults;
  }

  public RequestJournal journal() {
    return journal;
  }

  public SandboxCounters counters() {
    return counters;
  }

  /**
   * What scripts need to drive the sandbox: one entry per platform (its {@code describe}) and
   * {@code admin_url}. This is the {@code --json} ready line of {@code sluice sandbox}.
   */
  public Map<String, Object> describe() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (PlatformSandbox p : platforms) out.put(p.name(), p.describe(baseUrl));
    out.put("admin_url", adminUrl());
    return out;
  }

  /** Stops the server, then every platform's background work. Idempotent. */
  @Override
  public void close() {
    app.stop();
    for (PlatformSandbox p : platforms) {
      try {
        p.close();
      } catch (RuntimeException e) {
        // Keep closing the others; a platform failing to stop must not leak the rest.
      }
    }
  }

  private void beforeEveryRequest(Context ctx) throws InterruptedException {
    String path = ctx.path();
    if (path.startsWith(ADMIN_PREFIX)) {
      requireJson(ctx);
      return;
    }
    PlatformSandbox arrivedAt = owner(path).orElse(null);
    if (arrivedAt != null) {
      ctx.attribute(ARRIVED, arrivedAt);
      if (!arrivedAt.arrive(ctx)) {
        finishEarly(ctx, null);
        return;
      }
    }
    FaultRule fault = faults.pick(path);
    if (fault == null) return;
    ctx.attribute(FAULT, fault);
    switch (fault.kind()) {
      case SLOW -> Thread.sleep(fault.delay().toMillis()); // real latency, as a slow vendor would add
      case MALFORMED_BODY -> { } // applied after the handler
      case TOO_MANY_REQUESTS -> {
        owner(path).ifPresentOrElse(p -> p.writeInjectedRateLimit(ctx), () -> ctx.status(429)
            .contentType("application/json").result(jsonError("Injected rate limit (sandbox fault).")));
        finishEarly(ctx, fault);
      }
      case SERVER_ERROR -> {
        owner(path).ifPresentOrElse(p -> p.writeInjectedServerError(ctx, fault.status()), () -> ctx.status(fault.status())
            .contentType("application/json").result(jsonError("Injected server error " + fault.status() + " (sandbox fault).")));
        finishEarly(ctx, fault);
      }
      case DROP_CONNECTION -> {
        record(ctx, -1, fault);
        counters.recordDroppedConnection();
        ctx.skipRemainingHandlers();
        // Close the socket under Jetty: the client gets EOF / reset instead of any answer.
        ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection().getEndPoint().close();
      }
    }
  }

  /**
   * Admin writes must say {@code Content-Type: application/json}: a web page cannot send that
   * cross-origin without a preflight the sandbox never grants, so it cannot drive the admin API.
   */
  private static void requireJson(Context ctx) {
    String method = ctx.method().name();
    if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) return;
    String type = ctx.contentType();
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) return;
    ctx.status(415).contentType("application/json").result(jsonError(
        "admin " + method + " requests must send Content-Type: application/json (got " + (type == null ? "none" : type) + ")"));
    ctx.skipRemainingHandlers();
  }

  private void finishEarly(Context ctx, FaultRule fault) {
    ctx.skipRemainingHandlers();
    if (ctx.attribute(RECORDED) != null) return;
    record(ctx, ctx.statusCode(), fault);
    counters.recordRequest(endpointClass(ctx), ctx.statusCode());
  }

  private void afterEveryRequest(Context ctx) {
    if (ctx.attribute(RECORDED) != null) return;
    FaultRule fault = ctx.attribute(FAULT);
    if (fault != null && fault.kind() == FaultRule.Kind.MALFORMED_BODY) {
      String body = ctx.result();
      String text = body == null ? "" : body;
      // Cut in the middle so that the answer is not valid JSON whatever it was.
      ctx.result(text.isEmpty() ? "{\"results\":[" : text.substring(0, Math.max(1, text.length() / 2)));
    }
    counters.recordRequest(endpointClass(ctx), ctx.statusCode());
    if (!ctx.path().startsWith(ADMIN_PREFIX)) record(ctx, ctx.statusCode(), fault);
  }

  /** True when no route served the request (the framework's own 404/405), false when a handler answered it. */
  private static boolean noRouteMatched(Context ctx) {
    return matchedRoute(ctx) == null;
  }

  /** The path pattern of the route that served the request, or null when none did. */
  private static String matchedRoute(Context ctx) {
    String route;
    try {
      var endpoint = ctx.endpoints().lastHttpEndpoint();
      route = endpoint == null ? null : endpoint.path;
    } catch (RuntimeException e) {
      return null;
    }
    return route == null || route.isEmpty() || route.equals("*") ? null : route;
  }

  private void unknownEndpoint(Context ctx) {
    owner(ctx.path()).ifPresentOrElse(p -> p.writeUnknownEndpoint(ctx), () -> ctx.contentType("application/json")
        .result(jsonError("Unknown endpoint: " + ctx.method() + " " + ctx.path())));
  }

  private java.util.Optional<PlatformSandbox> owner(String path) {
    return platforms.stream().filter(p -> p.ownsPath(path)).findFirst();
  }

  private static String endpointClass(Context ctx) {
    String route = matchedRoute(ctx);
    return ctx.method().name() + " " + (route == null ? ctx.path() : route);
  }

  private void record(Context ctx, int status, FaultRule fault) {
    ctx.attribute(RECORDED, Boolean.TRUE);
    PlatformSandbox arrivedAt = ctx.attribute(ARRIVED);
    if (arrivedAt != null) {
      ctx.attribute(ARRIVED, null);
      arrivedAt.depart(ctx);
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    var names = ctx.req().getHeaderNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      List<String> values = new ArrayList<>();
      var e = ctx.req().getHeaders(name);
      while (e.hasMoreElements()) values.add(e.nextElement());
      String lower = name.toLowerCase(Locale.ROOT);
      headers.put(lower, JournalRedaction.header(lower, List.copyOf(values)));
    }
    String query = ctx.queryString();
    String type = ctx.contentType();
    String body = ctx.body();
    if (type != null && type.startsWith("application/x-www-form-urlencoded")) body = JournalRedaction.pairs(body);
    journal.add(new RecordedRequest(Instant.now(clock), ctx.method().name(), ctx.path(),
        query == null ? "" : JournalRedaction.pairs(query), Map.copyOf(headers), body, status,
        fault == null ? null : fault.label()));
  }

  static String jsonError(String message) {
    return "{\"status\":\"error\",\"message\":" + quote(message) + "}";
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }

  /** Configures and starts a {@link Sandbox}. */
  public static final class Builder {
    private int port = 0;
    private Clock clock = Clock.systemUTC();
    private long seed = 0;
    private int journalCapacity = RequestJournal.DEFAULT_CAPACITY;
    private final List<PlatformSandbox> platforms = new ArrayList<>();

    private Builder() {}

    /** The port to listen on (127.0.0.1); 0 picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
      this.port = port;
      return this;
    }

    /** The clock every platform reads (rate-limit windows, timestamps, index lag). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Seed of the fault-injection draws. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** How many requests the journal keeps (0 disables it). */
    public Builder journalCapacity(int capacity) {
      this.journalCapacity = capacity;
      return this;
    }

    /** Adds the HubSpot platform with these options. */
    public Builder hubspot(HubSpotOptions options) {
      return platform(new HubSpotSandbox(options));
    }

    /** Adds a platform (Salesforce, Mailchimp...). Names must be unique. */
    public Builder platform(PlatformSandbox platform) {
      for (PlatformSandbox p : platforms) {
        if (p.name().equals(platform.name())) throw new IllegalArgumentException("platform " + p.name() + " added twice");
      }
      platforms.add(platform);
      return this;
    }

    /** Starts the server; the sandbox answers as soon as this returns. */
    public Sandbox start() {
      return new Sandbox(this);
    }
  }
}
