package dev.sluice.connectors.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.ConcurrencyGate;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ConnectorHttp;
import dev.sluice.connectors.RateLimitGate;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * Every call to Mailchimp's Marketing API: Basic auth with the API key, one slot of the account's
 * shared cap of simultaneous connections (from before the request to its answer), and Mailchimp's
 * {@code application/problem+json} errors classified.
 */
final class MailchimpHttp {

  static final ObjectMapper JSON = new ObjectMapper();
  /** The cap class of the registry's {@code concurrency} whose slots every request holds. */
  static final String CONNECTIONS = "connections";
  /**
   * Wait after Mailchimp's 429 (too many simultaneous connections; it sends no Retry-After): a
   * connection frees up when some request of the account ends, well within a second.
   */
  static final Duration TOO_MANY_CONNECTIONS_WAIT = Duration.ofSeconds(1);

  private final ConnectionConfig config;
  private final ConnectionLimits limits;
  private final ConnectorHttp http;
  private final Clock clock;
  private final String authorization;

  MailchimpHttp(ConnectionConfig config, ConnectionLimits limits, RateLimitGate gate, ConcurrencyGate slots, HttpClient client, Clock clock) {
    this.config = config;
    this.limits = limits;
    this.clock = clock;
    boolean capped = limits.concurrency().containsKey(CONNECTIONS);
    this.http = new ConnectorHttp("Mailchimp", gate, capped ? slots : null,
        capped ? ConnectionLimits.capName(config.name(), CONNECTIONS) : null, client);
    this.authorization = "Basic " + Base64.getEncoder().encodeToString(("sluice:" + config.token()).getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a request to {@code base_url + path} and decodes the answer, throwing the classified failure for anything but 2xx. */
  JsonNode send(String endpointClass, String method, String path, JsonNode body, String position) throws ConnectorException {
    HttpRequest request = ConnectorHttp.jsonRequest(config.baseUrl() + path, authorization, method, body == null ? null : body.toString());
    ConnectorHttp.Response resp = http.send(limits.bucketsFor(config.name(), endpointClass), request, position);
    JsonNode json = http.json(resp, JSON, position);
    check(resp, json, position);
    return json == null ? JSON.nullNode() : json;
  }

  private void check(ConnectorHttp.Response resp, JsonNode problem, String position) throws ConnectorException {
    int status = resp.status();
    if (status >= 200 && status < 300) {
      return;
    }
    String detail = detail(resp, problem);
    String key = config.tokenSource() == null ? "the connection's API key" : config.tokenSource();
    if (status == 401) {
      throw ConnectorException.auth("Mailchimp rejected the API key of connection '" + config.name() + "' (401 " + detail
          + "): check " + key + " (a key ends in its data center, e.g. -us21, and base_url must be that data center's)", status);
    }
    if (status == 403) {
      throw ConnectorException.auth("Mailchimp refused connection '" + config.name() + "' at " + position + " (403 " + detail
          + "): the account behind " + key + " may not use this audience or API", status);
    }
    if (status == 429) {
      java.time.Duration wait = ConnectorHttp.retryAfter(resp, clock.instant()).orElse(TOO_MANY_CONNECTIONS_WAIT);
      throw ConnectorException.rateLimited("Mailchimp answered 429 at " + position + " (" + detail + ")", wait, status);
    }
    if (status >= 500) {
      throw ConnectorException.serverError("Mailchimp answered " + status + " at " + position + ": " + detail, status,
          ConnectorHttp.retryAfter(resp, clock.instant()));
    }
    if (status == 404) {
      throw ConnectorException.permanentBatch("Mailchimp found nothing at " + position + " (404 " + detail + "): check list_id '"
          + config.setting("list_id") + "' of connection '" + config.name() + "'", status);
    }
    throw ConnectorException.permanentBatch("Mailchimp refused " + position + " (" + status + " " + detail + ")", status);
  }

  /** {@code title: detail} of a problem+json body, with its field errors; else the start of the body. */
  static String detail(ConnectorHttp.Response resp, JsonNode problem) {
    if (problem == null || !problem.isObject() || !problem.has("title")) {
      return ConnectorHttp.excerpt(resp.body());
    }
    StringBuilder sb = new StringBuilder(problem.path("title").asText());
    String d = problem.path("detail").asText("");
    if (!d.isEmpty()) {
      sb.append(": ").append(d);
    }
    for (JsonNode e : problem.path("errors")) {
      sb.append(" [").append(e.path("field").asText("")).append(": ").append(e.path("message").asText("")).append(']');
    }
    return sb.toString();
  }
}
