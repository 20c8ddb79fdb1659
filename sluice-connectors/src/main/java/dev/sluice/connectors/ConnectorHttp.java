package dev.sluice.connectors;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * The transport every connector but HubSpot's (which has its own, older one) shares: take the
 * request's permits from the connection's shared rate-limit buckets and, where the platform caps
 * simultaneous requests, a slot of its {@link ConcurrencyGate}; send; hand back status, headers
 * and body; turn I/O failures and timeouts into {@link ConnectorException.Kind#RETRYABLE}. Status
 * codes are the platform's to classify. Thread-safe.
 */
public final class ConnectorHttp {

  /** Longest a caller waits in-process for a permit or a slot; beyond it the job should snooze. */
  public static final Duration MAX_LIMITER_WAIT = Duration.ofSeconds(2);
  /** Per-request timeout. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /** One answer, any status. */
  public record Response(int status, HttpHeaders headers, String body) {
    /** The first value of header {@code name}, if sent. */
    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }
  }

  private final String platformLabel;
  private final RateLimitGate gate;
  private final ConcurrencyGate slots;
  private final String slotName;
  private final HttpClient client;

  /**
   * @param platformLabel for messages, e.g. {@code "Salesforce"}
   * @param slots the concurrency cap, or null when the platform has none
   * @param slotName the cap's shared name (e.g. {@code "mailchimp-main:connections"}); ignored without slots
   */
  public ConnectorHttp(String platformLabel, RateLimitGate gate, ConcurrencyGate slots, String slotName, HttpClient client) {
    this.platformLabel = platformLabel;
    this.gate = gate;
    this.slots = slots;
    this.slotName = slotName;
    this.client = client;
  }

  /**
   * Sends {@code request} after taking one permit of every bucket in {@code buckets}.
   *
   * @throws ConnectorException RATE_LIMITED when a permit or slot is not free within {@link
   *     #MAX_LIMITER_WAIT}; RETRYABLE on I/O failure or timeout; MALFORMED for an oversized answer
   */
  public Response send(List<String> buckets, HttpRequest request, String position) throws ConnectorException {
    if (!buckets.isEmpty()) {
      Optional<Duration> wait = gate.acquire(buckets, 1, MAX_LIMITER_WAIT);
      if (wait.isPresent()) {
        throw ConnectorException.rateLimited("rate limit " + String.join(" + ", buckets) + " is spent before " + position
            + "; next permit in " + wait.get().toMillis() + " ms", wait.get(), 0);
      }
    }
    ConcurrencyGate.Slot slot = null;
    if (slots != null) {
      slot = slots.acquire(slotName, MAX_LIMITER_WAIT).orElseThrow(() -> ConnectorException.rateLimited(
          "all " + platformLabel + " connections of " + slotName + " are in use before " + position,
          ConcurrencyGate.RETRY_WHEN_FULL, 0));
    }
    try {
      HttpResponse<String> resp = client.send(request, BoundedBody.handler(BoundedBody.DEFAULT_LIMIT));
      if (BoundedBody.announcedTooLarge(resp, BoundedBody.DEFAULT_LIMIT)) {
        throw ConnectorException.malformed(platformLabel + "'s answer at " + position + " announced "
            + resp.headers().firstValue("Content-Length").orElse("?") + " bytes, over the limit of " + BoundedBody.DEFAULT_LIMIT, null);
      }
      String body = resp.body();
      if (resp.statusCode() == 429 && !buckets.isEmpty()) {
        countThrottled(gate, buckets.get(0));
      }
      return new Response(resp.statusCode(), resp.headers(), body == null ? "" : body);
    } catch (HttpTimeoutException e) {
      throw ConnectorException.retryable(platformLabel + " did not answer in time at " + position, 0, e);
    } catch (IOException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BoundedBody.TooLarge) {
          throw ConnectorException.malformed(platformLabel + "'s answer at " + position + " was cut: " + t.getMessage(), e);
        }
      }
      throw ConnectorException.retryable("connection to " + platformLabel + " failed at " + position + ": " + e, 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ConnectorException.retryable("interrupted while calling " + platformLabel + " at " + position, 0, e);
    } finally {
      if (slot != null) {
        slot.close();
      }
    }
  }

  /**
   * Counts a 429 against {@code bucket} for /metrics ({@link RateLimitGate#throttled}); a failure
   * to count never changes how the answer is handled.
   */
  public static void countThrottled(RateLimitGate gate, String bucket) {
    try {
      gate.throttled(bucket);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(ConnectorHttp.class).debug("could not count a 429 of {}: {}", bucket, e.getMessage());
    }
  }

  /** A request builder for {@code url} with the request timeout set. */
  public static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(java.net.URI.create(url)).timeout(REQUEST_TIMEOUT);
  }

  /**
   * A JSON API request: {@code Authorization} and {@code Accept: application/json}, and for a body
   * {@code Content-Type: application/json}; no body when {@code body} is null.
   */
  public static HttpRequest jsonRequest(String url, String authorization, String method, String body) {
    HttpRequest.Builder b = request(url).header("Authorization", authorization).header("Accept", "application/json");
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return b.build();
  }

  /**
   * The answer's body as JSON; null for an empty body, and for an unreadable one when the status is
   * an error (the platform's error page is then described by the status).
   *
   * @throws ConnectorException MALFORMED when a 2xx answer is not JSON
   */
  public com.fasterxml.jackson.databind.JsonNode json(Response resp, com.fasterxml.jackson.databind.ObjectMapper mapper, String position)
      throws ConnectorException {
    if (resp.body().isBlank()) {
      return null;
    }
    try {
      return mapper.readTree(resp.body());
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      if (resp.status() < 300) {
        throw ConnectorException.malformed(platformLabel + " sent an unreadable answer (HTTP " + resp.status() + ") at " + position, e);
      }
      return null;
    }
  }

  /** {@code Retry-After} in seconds or as an HTTP date, relative to {@code now}. */
  public static Optional<Duration> retryAfter(Response resp, Instant now) {
    return resp.header("Retry-After").flatMap(v -> {
      String s = v.trim();
      try {
        double seconds = Double.parseDouble(s);
        return seconds < 0 || Double.isNaN(seconds) ? Optional.empty() : Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000)));
      } catch (NumberFormatException e) {
        try {
          Duration d = Duration.between(now, ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
          return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (RuntimeException ignored) {
          return Optional.empty();
        }
      }
    });
  }

  /** The start of a body for a message: its first line, at most 200 characters. */
  public static String excerpt(String body) {
    if (body == null) {
      return "";
    }
    String s = body.strip();
    int nl = s.indexOf('\n');
    s = nl < 0 ? s : s.substring(0, nl);
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
