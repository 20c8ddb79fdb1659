package dev.sluice.sandbox.mailchimp;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * List webhooks: registration with Mailchimp's GET check, and form-encoded POSTs on member
 * changes ({@code subscribe}, {@code unsubscribe}, {@code profile}, {@code upemail},
 * {@code cleaned}), filtered by each webhook's events and sources, retried with backoff for
 * the retry window. Thread-safe.
 */
final class MailchimpWebhooks {
  static final Duration RECEIVER_TIMEOUT = Duration.ofSeconds(10);
  static final Set<String> EVENTS = Set.of("subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign");
  static final Set<String> SOURCES = Set.of("user", "admin", "api");
  private static final DateTimeFormatter FIRED_AT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  record Webhook(String id, String listId, URI url, Set<String> events, Set<String> sources) {}

  private record Pending(Webhook hook, String type, String body, long firstAttemptNanos) {}

  private final Clock clock;
  private final MailchimpOptions options;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(RECEIVER_TIMEOUT).build();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "mailchimp-webhooks");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Webhook> hooks = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentLinkedQueue<MailchimpWebhookDelivery> delivered = new ConcurrentLinkedQueue<>();
  private final AtomicLong failedPosts = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();

  MailchimpWebhooks(Clock clock, MailchimpOptions options) {
    this.clock = clock;
    this.options = options;
  }

  /** Registers a webhook after the GET check answered 200; else a 400 problem. */
  Webhook register(String listId, URI url, Set<String> events, Set<String> sources) {
    if (url == null || url.getScheme() == null || !url.getScheme().startsWith("http") || url.getHost() == null) {
      throw MailchimpProblem.invalid("url", "This value should be a valid URL.");
    }
    int status;
    try {
      status = http.send(HttpRequest.newBuilder(url).timeout(RECEIVER_TIMEOUT).header("User-Agent", "MailChimp.com")
          .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      status = -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = -1;
    }
    if (status != 200) {
      throw MailchimpProblem.invalid("url", "The URL " + url + " did not answer the webhook check (GET) with 200"
          + (status < 0 ? " (no answer)" : " (answered " + status + ")") + ".");
    }
    Webhook hook = new Webhook(Long.toHexString(0x5a00000000L + ids.incrementAndGet()), listId, url,
        Set.copyOf(events), Set.copyOf(sources));
    hooks.put(hook.id(), hook);
    return hook;
  }

  boolean remove(String listId, String id) {
    Webhook h = hooks.get(id);
    return h != null && h.listId().equals(listId) && hooks.remove(id) != null;
  }

  List<Webhook> hooks(String listId) {
    return hooks.values().stream().filter(h -> h.listId().equals(listId)).toList();
  }

  /** Sends the events a committed change stands for, made through {@code source} (api, admin, user). */
  void memberChanged(MailchimpStore.Change change, String source) {
    List<String[]> events = events(change);
    if (events.isEmpty()) {
      return;
    }
    for (Webhook hook : hooks(change.after().listId())) {
      if (!hook.sources().contains(source)) {
        continue;
      }
      for (String[] e : events) {
        if (hook.events().contains(e[0])) {
          pending.incrementAndGet();
          Pending p = new Pending(hook, e[0], e[1], System.nanoTime());
          scheduler.execute(() -> attempt(p, 1));
        }
      }
    }
  }

  private List<String[]> events(MailchimpStore.Change c) {
    MailchimpMember before = c.before();
    MailchimpMember after = c.after();
    String firedAt = FIRED_AT.format(clock.instant());
    List<String[]> out = new ArrayList<>();
    if (before == null) {
      if (after.status().equals("subscribed")) {
        out.add(new String[] {"subscribe", memberEvent("subscribe", firedAt, after, null)});
      }
      return out;
    }
    if (!before.id().equals(after.id())) {
      Form f = new Form().add("type", "upemail").add("fired_at", firedAt).add("data[list_id]", after.listId())
          .add("data[new_id]", after.uniqueEmailId()).add("data[new_email]", after.emailAddress())
          .add("data[old_email]", before.emailAddress());
      out.add(new String[] {"upemail", f.toString()});
    }
    if (!before.status().equals(after.status())) {
      switch (after.status()) {
        case "subscribed" -> out.add(new String[] {"subscribe", memberEvent("subscribe", firedAt, after, null)});
        case "unsubscribed" -> out.add(new String[] {"unsubscribe", memberEvent("unsubscribe", firedAt, after, "manual")});
        case "cleaned" -> {
          Form f = new Form().add("type", "cleaned").add("fired_at", firedAt).add("data[list_id]", after.listId())
              .add("data[campaign_id]", "").add("data[reason]", "hard").add("data[email]", after.emailAddress());
          out.add(new String[] {"cleaned", f.toString()});
        }
        default -> { }
      }
    } else if (!before.mergeFields().equals(after.mergeFields()) || !before.emailType().equals(after.emailType())) {
      out.add(new String[] {"profile", memberEvent("profile", firedAt, after, null)});
    }
    return out;
  }

  /** The documented field order: type, fired_at, data[id], data[list_id], data[email], data[email_type], data[merges][…]. */
  static String memberEvent(String type, String firedAt, MailchimpMember m, String unsubscribeReason) {
    Form f = new Form().add("type", type).add("fired_at", firedAt);
    if (unsubscribeReason != null) {
      f.add("data[action]", "unsub").add("data[reason]", unsubscribeReason);
    }
    f.add("data[id]", m.uniqueEmailId()).add("data[list_id]", m.listId()).add("data[email]", m.emailAddress())
        .add("data[email_type]", m.emailType()).add("data[merges][EMAIL]", m.emailAddress());
    for (Map.Entry<String, Object> e : m.mergeFields().entrySet()) {
      if (e.getValue() instanceof Map<?, ?> nested) {
        for (Map.Entry<?, ?> n : nested.entrySet()) {
          f.add("data[merges][" + e.getKey() + "][" + n.getKey() + "]", String.valueOf(n.getValue()));
        }
      } else {
        f.add("data[merges][" + e.getKey() + "]", e.getValue() == null ? "" : e.getValue().toString());
      }
    }
    return f.toString();
  }

  private void attempt(Pending p, int attempt) {
    HttpRequest request = HttpRequest.newBuilder(p.hook().url())
        .timeout(RECEIVER_TIMEOUT)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("User-Agent", "MailChimp")
        .POST(HttpRequest.BodyPublishers.ofString(p.body(), StandardCharsets.UTF_8))
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      if (error == null && response.statusCode() / 100 == 2) {
        delivered.add(new MailchimpWebhookDelivery(p.hook().id(), p.hook().url(), p.type(), p.body(), attempt));
        pending.decrementAndGet();
        return;
      }
      failedPosts.incrementAndGet();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - p.firstAttemptNanos());
      if (elapsed.compareTo(options.scaled(options.webhookRetryWindow())) >= 0 || !hooks.containsKey(p.hook().id())) {
        abandoned.incrementAndGet();
        pending.decrementAndGet();
        return;
      }
      Duration delay = options.webhookRetryInitial().multipliedBy(1L << Math.min(attempt - 1, 20));
      long millis = Math.max(1, options.scaled(delay).toMillis());
      scheduler.schedule(() -> attempt(p, attempt + 1), millis, TimeUnit.MILLISECONDS);
    });
  }

  List<MailchimpWebhookDelivery> delivered() {
    return List.copyOf(delivered);
  }

  long failedPosts() {
    return failedPosts.get();
  }

  long abandoned() {
    return abandoned.get();
  }

  long pending() {
    return pending.get();
  }

  void close() {
    scheduler.shutdownNow();
    http.shutdownNow(); // do not wait for a hanging listener
  }

  /**
   * A form body written the way Mailchimp's documentation shows it: brackets in keys and
   * {@code @} left as they are, spaces as {@code +}, everything else percent-encoded.
   */
  static final class Form {
    private final StringBuilder body = new StringBuilder();

    Form add(String key, String value) {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(encode(key)).append('=').append(encode(Objects.requireNonNullElse(value, "")));
      return this;
    }

    private static String encode(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8)
          .replace("%5B", "[").replace("%5D", "]").replace("%40", "@");
    }

    @Override
    public String toString() {
      return body.toString();
    }
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
