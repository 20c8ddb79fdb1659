package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.BoundedBody;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Every HTTP call to HubSpot goes through here: take permits from the connection's shared buckets,
 * send with the token, feed the rate-limit headers back, and turn failures into classified
 * {@link ConnectorException}s.
 */
final class HubSpotHttp {

  /** Longest a caller waits in-process for a permit; beyond it the job should snooze instead. */
  static final Duration MAX_LIMITER_WAIT = Duration.ofSeconds(2);
  /** Per-request timeout: HubSpot answers list and search pages well within it. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** HubSpot asks for at least 2 s after a 423 (Locked). */
  static final Duration LOCKED_WAIT = Duration.ofSeconds(2);
  /** Wait after a search-limit 429 without Retry-After: the search limit is per second. */
  static final Duration SEARCH_429_WAIT = Duration.ofSeconds(1);
  /** Wait after a 10-second-limit 429 without Retry-After: a fifth of the rolling window. */
  static final Duration TEN_SECONDLY_429_WAIT = Duration.ofSeconds(2);

  /** HubSpot's remaining count is fed back when it is at most 1/this of the limit (see observe). */
  static final long OBSERVE_BELOW_SHARE = 10;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HubSpotHttp.class);
  /** The registry's endpoint class of v4 batch association calls. */
  static final String ASSOCIATIONS = "associations";
  /** Above that share, HubSpot's daily count is still fed back this often (it corrects drift either way). */
  static final Duration DAILY_OBSERVE_INTERVAL = Duration.ofMinutes(1);

  static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS, false)
      .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

  /** A decoded 2xx answer. */
  record Response(int status, JsonNode body) {}

  private final ConnectionConfig config;
  private final ConnectionLimits limits;
  private final RateLimitGate gate;
  private final HttpClient client;
  private final Clock clock;
  /** Longest this view waits for a permit (read-ahead uses a shorter bound than {@link #MAX_LIMITER_WAIT}). */
  private final Duration maxLimiterWait;
  /** True once the work this view serves was abandoned: no further request is sent. */
  private final BooleanSupplier cancelled;
  /** Resolved once: the bucket names per endpoint class, the base URL and the auth header value. */
  private final Map<String, List<String>> bucketsByEndpoint;
  private final String baseUrl;
  private final String authorization;
  /** What this connection's views (the connector and its read-aheads) share: see {@link Learned}. */
  private final Learned daily;

  /**
   * What the connection learns from HubSpot's answers: when its daily count was last fed back, how
   * many calls are on their way, and whether v4 association reads count against the 10-second
   * window (HubSpot's docs do not settle it; the registry says they do not).
   */
  private static final class Learned {
    final java.util.concurrent.atomic.AtomicLong observedAt = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
    final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean associationsInTenSeconds;
    /** Association calls' permits taken without the 10-second bucket before that was learned. */
    final java.util.concurrent.atomic.AtomicInteger associationsUnpaid = new java.util.concurrent.atomic.AtomicInteger();
  }

  /** The connector's clock's instant. */
  Instant now() {
    return clock.instant();
  }

  HubSpotHttp(ConnectionConfig config, ConnectionLimits limits, RateLimitGate gate, HttpClient client, Clock clock) {
    this(config, limits, gate, client, clock, MAX_LIMITER_WAIT, () -> false, resolveBuckets(config, limits), new Learned());
  }

  private HubSpotHttp(ConnectionConfig config, ConnectionLimits limits, RateLimitGate gate, HttpClient client, Clock clock,
      Duration maxLimiterWait, BooleanSupplier cancelled, Map<String, List<String>> bucketsByEndpoint,
      Learned daily) {
    this.config = config;
    this.limits = limits;
    this.gate = gate;
    this.client = client;
    this.clock = clock;
    this.maxLimiterWait = maxLimiterWait;
    this.cancelled = cancelled;
    this.bucketsByEndpoint = bucketsByEndpoint;
    this.baseUrl = config.baseUrl().toString();
    this.authorization = "Bearer " + config.token();
    this.daily = daily;
  }

  private static Map<String, List<String>> resolveBuckets(ConnectionConfig config, ConnectionLimits limits) {
    Map<String, List<String>> out = new java.util.HashMap<>();
    limits.endpoints().keySet().forEach(e -> out.put(e, limits.bucketsFor(config.name(), e)));
    return Map.copyOf(out);
  }

  /**
   * The same connection for background read-ahead: it waits at most {@code maxWait} for a permit
   * (beyond it the request is not worth making ahead of time) and sends nothing once {@code
   * cancelled} says so.
   */
  HubSpotHttp forReadAhead(Duration maxWait, BooleanSupplier cancelled) {
    return new HubSpotHttp(config, limits, gate, client, clock, maxWait, cancelled, bucketsByEndpoint, daily);
  }

  /**
   * Sends one request.
   *
   * @param endpointClass the registry's endpoint class ({@code list}, {@code search}, {@code associations}, {@code write})
   * @param pathAndQuery e.g. {@code /crm/v3/objects/contacts?limit=100}
   * @param body JSON body or null
   * @param position where in the stream this is, for error messages
   */
  Response send(String endpointClass, String method, String pathAndQuery, JsonNode body, Map<String, String> headers,
      String position) throws ConnectorException {
    acquire(endpointClass, 1, position);
    return sendPrepaid(endpointClass, method, pathAndQuery, body, headers, position);
  }

  /**
   * Takes {@code permits} requests' worth of {@code endpointClass} at once, for calls then made with
   * {@link #sendPrepaid}: one round trip to the shared limiter instead of one per call.
   */
  void prepay(String endpointClass, int permits, String position) throws ConnectorException {
    if (permits <= 0) {
      return;
    }
    try {
      acquire(endpointClass, permits, position);
    } catch (IllegalArgumentException bucketTooSmall) {
      // A bucket that can never hold that many at once (a tiny override): take them one by one.
      for (int i = 0; i < permits; i++) {
        acquire(endpointClass, 1, position);
      }
    }
  }

  /** {@link #send} whose permit was already taken with {@link #prepay}. */
  Response sendPrepaid(String endpointClass, String method, String pathAndQuery, JsonNode body, Map<String, String> headers,
      String position) throws ConnectorException {
    checkNotCancelled(position);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", authorization)
        .header("Accept", "application/json");
    headers.forEach(b::header);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    HttpResponse<String> resp;
    daily.inFlight.incrementAndGet();
    try {
      resp = client.send(b.build(), BoundedBody.handler(BoundedBody.DEFAULT_LIMIT));
    } catch (HttpTimeoutException e) {
      throw ConnectorException.retryable("HubSpot did not answer in time at " + position + " (" + e.getMessage() + ")", 0, e);
    } catch (IOException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BoundedBody.TooLarge) {
          throw ConnectorException.malformed("HubSpot's answer at " + position + " was cut: " + t.getMessage(), e);
        }
      }
      throw ConnectorException.retryable("connection to HubSpot failed at " + position + ": " + e, 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ConnectorException.retryable("interrupted while calling HubSpot at " + position, 0, e);
    } finally {
      daily.inFlight.decrementAndGet();
    }
    if (BoundedBody.announcedTooLarge(resp, BoundedBody.DEFAULT_LIMIT)) {
      throw ConnectorException.malformed("HubSpot's answer at " + position + " announced "
          + resp.headers().firstValue("Content-Length").orElse("?") + " bytes, over the limit of " + BoundedBody.DEFAULT_LIMIT, null);
    }
    observe(resp, endpointClass);
    int status = resp.statusCode();
    if (status >= 200 && status < 300) {
      if (status == 204 || resp.body() == null || resp.body().isBlank()) {
        return new Response(status, JSON.nullNode());
      }
      try {
        return new Response(status, JSON.readTree(resp.body()));
      } catch (JacksonException e) {
        throw ConnectorException.malformed("HubSpot sent an unreadable answer (HTTP " + status + ") at " + position
            + ": " + firstLine(e.getOriginalMessage()), e);
      }
    }
    throw classify(status, resp, endpointClass, position);
  }

  private void checkNotCancelled(String position) throws ConnectorException {
    if (cancelled.getAsBoolean()) {
      throw ConnectorException.retryable("read-ahead of " + position + " was cancelled", 0, null);
    }
  }

  private void acquire(String endpointClass, int permits, String position) throws ConnectorException {
    checkNotCancelled(position);
    List<String> buckets = bucketsByEndpoint.get(endpointClass);
    if (buckets == null) {
      buckets = limits.bucketsFor(config.name(), endpointClass);
    }
    if (ASSOCIATIONS.equals(endpointClass)) {
      if (daily.associationsInTenSeconds) {
        buckets = withTenSeconds(buckets);
      } else {
        daily.associationsUnpaid.addAndGet(permits);
      }
    }
    if (buckets.isEmpty()) {
      return;
    }
    Optional<Duration> wait = gate.acquire(buckets, permits, maxLimiterWait);
    if (wait.isPresent()) {
      throw ConnectorException.rateLimited("rate limit " + String.join(" + ", buckets) + " is spent before " + position
          + "; next permit in " + wait.get().toMillis() + " ms", wait.get(), 0);
    }
  }

  /** {@code buckets} plus the connection's 10-second bucket, if it has one and they lack it. */
  private List<String> withTenSeconds(List<String> buckets) {
    String ten = ConnectionLimits.bucketName(config.name(), "10s");
    if (!limits.buckets().containsKey("10s") || buckets.contains(ten)) {
      return buckets;
    }
    List<String> out = new java.util.ArrayList<>(buckets);
    out.add(ten);
    return out;
  }

  /**
   * From now on v4 association reads take 10-second permits too: an association answer carried
   * the 10-second window's headers (taken to mean it was counted: HubSpot's search answers, which
   * are not, carry none) or a 10-second 429.
   */
  private void learnAssociationsCount(String why) {
    if (!daily.associationsInTenSeconds) {
      daily.associationsInTenSeconds = true;
      LOG.info("connection '{}': HubSpot counts v4 association reads against the 10-second limit ({}); taking permits for them",
          config.name(), why);
      // The calls made before it was learned count in HubSpot's window too: take their permits now.
      int unpaid = daily.associationsUnpaid.getAndSet(0);
      String ten = ConnectionLimits.bucketName(config.name(), "10s");
      RateLimitSpec spec = limits.buckets().get("10s");
      if (unpaid > 0 && spec != null) {
        gate.acquire(List.of(ten), (int) Math.min(unpaid, spec.permits()), maxLimiterWait);
      }
    }
  }

  /** Feeds HubSpot's own view of the limits back into the shared buckets. */
  private void observe(HttpResponse<?> resp, String endpointClass) {
    if (ASSOCIATIONS.equals(endpointClass) && resp.headers().firstValue("X-HubSpot-RateLimit-Remaining").isPresent()) {
      learnAssociationsCount("its answers carry the 10-second headers");
    }
    // The 10-second window: observing only lowers it, and it holds a small burst, so HubSpot's count
    // matters only when it is low (someone else uses the same account): skip the shared-store
    // round trip otherwise.
    Optional<Long> remaining = longHeader(resp, "X-HubSpot-RateLimit-Remaining");
    RateLimitSpec tenSeconds = limits.buckets().get("10s");
    if (remaining.isPresent() && tenSeconds != null && !"search".equals(endpointClass)
        && remaining.get() <= tenSeconds.permits() / OBSERVE_BELOW_SHARE) {
      // A rolling window frees slots continuously: what remains is usable now (window left = 0).
      gate.observe(ConnectionLimits.bucketName(config.name(), "10s"), remaining.get(), Duration.ZERO);
    }
    // The daily quota is a fixed window (reset at the portal's midnight) and is set to HubSpot's
    // count, up or down, so that nothing HubSpot says remains is held back: when the count is low
    // (the end of the day, or another client of the account), and otherwise once a minute. Calls of
    // this process still on their way may not be in HubSpot's count yet: they are taken off it.
    Optional<Long> dailyRemaining = longHeader(resp, "X-HubSpot-RateLimit-Daily-Remaining");
    RateLimitSpec day = limits.buckets().get("daily");
    if (dailyRemaining.isPresent() && day != null) {
      long now = clock.millis();
      long last = daily.observedAt.get();
      boolean low = dailyRemaining.get() <= day.permits() / OBSERVE_BELOW_SHARE;
      boolean due = last == Long.MIN_VALUE || now - last >= DAILY_OBSERVE_INTERVAL.toMillis();
      if (low || (due && daily.observedAt.compareAndSet(last, now))) {
        long left = Math.max(0, dailyRemaining.get() - daily.inFlight.get());
        gate.observe(ConnectionLimits.bucketName(config.name(), "daily"), left, untilDailyReset());
      }
    }
  }

  /** Time until the daily quota resets: the next midnight in the connection's time zone. */
  private Duration untilDailyReset() {
    Instant now = clock.instant();
    java.time.ZoneId zone = config.dailyLimitZone();
    Instant midnight = LocalDate.ofInstant(now, zone).plusDays(1).atStartOfDay(zone).toInstant();
    return Duration.between(now, midnight);
  }

  private ConnectorException classify(int status, HttpResponse<String> resp, String endpointClass, String position) {
    JsonNode err = parseQuietly(resp.body());
    String detail = errorDetail(err, resp.body());
    switch (status) {
      case 401, 403 -> {
        return ConnectorException.auth("HubSpot rejected the token of connection '" + config.name() + "' (" + status + "): check "
            + (config.tokenSource() == null ? "the connection's token" : config.tokenSource())
            + (status == 403 ? " and that the private app has the scopes for " + position : " / the private app's scopes")
            + (detail.isEmpty() ? "" : " — HubSpot said: " + detail), status);
      }
      case 429 -> {
        if (ASSOCIATIONS.equals(endpointClass) && err != null && "TEN_SECONDLY_ROLLING".equals(err.path("policyName").asText())) {
          learnAssociationsCount("a 10-second 429");
        }
        Duration wait = retryAfter(resp, clock).orElseGet(() -> waitFor429(err, endpointClass));
        drainBucket(err, endpointClass, wait);
        return ConnectorException.rateLimited("HubSpot answered 429 at " + position + " (" + detail + "); waiting "
            + wait.toMillis() + " ms", wait, status);
      }
      case 423 -> {
        Duration wait = retryAfter(resp, clock).filter(d -> d.compareTo(LOCKED_WAIT) > 0).orElse(LOCKED_WAIT);
        return ConnectorException.rateLimited("HubSpot answered 423 (locked) at " + position + "; waiting " + wait.toMillis() + " ms",
            wait, status);
      }
      case 477 -> {
        Duration wait = retryAfter(resp, clock).orElse(LOCKED_WAIT);
        return ConnectorException.rateLimited("HubSpot answered 477 (migration in progress) at " + position, wait, status);
      }
      case 408 -> {
        return ConnectorException.retryable("HubSpot timed out (408) at " + position, status, null);
      }
      default -> {
        if (status >= 500) {
          return ConnectorException.retryable("HubSpot answered " + status + " at " + position
              + (detail.isEmpty() ? "" : ": " + detail), status, null);
        }
        return ConnectorException.permanentBatch("HubSpot refused the request (" + status + ") at " + position
            + (detail.isEmpty() ? "" : ": " + detail), status);
      }
    }
  }

  private Duration waitFor429(JsonNode err, String endpointClass) {
    String policy = err == null ? "" : err.path("policyName").asText("");
    if ("DAILY".equalsIgnoreCase(policy)) {
      return untilDailyReset();
    }
    if ("search".equals(endpointClass) || (err != null && "RATE_LIMITS".equals(err.path("category").asText()))) {
      return SEARCH_429_WAIT;
    }
    return TEN_SECONDLY_429_WAIT;
  }

  /** A 429 means someone else is using the same token: empty our shared bucket so every worker backs off. */
  private void drainBucket(JsonNode err, String endpointClass, Duration wait) {
    String policy = err == null ? "" : err.path("policyName").asText("");
    String cls = "DAILY".equalsIgnoreCase(policy) ? "daily" : "search".equals(endpointClass) ? "search" : "10s";
    if (limits.buckets().containsKey(cls)) {
      String bucket = ConnectionLimits.bucketName(config.name(), cls);
      dev.sluice.connectors.ConnectorHttp.countThrottled(gate, bucket);
      gate.observe(bucket, 0, wait);
    } else {
      List<String> buckets = bucketsByEndpoint.getOrDefault(endpointClass, List.of());
      if (!buckets.isEmpty()) {
        dev.sluice.connectors.ConnectorHttp.countThrottled(gate, buckets.get(0));
      }
    }
  }

  /** {@code Retry-After} in seconds (HubSpot API) or as an HTTP date. */
  static Optional<Duration> retryAfter(HttpResponse<?> resp, Clock clock) {
    return resp.headers().firstValue("Retry-After").flatMap(v -> parseRetryAfter(v, clock.instant()));
  }

  static Optional<Duration> parseRetryAfter(String v, Instant now) {
    String s = v.trim();
    try {
      double seconds = Double.parseDouble(s);
      if (seconds < 0 || Double.isNaN(seconds)) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000)));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(now, at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (RuntimeException ignored) {
        return Optional.empty();
      }
    }
  }

  private static Optional<Long> longHeader(HttpResponse<?> resp, String name) {
    return resp.headers().firstValue(name).flatMap(v -> {
      try {
        return Optional.of(Long.parseLong(v.trim()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
  }

  private static JsonNode parseQuietly(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (JacksonException e) {
      return null;
    }
  }

  /** "CATEGORY: message" from HubSpot's error body, or the start of a non-JSON body. */
  static String errorDetail(JsonNode err, String raw) {
    if (err != null && err.isObject()) {
      String category = err.path("category").asText(err.path("errorType").asText(""));
      String message = err.path("message").asText("");
      return (category.isEmpty() ? "" : category + ": ") + message;
    }
    if (raw == null) {
      return "";
    }
    String s = firstLine(raw.strip());
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
