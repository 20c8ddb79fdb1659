package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.inbound.StoredEvent;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.PermanentJobFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The action job kinds and their handlers. A job's payload holds the exact request it sends
 * ({@code request}: method, url, headers, body), rendered when the rule fired, so a shadowed job
 * shows what it would have sent. Secrets are not in it: the Slack bot token is added at send time.
 */
final class Actions {
  static final String SLACK_POST = "slack.post";
  static final String HTTP_REQUEST = "http.request";
  static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KEPT_BODY_CHARS = 4096;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** Set once per process from the engine's clock; only used to read an HTTP-date Retry-After. */
  static volatile java.util.function.Supplier<java.time.Instant> CLOCK_NOW = java.time.Instant::now;

  private final Map<String, SlackConnection> slack;
  private final HttpClient http;

  Actions(Map<String, SlackConnection> slack, HttpClient http) {
    this.slack = slack;
    this.http = http;
  }

  /** The job payload of one rendered action. */
  static ObjectNode payload(ActionSpec a, JsonNode args, String dedupeKey, Rule r, StoredEvent e, Map<String, SlackConnection> slack) {
    ObjectNode p = JSON.createObjectNode();
    p.put("rule", r.name());
    p.put("event_id", e.id());
    p.put("dedupe_key", dedupeKey);
    p.put("shadow", r.shadow());
    ObjectNode req = p.putObject("request");
    if (a.kind().equals(SLACK_POST)) {
      String name = args.path("connection").asText();
      SlackConnection sc = slack.get(name);
      if (sc == null) throw new IllegalArgumentException("no Slack connection '" + name + "' (configured: " + slack.keySet() + ")");
      p.put("connection", name);
      req.put("method", "POST");
      req.put("url", stripSlash(sc.apiBase().toString()) + "/chat.postMessage");
      req.putObject("headers").put("Content-Type", "application/json; charset=utf-8").put("Authorization", "Bearer <bot token of " + name + ">");
      req.putObject("body").put("channel", args.path("channel").asText()).put("text", args.path("text").asText());
    } else {
      String url = args.path("url").asText();
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("url '" + url + "' is not a URL");
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) throw new IllegalArgumentException("url '" + url + "' is not http(s)");
      req.put("method", args.path("method").asText("POST").toUpperCase(Locale.ROOT));
      req.put("url", url);
      ObjectNode headers = req.putObject("headers");
      if (args.has("body")) headers.put("Content-Type", "application/json");
      args.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
      headers.put(IDEMPOTENCY_HEADER, dedupeKey);
      if (args.has("body")) req.set("body", args.get("body"));
    }
    return p;
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  void slackPost(JobContext ctx) throws IOException, InterruptedException {
    JsonNode req = ctx.payload().path("request");
    if (shadowed(ctx, req)) return;
    String name = ctx.payload().path("connection").asText();
    SlackConnection sc = slack.get(name);
    if (sc == null) throw new PermanentJobFailure("no Slack connection '" + name + "' in this process's config");
    HttpResponse<String> res = send(req, Map.of("Authorization", "Bearer " + sc.botToken()));
    retryOnThrottleOrServerError(res);
    JsonNode body = parse(res.body());
    if (res.statusCode() / 100 == 2 && body.path("ok").asBoolean(false)) {
      ctx.progress(response(res, body));
      return;
    }
    String error = body.path("error").asText("HTTP " + res.statusCode());
    if (error.equals("ratelimited")) throw new JobSnooze(retryAfter(res).orElse(Duration.ofSeconds(1)));
    ctx.progress(response(res, body));
    throw new PermanentJobFailure("Slack chat.postMessage: " + error);
  }

  void httpRequest(JobContext ctx) throws IOException, InterruptedException {
    JsonNode req = ctx.payload().path("request");
    if (shadowed(ctx, req)) return;
    HttpResponse<String> res = send(req, Map.of());
    retryOnThrottleOrServerError(res);
    ObjectNode kept = response(res, null);
    ctx.progress(kept);
    if (res.statusCode() / 100 != 2) {
      throw new PermanentJobFailure("HTTP " + res.statusCode() + " from " + req.path("method").asText() + " " + req.path("url").asText()
          + ": " + kept.path("response").path("body").asText());
    }
  }

  /** Shadow: records the request it would send and sends nothing. */
  private static boolean shadowed(JobContext ctx, JsonNode req) {
    if (!ctx.payload().path("shadow").asBoolean(false)) return false;
    ObjectNode p = JSON.createObjectNode().put("shadow", true);
    p.set("would_send", req);
    ctx.progress(p);
    return true;
  }

  private HttpResponse<String> send(JsonNode req, Map<String, String> secretHeaders) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(req.path("url").asText())).timeout(REQUEST_TIMEOUT);
    req.path("headers").fields().forEachRemaining(h -> {
      if (!secretHeaders.containsKey(h.getKey())) b.header(h.getKey(), h.getValue().asText());
    });
    secretHeaders.forEach(b::header);
    JsonNode body = req.get("body");
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString());
    b.method(req.path("method").asText("POST"), publisher);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** 429 and 5xx: again after Retry-After when given (no attempt spent), else by the kind's backoff. */
  private static void retryOnThrottleOrServerError(HttpResponse<String> res) {
    int s = res.statusCode();
    if (s != 429 && s < 500) return;
    Optional<Duration> wait = retryAfter(res);
    if (wait.isPresent()) throw new JobSnooze(wait.get());
    throw new IllegalStateException("HTTP " + s + " (retried): " + truncate(res.body()));
  }

  static Optional<Duration> retryAfter(HttpResponse<String> res) {
    return res.headers().firstValue("Retry-After").flatMap(v -> {
      try {
        return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.strip()))));
      } catch (NumberFormatException e) {
        try {
          Duration d = Duration.between(CLOCK_NOW.get(), java.time.ZonedDateTime.parse(v.strip(),
              java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
          return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (java.time.format.DateTimeParseException e2) {
          return Optional.empty();
        }
      }
    });
  }

  private static ObjectNode response(HttpResponse<String> res, JsonNode parsed) {
    ObjectNode p = JSON.createObjectNode();
    ObjectNode r = p.putObject("response");
    r.put("status", res.statusCode());
    res.headers().firstValue("Content-Type").ifPresent(v -> r.put("content_type", v));
    if (parsed != null && parsed.isObject()) r.set("body", parsed);
    else r.put("body", truncate(res.body()));
    return p;
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body == null ? "{}" : body);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static String truncate(String s) {
    if (s == null) return "";
    return s.length() <= KEPT_BODY_CHARS ? s : s.substring(0, KEPT_BODY_CHARS) + "…";
  }
}
