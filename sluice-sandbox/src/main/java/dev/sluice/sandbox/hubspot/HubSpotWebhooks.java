package dev.sluice.sandbox.hubspot;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The portal's app webhook subscriptions and their deliveries. Every change (API or admin) that
 * matches a subscription becomes an event; events go out as JSON arrays of at most 100, signed
 * with signature v3, at most 10 requests at a time, and a failed delivery (no 2xx within the
 * timeout, or no connection) is retried on HubSpot's schedule: up to 10 tries over about 24 hours,
 * divided by the configured time scale. Thread-safe.
 */
public final class HubSpotWebhooks implements AutoCloseable {
  /** Most events in one request. */
  public static final int MAX_EVENTS_PER_REQUEST = 100;
  /** Most requests in flight at once per portal. */
  public static final int MAX_CONCURRENT_REQUESTS = 10;
  /** Waits between tries (9 retries after the first try: 10 tries in about 24 hours), before time scaling. */
  public static final List<Duration> RETRY_SCHEDULE = List.of(
      Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
      Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(3), Duration.ofHours(5), Duration.ofHours(12));
  /** How long events are gathered before a batch leaves, so a burst of changes shares requests. */
  static final Duration GATHER = Duration.ofMillis(25);

  /**
   * One delivery attempt, as the sandbox saw it.
   *
   * @param attemptNumber 0 for the first try
   * @param status the receiver's HTTP status, or -1 when there was no answer (refused, timeout)
   * @param duplicate whether this was an extra copy sent on purpose
   */
  public record Delivery(Instant at, int attemptNumber, int eventCount, int status, String error, boolean duplicate) {
    public boolean succeeded() {
      return status >= 200 && status < 300;
    }
  }

  private final HubSpotOptions options;
  private final Clock clock;
  private final AtomicLong eventIds = new AtomicLong(3_816_279_340L);
  private final ScheduledExecutorService timer;
  private final ExecutorService senders;
  private final HttpClient http;
  private final ArrayDeque<ObjectNode> pending = new ArrayDeque<>();
  private final List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
  private final Random random;
  private volatile String targetUrl;
  private volatile List<String> subscriptions;
  private volatile double timeScale;
  private volatile double duplicateRate;
  private volatile double lostAnswerRate;
  private volatile boolean reorder;
  private volatile Duration timeout;
  private boolean flushScheduled;
  private final AtomicLong inFlight = new AtomicLong();

  HubSpotWebhooks(HubSpotOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
    this.targetUrl = options.webhookUrl;
    this.subscriptions = options.webhookSubscriptions;
    this.timeScale = options.webhookTimeScale;
    this.duplicateRate = options.webhookDuplicateRate;
    this.reorder = options.webhookReorder;
    this.timeout = options.webhookTimeout;
    this.random = new Random(options.webhookSeed);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hubspot-webhook-timer"));
    this.senders = Executors.newFixedThreadPool(MAX_CONCURRENT_REQUESTS, r -> daemon(r, "hubspot-webhook-sender"));
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** The target URL, or null when webhooks are off. */
  public String targetUrl() {
    return targetUrl;
  }

  /** Points the app's webhooks at a URL ({@code null} turns them off). */
  public void setTargetUrl(String url) {
    this.targetUrl = url;
  }

  /** The active subscription types, e.g. {@code contact.propertyChange}. */
  public List<String> subscriptions() {
    return subscriptions;
  }

  public void setSubscriptions(List<String> types) {
    this.subscriptions = List.copyOf(types);
  }

  /** Sends the given share of batches twice (0..1). */
  public void setDuplicateRate(double rate) {
    this.duplicateRate = rate;
  }

  /**
   * Loses the receiver's answer to the given share of first tries (0..1): the receiver got the
   * batch and answered, but the sandbox records the try as unanswered and retries it on the
   * schedule (same event ids, {@code attemptNumber} 1), as HubSpot does after a timeout or a
   * dropped connection.
   */
  public void setLostAnswerRate(double rate) {
    if (rate < 0 || rate > 1) throw new IllegalArgumentException("rate must be within 0..1");
    this.lostAnswerRate = rate;
  }

  /** Shuffles events inside each batch. */
  public void setReorder(boolean reorder) {
    this.reorder = reorder;
  }

  /** Divides the retry schedule (3600: an hour of HubSpot time per second). */
  public void setTimeScale(double scale) {
    if (scale <= 0) throw new IllegalArgumentException("time scale must be positive");
    this.timeScale = scale;
  }

  /** Every delivery attempt so far, oldest first. */
  public List<Delivery> deliveries() {
    synchronized (deliveries) {
      return List.copyOf(deliveries);
    }
  }

  /** Events waiting to be sent plus requests in flight; 0 when everything was delivered or given up. */
  public long backlog() {
    synchronized (pending) {
      return pending.size() + inFlight.get();
    }
  }

  /** The subscription id HubSpot would show for a type (stable: its position in the list). */
  private long subscriptionId(String type) {
    return 100 + HubSpotOptions.allSubscriptionTypes().indexOf(type);
  }

  void publish(List<Change> changes) {
    String url = targetUrl;
    if (url == null) return;
    List<String> subs = subscriptions;
    long now = clock.millis();
    synchronized (pending) {
      for (Change c : changes) {
        String type = c.subscriptionType();
        if (!subs.contains(type)) continue;
        pending.addLast(event(c, type, now));
      }
      if (!pending.isEmpty() && !flushScheduled) {
        flushScheduled = true;
        timer.schedule(this::flush, GATHER.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  private ObjectNode event(Change c, String type, long now) {
    ObjectNode e = HubSpotWire.NODES.objectNode();
    e.put("objectId", c.objectId());
    if (c.kind() == Change.Kind.PROPERTY_CHANGE) {
      e.put("propertyName", c.propertyName());
      e.put("propertyValue", c.propertyValue());
    }
    e.put("changeSource", c.changeSource());
    e.put("eventId", eventIds.getAndIncrement());
    e.put("subscriptionId", subscriptionId(type));
    e.put("portalId", options.portalId);
    e.put("appId", options.appId);
    e.put("occurredAt", now);
    e.put("subscriptionType", type);
    e.put("attemptNumber", 0);
    switch (c.kind()) {
      case CREATION -> e.put("changeFlag", "NEW");
      case MERGE -> {
        e.put("primaryObjectId", c.objectId());
        ArrayNode merged = e.putArray("mergedObjectIds");
        c.mergedIds().forEach(merged::add);
        e.put("newObjectId", c.objectId());
        e.put("numberOfPropertiesMoved", 0);
      }
      case ASSOCIATION_CHANGE -> {
        e.put("associationType", c.associationType());
        e.put("fromObjectId", c.fromId());
        e.put("toObjectId", c.toId());
        e.put("associationRemoved", c.associationRemoved());
        e.put("isPrimaryAssociation", false);
      }
      default -> { }
    }
    return e;
  }

  private void flush() {
    List<List<ObjectNode>> batches = new ArrayList<>();
    synchronized (pending) {
      flushScheduled = false;
      while (!pending.isEmpty()) {
        List<ObjectNode> batch = new ArrayList<>();
        while (!pending.isEmpty() && batch.size() < MAX_EVENTS_PER_REQUEST) batch.add(pending.removeFirst());
        batches.add(batch);
      }
      inFlight.addAndGet(batches.size());
    }
    for (List<ObjectNode> batch : batches) {
      boolean duplicate;
      synchronized (random) {
        if (reorder) Collections.shuffle(batch, random);
        duplicate = duplicateRate > 0 && random.nextDouble() < duplicateRate;
      }
      senders.execute(() -> attempt(batch, 0));
      if (duplicate) {
        inFlight.incrementAndGet();
        senders.execute(() -> send(batch, 0, true, false));
      }
    }
  }

  /** One try; on failure schedules the next one, or gives up after the last. Holds one in-flight slot. */
  private void attempt(List<ObjectNode> batch, int attemptNumber) {
    boolean loseAnswer;
    synchronized (random) {
      loseAnswer = attemptNumber == 0 && lostAnswerRate > 0 && random.nextDouble() < lostAnswerRate;
    }
    Delivery d = send(batch, attemptNumber, false, loseAnswer);
    if (d.succeeded() || attemptNumber >= RETRY_SCHEDULE.size() || targetUrl == null) return;
    inFlight.incrementAndGet();
    long wait = Math.max(1, (long) (RETRY_SCHEDULE.get(attemptNumber).toMillis() / timeScale));
    try {
      timer.schedule(() -> senders.execute(() -> attempt(batch, attemptNumber + 1)), wait, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      inFlight.decrementAndGet();
    }
  }

  private Delivery send(List<ObjectNode> batch, int attemptNumber, boolean duplicate, boolean loseAnswer) {
    String url = targetUrl;
    Delivery d;
    try {
      if (url == null) {
        d = new Delivery(clock.instant(), attemptNumber, batch.size(), -1, "webhooks turned off", duplicate);
      } else {
        ArrayNode body = HubSpotWire.NODES.arrayNode();
        for (ObjectNode e : batch) body.add(e.deepCopy().put("attemptNumber", attemptNumber));
        byte[] bytes = HubSpotWire.JSON.writeValueAsBytes(body);
        String timestamp = Long.toString(clock.millis());
        String signature = signatureV3(options.appSecret, "POST", url, new String(bytes, StandardCharsets.UTF_8), timestamp);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "HubSpot Connect 2.0 (http://dev.hubspot.com/) (sluice sandbox)")
            .header("X-HubSpot-Signature-v3", signature)
            .header("X-HubSpot-Signature-Version", "v3")
            .header("X-HubSpot-Request-Timestamp", timestamp)
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        d = loseAnswer
            ? new Delivery(clock.instant(), attemptNumber, batch.size(), -1, "answer lost (sandbox fault; the receiver answered "
                + response.statusCode() + ")", duplicate)
            : new Delivery(clock.instant(), attemptNumber, batch.size(), response.statusCode(), null, duplicate);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      d = new Delivery(clock.instant(), attemptNumber, batch.size(), -1, "interrupted", duplicate);
    } catch (Exception e) {
      d = new Delivery(clock.instant(), attemptNumber, batch.size(), -1, e.getClass().getSimpleName() + ": " + e.getMessage(), duplicate);
    } finally {
      inFlight.decrementAndGet();
    }
    deliveries.add(d);
    return d;
  }

  /**
   * HubSpot's v3 signature: base64 of HMAC-SHA256, keyed with the app secret, over method + URI +
   * body + timestamp, where the URI has the characters {@code : / ? @ ! $ ' ( ) * , ;} URL-decoded.
   */
  public static String signatureV3(String secret, String method, String uri, String body, String timestamp) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String signed = method + decodeReserved(uri) + body + timestamp;
      return Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static String decodeReserved(String uri) {
    String[][] pairs = {{"%3A", ":"}, {"%2F", "/"}, {"%3F", "?"}, {"%40", "@"}, {"%21", "!"}, {"%24", "$"},
        {"%27", "'"}, {"%28", "("}, {"%29", ")"}, {"%2A", "*"}, {"%2C", ","}, {"%3B", ";"}};
    String out = uri;
    for (String[] p : pairs) {
      out = out.replace(p[0], p[1]).replace(p[0].toLowerCase(java.util.Locale.ROOT), p[1]);
    }
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    senders.shutdownNow();
    http.close();
  }
}
