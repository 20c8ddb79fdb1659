package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.BoundedBody;
import dev.sluice.queue.JobSnooze;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * Sends an action's recorded request over HTTP and classifies the answer the same way for every
 * kind: 429 and 5xx are retried (after {@code Retry-After} when given, without spending an attempt;
 * else by the kind's backoff); the caller decides what a 2xx or another 4xx means. Thread-safe.
 */
final class ActionHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int KEPT_BODY_CHARS = 4096;
  /** The most of an answer read: its status decides, its body is kept cut to 4 KiB or parsed (Slack's {@code ok}, HubSpot's ids). */
  static final long READ_LIMIT = 1024L * 1024;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http;
  private final Clock clock;

  ActionHttp(HttpClient http, Clock clock) {
    this.http = http;
    this.clock = clock;
  }

  Clock clock() {
    return clock;
  }

  /**
   * Sends {@code req} (method, url, headers, body) with {@code secretHeaders} added or replacing
   * the recorded placeholders, to {@code url} when given (a secret URL), else the recorded one.
   * The answer is read up to {@link #READ_LIMIT} and cut there: the status is kept whatever the
   * body's size, so a 2xx with an endless body is still a done action, not a retry.
   */
  HttpResponse<String> send(JsonNode req, Map<String, String> secretHeaders, URI url, String body) throws IOException, InterruptedException {
    URI target = url != null ? url : URI.create(req.path("url").asText());
    HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(REQUEST_TIMEOUT);
    req.path("headers").properties().forEach(h -> {
      if (!secretHeaders.containsKey(h.getKey())) b.header(h.getKey(), h.getValue().asText());
    });
    secretHeaders.forEach(b::header);
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
    b.method(req.path("method").asText("POST"), publisher);
    return http.send(b.build(), BoundedBody.truncating(READ_LIMIT));
  }

  /** The body as sent: the recorded JSON, or null when the request has none. */
  static String body(JsonNode req) {
    JsonNode body = req.get("body");
    return body == null || body.isNull() ? null : body.toString();
  }

  /** 429 and 5xx: again after Retry-After when given (no attempt spent), else by the kind's backoff. */
  void retryOnThrottleOrServerError(HttpResponse<String> res) {
    int s = res.statusCode();
    if (s != 429 && s < 500) return;
    Optional<Duration> wait = retryAfter(res);
    if (wait.isPresent()) throw new JobSnooze(wait.get());
    throw new IllegalStateException("HTTP " + s + " (retried): " + truncate(res.body()));
  }

  /** {@code Retry-After} in seconds or as an HTTP date, relative to the engine's clock. */
  Optional<Duration> retryAfter(HttpResponse<String> res) {
    return res.headers().firstValue("Retry-After").flatMap(v -> {
      try {
        return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.strip()))));
      } catch (NumberFormatException e) {
        try {
          Duration d = Duration.between(clock.instant(), ZonedDateTime.parse(v.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
          return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e2) {
          return Optional.empty();
        }
      }
    });
  }

  /** {@code {"response": {status, content_type, body}}}: the parsed JSON body when given, else the text (at most 4 KiB). */
  static ObjectNode response(HttpResponse<String> res, JsonNode parsed) {
    ObjectNode p = JSON.createObjectNode();
    ObjectNode r = p.putObject("response");
    r.put("status", res.statusCode());
    res.headers().firstValue("Content-Type").ifPresent(v -> r.put("content_type", v));
    if (parsed != null && (parsed.isObject() || parsed.isArray())) r.set("body", parsed);
    else r.put("body", truncate(res.body()));
    return p;
  }

  static JsonNode parse(String body) {
    try {
      JsonNode n = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
      return n == null ? JSON.createObjectNode() : n;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  static String truncate(String s) {
    if (s == null) return "";
    return s.length() <= KEPT_BODY_CHARS ? s : s.substring(0, KEPT_BODY_CHARS) + "…";
  }

  static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
