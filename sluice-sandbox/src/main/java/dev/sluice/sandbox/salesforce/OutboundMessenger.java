package dev.sluice.sandbox.salesforce;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Sends Salesforce Outbound Messages: every change of a watched record becomes a notification with
 * a unique {@code 04l…} id; notifications are POSTed as SOAP envelopes (≤ 100 per message, one
 * object type per message) and retried with exponential backoff until the listener answers
 * {@code <Ack>true</Ack>} or the give-up time passes. Each attempt carries the record's latest
 * values and the same notification ids, so a listener must dedupe on {@code Id}.
 */
final class OutboundMessenger {
  static final int MAX_NOTIFICATIONS_PER_MESSAGE = 100;
  static final Duration LISTENER_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern ACK = Pattern.compile("<(\\w+:)?Ack>\\s*true\\s*</(\\w+:)?Ack>");

  /** Where and what to send; {@code url == null} switches outbound messages off. */
  record Config(URI url, Set<String> objects) {}

  record Notification(String id, String type, String recordId, SObjectRecord lastKnown) {}

  /**
   * A notification's life: PENDING (queued or awaiting a retry) until the listener acks it
   * (ACKNOWLEDGED) or the give-up time passes or outbound messages are switched off (ABANDONED).
   * Both ends are final.
   */
  enum State {
    PENDING, ACKNOWLEDGED, ABANDONED;

    boolean canMoveTo(State next) {
      return this == PENDING && next != PENDING;
    }
  }

  private final SalesforceStore store;
  private final SalesforceOptions options;
  private final Supplier<String> serverBaseUrl;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(LISTENER_TIMEOUT).build();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "salesforce-outbound");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentLinkedQueue<Notification> fresh = new ConcurrentLinkedQueue<>();
  private final SalesforceIds notificationIds = new SalesforceIds("04l");
  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final AtomicLong posts = new AtomicLong();
  private final AtomicLong failedPosts = new AtomicLong();
  private volatile Config config;

  OutboundMessenger(SalesforceStore store, SalesforceOptions options, Supplier<String> serverBaseUrl) {
    this.store = store;
    this.options = options;
    this.serverBaseUrl = serverBaseUrl;
    this.config = new Config(options.outboundMessageUrl(), options.outboundObjects());
  }

  void configure(Config config) {
    this.config = config;
  }

  Config config() {
    return config;
  }

  /** Called after every committed change of a record. */
  void recordChanged(SObjectRecord r) {
    Config c = config;
    if (c.url() == null || !c.objects().contains(r.type())) {
      return;
    }
    Notification n = new Notification(notificationIds.nextId(), r.type(), r.id(), r);
    states.put(n.id(), State.PENDING);
    fresh.add(n);
    scheduler.execute(this::flush);
  }

  private void flush() {
    Map<String, List<Notification>> byType = new LinkedHashMap<>();
    for (Notification n; (n = fresh.poll()) != null; ) {
      byType.computeIfAbsent(n.type(), k -> new ArrayList<>()).add(n);
    }
    for (List<Notification> all : byType.values()) {
      for (int i = 0; i < all.size(); i += MAX_NOTIFICATIONS_PER_MESSAGE) {
        List<Notification> batch = List.copyOf(all.subList(i, Math.min(all.size(), i + MAX_NOTIFICATIONS_PER_MESSAGE)));
        attempt(batch, 1, System.nanoTime());
      }
    }
  }

  private void attempt(List<Notification> batch, int attempt, long firstAttemptNanos) {
    URI url = config.url();
    if (url == null) {
      finish(batch, State.ABANDONED);
      return;
    }
    HttpRequest request = HttpRequest.newBuilder(url)
        .timeout(LISTENER_TIMEOUT)
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", "\"\"")
        .header("User-Agent", "Salesforce - OM")
        .POST(HttpRequest.BodyPublishers.ofString(envelope(batch), StandardCharsets.UTF_8))
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
      posts.incrementAndGet();
      if (error == null && response.statusCode() == 200 && ACK.matcher(response.body()).find()) {
        finish(batch, State.ACKNOWLEDGED);
        return;
      }
      failedPosts.incrementAndGet();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - firstAttemptNanos);
      if (elapsed.compareTo(options.scaled(options.outboundGiveUpAfter())) >= 0) {
        finish(batch, State.ABANDONED);
        return;
      }
      long delayMillis = Math.max(1, backoff(attempt).toMillis());
      scheduler.schedule(() -> attempt(batch, attempt + 1, firstAttemptNanos), delayMillis, TimeUnit.MILLISECONDS);
    });
  }

  private void finish(List<Notification> batch, State end) {
    for (Notification n : batch) {
      states.compute(n.id(), (id, current) -> {
        if (current == null || !current.canMoveTo(end)) {
          throw new IllegalStateException("notification " + id + " cannot move from " + current + " to " + end);
        }
        return end;
      });
    }
  }

  private Set<String> inState(State state) {
    Set<String> out = new java.util.TreeSet<>();
    states.forEach((id, s) -> {
      if (s == state) {
        out.add(id);
      }
    });
    return out;
  }

  /** Delay before retry number {@code attempt + 1}: doubling from the initial delay up to the maximum. */
  Duration backoff(int attempt) {
    Duration d = options.outboundRetryInitial();
    for (int i = 1; i < attempt && d.compareTo(options.outboundRetryMax()) < 0; i++) {
      d = d.multipliedBy(2);
    }
    if (d.compareTo(options.outboundRetryMax()) > 0) {
      d = options.outboundRetryMax();
    }
    return options.scaled(d);
  }

  String envelope(List<Notification> batch) {
    String type = batch.get(0).type();
    String org = options.organizationId();
    String org15 = org.substring(0, 15);
    String base = serverBaseUrl.get();
    StringBuilder xml = new StringBuilder(512 + batch.size() * 256);
    xml.append("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" ")
        .append("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>\n")
        .append("<notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\"><OrganizationId>").append(org)
        .append("</OrganizationId><ActionId>").append(actionId(type)).append("</ActionId>\n")
        .append("<SessionId xsi:nil=\"true\"/><EnterpriseUrl>").append(escape(base + "/services/Soap/c/65.0/" + org15))
        .append("</EnterpriseUrl><PartnerUrl>").append(escape(base + "/services/Soap/u/65.0/" + org15))
        .append("</PartnerUrl>\n");
    for (Notification n : batch) {
      SObjectRecord latest = store.get(n.type(), n.recordId());
      SObjectRecord r = latest != null ? latest : n.lastKnown();
      xml.append("<Notification><Id>").append(n.id()).append("</Id><sObject xsi:type=\"sf:").append(type)
          .append("\" xmlns:sf=\"urn:sobject.enterprise.soap.sforce.com\">");
      xml.append("<sf:Id>").append(r.id()).append("</sf:Id>");
      for (Map.Entry<String, Object> f : r.fields().entrySet()) {
        if (f.getKey().equals("Id") || f.getValue() == null) {
          continue;
        }
        xml.append("<sf:").append(f.getKey()).append('>').append(escape(SObjectSchema.toSoap(f.getValue())))
            .append("</sf:").append(f.getKey()).append('>');
      }
      xml.append("</sObject></Notification>\n");
    }
    xml.append("</notifications></soapenv:Body></soapenv:Envelope>");
    return xml.toString();
  }

  /** One outbound message definition per object type, so one ActionId per type. */
  static String actionId(String type) {
    int index = new ArrayList<>(SObjectSchema.TYPES.keySet()).indexOf(type.toLowerCase(java.util.Locale.ROOT));
    return SalesforceIds.of("04k", index + 1);
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  Set<String> acknowledged() {
    return inState(State.ACKNOWLEDGED);
  }

  Set<String> abandoned() {
    return inState(State.ABANDONED);
  }

  long posts() {
    return posts.get();
  }

  long failedPosts() {
    return failedPosts.get();
  }

  long pending() {
    return inState(State.PENDING).size();
  }

  void close() {
    scheduler.shutdownNow();
    http.shutdownNow(); // do not wait for a hanging listener
  }
}
