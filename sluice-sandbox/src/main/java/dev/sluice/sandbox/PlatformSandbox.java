package dev.sluice.sandbox;

import io.javalin.Javalin;
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
  void routes(Javalin app);

  /**
   * What a client needs to talk to this platform, for the {@code --json} ready line:
   * at least {@code base_url} and the credentials (token, api key, write key...).
   */
  Map<String, Object> describe(String serverBaseUrl);

  /** Stops background work (webhook senders, timers). Called once when the sandbox stops. */
  default void close() {}
}
