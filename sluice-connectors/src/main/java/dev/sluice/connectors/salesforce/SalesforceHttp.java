package dev.sluice.connectors.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ConnectorHttp;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every call to Salesforce's REST API: the connection's shared daily bucket, the bearer token,
 * {@code Sforce-Limit-Info} fed back to the bucket, and Salesforce's error arrays
 * ({@code [{"message","errorCode","fields"}]}) classified.
 */
final class SalesforceHttp {

  static final ObjectMapper JSON = new ObjectMapper();
  /** The REST API version used when the base URL names none. */
  static final String DEFAULT_API_VERSION = "65.0";
  /**
   * Wait after {@code REQUEST_LIMIT_EXCEEDED}: the allocation is a rolling 24 hours counted in
   * minute buckets, so calls free up minute by minute.
   */
  static final Duration REQUEST_LIMIT_WAIT = Duration.ofMinutes(1);
  /**
   * Wait after a {@code REQUEST_LIMIT_EXCEEDED} that is not the allocation: Salesforce names its
   * limit of concurrent long-running requests ({@code ConcurrentPerOrgLongTxn}), or the answer's own
   * {@code Sforce-Limit-Info} shows calls left. Such a refusal clears as other requests end.
   */
  static final Duration REQUEST_BURST_WAIT = Duration.ofSeconds(5);
  /** Salesforce's count is fed back when at most 1/this of the allocation is left. */
  static final long OBSERVE_BELOW_SHARE = 10;
  private static final Pattern API_USAGE = Pattern.compile("api-usage=(\\d+)/(\\d+)");

  /** One decoded answer of any status. */
  record Answer(int status, JsonNode body, ConnectorHttp.Response raw) {
    /** The first {@code errorCode} of an error array, or "". */
    String errorCode() {
      JsonNode first = body != null && body.isArray() && !body.isEmpty() ? body.get(0) : body;
      return first == null ? "" : first.path("errorCode").asText("");
    }
  }

  private final ConnectionConfig config;
  private final ConnectionLimits limits;
  private final RateLimitGate gate;
  private final ConnectorHttp http;
  private final Clock clock;
  private final String apiBase;
  private final String origin;
  private final String dailyBucket;

  SalesforceHttp(ConnectionConfig config, ConnectionLimits limits, RateLimitGate gate, HttpClient client, Clock clock) {
    this.config = config;
    this.limits = limits;
    this.gate = gate;
    this.clock = clock;
    this.http = new ConnectorHttp("Salesforce", gate, null, null, client);
    this.apiBase = apiBase(config);
    java.net.URI u = config.baseUrl();
    this.origin = u.getScheme() + "://" + u.getRawAuthority();
    this.dailyBucket = ConnectionLimits.bucketName(config.name(), "daily");
  }

  /** {@code base_url} when it names {@code /services/data/vNN.0}, else the instance URL plus the API version. */
  static String apiBase(ConnectionConfig config) {
    String base = config.baseUrl().toString();
    if (base.matches(".*/services/data/v\\d+\\.\\d+$")) {
      return base;
    }
    String version = config.setting("api_version") == null ? DEFAULT_API_VERSION : config.setting("api_version");
    return base + "/services/data/v" + version;
  }

  /** Sends and decodes; a non-2xx answer is returned, not thrown (see {@link #check}). */
  Answer exchange(String endpointClass, String method, String pathOrUrl, JsonNode body, String position) throws ConnectorException {
    String url = pathOrUrl.startsWith("/services/") ? origin + pathOrUrl : apiBase + pathOrUrl;
    HttpRequest request = ConnectorHttp.jsonRequest(url, "Bearer " + config.token(), method, body == null ? null : body.toString());
    ConnectorHttp.Response resp = http.send(limits.bucketsFor(config.name(), endpointClass), request, position);
    observe(resp);
    JsonNode json = http.json(resp, JSON, position);
    return new Answer(resp.status(), json, resp);
  }

  /** {@link #exchange}, throwing the classified failure for anything but 2xx. */
  JsonNode send(String endpointClass, String method, String pathOrUrl, JsonNode body, String position) throws ConnectorException {
    Answer a = exchange(endpointClass, method, pathOrUrl, body, position);
    check(a, position);
    return a.body() == null ? JSON.nullNode() : a.body();
  }

  void check(Answer a, String position) throws ConnectorException {
    int status = a.status();
    if (status >= 200 && status < 300) {
      return;
    }
    String code = a.errorCode();
    String detail = detail(a);
    if (status == 401) {
      throw ConnectorException.auth("Salesforce rejected the session of connection '" + config.name() + "' (401 "
          + (code.isEmpty() ? "" : code + ": ") + detail + "): the access token expired or was revoked; get a new one and set "
          + (config.tokenSource() == null ? "the connection's token" : config.tokenSource()), status);
    }
    if (status == 403 && "REQUEST_LIMIT_EXCEEDED".equals(code)) {
      // The job snoozes; the shared bucket is not emptied: Sforce-Limit-Info on the next answers
      // sets it when the allocation is really low. Only a spent allocation is worth a minute's
      // wait: a refusal whose own answer shows calls left (another limit, another client's burst)
      // is tried again in seconds.
      Optional<String> info = a.raw().header("Sforce-Limit-Info");
      if (!allocationSpent(detail, info)) {
        throw ConnectorException.rateLimited("Salesforce refused connection '" + config.name() + "' at " + position
            + " (403 REQUEST_LIMIT_EXCEEDED: " + detail + ") with calls left (" + info.orElse("no Sforce-Limit-Info")
            + "); waiting " + REQUEST_BURST_WAIT.toSeconds() + " s", REQUEST_BURST_WAIT, status);
      }
      throw ConnectorException.rateLimited("Salesforce's daily API allocation of connection '" + config.name()
          + "' is spent (403 REQUEST_LIMIT_EXCEEDED) at " + position + "; waiting " + REQUEST_LIMIT_WAIT.toSeconds() + " s",
          REQUEST_LIMIT_WAIT, status);
    }
    if (status == 403) {
      throw ConnectorException.auth("Salesforce refused connection '" + config.name() + "' at " + position + " (403 " + code
          + ": " + detail + "): check the integration user's permissions", status);
    }
    if (status == 429) {
      Duration wait = ConnectorHttp.retryAfter(a.raw(), clock.instant()).orElse(REQUEST_LIMIT_WAIT);
      throw ConnectorException.rateLimited("Salesforce answered 429 at " + position, wait, status);
    }
    if (status >= 500 || "UNABLE_TO_LOCK_ROW".equals(code) || "SERVER_UNAVAILABLE".equals(code)) {
      throw ConnectorException.serverError("Salesforce answered " + status + " at " + position + ": " + detail, status,
          status >= 500 ? ConnectorHttp.retryAfter(a.raw(), clock.instant()) : java.util.Optional.empty());
    }
    throw ConnectorException.permanentBatch("Salesforce refused " + position + " (" + status + " " + code + "): " + detail, status);
  }

  /**
   * Whether a {@code REQUEST_LIMIT_EXCEEDED} is about the rolling 24-hour allocation: not when
   * Salesforce names its concurrent long-running requests limit, nor when the answer's
   * {@code Sforce-Limit-Info} shows calls left in every allocation it lists (the org's
   * {@code api-usage} and any {@code per-app-api-usage}); yes when it shows one spent or is absent.
   */
  static boolean allocationSpent(String message, Optional<String> limitInfo) {
    if (message != null && message.contains("ConcurrentPerOrgLongTxn")) {
      return false;
    }
    if (limitInfo.isEmpty()) {
      return true;
    }
    Matcher m = API_USAGE.matcher(limitInfo.get());
    boolean any = false;
    while (m.find()) {
      any = true;
      if (Long.parseLong(m.group(1)) >= Long.parseLong(m.group(2))) {
        return true;
      }
    }
    return !any;
  }

  private static String detail(Answer a) {
    JsonNode b = a.body();
    JsonNode first = b != null && b.isArray() && !b.isEmpty() ? b.get(0) : b;
    if (first != null && first.has("message")) {
      return first.path("message").asText();
    }
    return ConnectorHttp.excerpt(a.raw().body());
  }

  /** {@code Sforce-Limit-Info: api-usage=N/M}: when little is left, the shared bucket is set to what Salesforce says. */
  private void observe(ConnectorHttp.Response resp) {
    Optional<String> info = resp.header("Sforce-Limit-Info");
    RateLimitSpec day = limits.buckets().get("daily");
    if (info.isEmpty() || day == null) {
      return;
    }
    Matcher m = API_USAGE.matcher(info.get());
    if (m.find()) {
      long used = Long.parseLong(m.group(1));
      long max = Long.parseLong(m.group(2));
      long left = Math.max(0, max - used);
      if (left <= Math.min(max, day.permits()) / OBSERVE_BELOW_SHARE) {
        gate.observe(dailyBucket, left, Duration.ZERO);
      }
    }
  }

  List<String> buckets(String endpointClass) {
    return limits.bucketsFor(config.name(), endpointClass);
  }
}
