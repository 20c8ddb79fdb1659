package dev.sluice.sandbox;

import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.Map;

/**
 * One vendor API served by the sandbox (HubSpot, Salesforce, Mailchimp, Segment, Slack). All
 * platforms share one HTTP server: their paths do not collide ({@code /crm/…}, {@code /services/data/…},
 * {@code /3.0/…}, {@code /v1/…}, {@code /api/…}); the admin API lives under {@code /_admin/}.
 */
public interface PlatformSandbox {

  /** Short lowercase name used in the ready line, admin paths and fault targets, e.g. {@code "hubspot"}. */
  String name();

  /** Registers this platform's routes on the shared server. */
  void routes(JavalinDefaultRoutingApi app);

  /**
   * What a client needs to talk to this platform, for the {@code --json} ready line:
   * at least {@code base_url} and the credentials (token, api key, write key...).
   */
  Map<String, Object> describe(String serverBaseUrl);

  /**
   * Called once by {@link Sandbox} before {@link #routes}: the shared clock and the hook to record
   * idempotency keys seen. Platforms that need neither can ignore it.
   */
  default void attach(SandboxServices services) {}

  /**
   * Whether a request path belongs to this platform (used to shape injected faults like this
   * platform's own errors). The default claims nothing, so injected faults get a generic JSON body.
   */
  default boolean ownsPath(String path) {
    return false;
  }

  /**
   * Writes this platform's own 429 answer for an injected rate-limit fault. The default is a
   * generic JSON body; platforms with a documented 429 shape override it.
   */
  default void writeInjectedRateLimit(io.javalin.http.Context ctx) {
    ctx.status(429).contentType("application/json")
        .result("{\"error\":\"rate_limited\",\"message\":\"Injected rate limit (sandbox fault).\"}");
  }

  /**
   * Writes this platform's own error body for an injected 5xx fault (status already chosen). The
   * default is a generic JSON body.
   */
  default void writeInjectedServerError(io.javalin.http.Context ctx, int status) {
    ctx.status(status).contentType("application/json")
        .result("{\"error\":\"server_error\",\"message\":\"Injected server error " + status + " (sandbox fault).\"}");
  }

  /**
   * Called as soon as a request for a path this platform owns arrives, before injected faults (a
   * slow fault included) and handlers. A platform that limits requests in flight (Mailchimp) takes a
   * slot here; when none is free it writes its answer and returns false, and nothing else runs.
   * Every arrival is matched by one {@link #depart} call.
   */
  default boolean arrive(io.javalin.http.Context ctx) {
    return true;
  }

  /** Called once per {@link #arrive} when the request's answer is final (faults and dropped connections too). */
  default void depart(io.javalin.http.Context ctx) {}

  /**
   * Writes this platform's own answer for a path it owns that no route serves (status 404 or 405
   * already set; a platform may change it, as Slack answers 200 {@code unknown_method}). The default
   * is the shared JSON error body.
   */
  default void writeUnknownEndpoint(io.javalin.http.Context ctx) {
    ctx.contentType("application/json").result(Sandbox.jsonError("Unknown endpoint: " + ctx.method() + " " + ctx.path()));
  }

  /** Stops background work (webhook senders, timers). Called once when the sandbox stops. */
  default void close() {}
}
