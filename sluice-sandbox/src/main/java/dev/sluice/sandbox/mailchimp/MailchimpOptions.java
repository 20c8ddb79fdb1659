package dev.sluice.sandbox.mailchimp;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the Mailchimp sandbox; immutable, built with {@link #builder()}.
 *
 * @param apiKey the only API key accepted ({@code <32 hex>-<dc>}, e.g. {@code …-us21}); the Basic
 *     auth password, any user name
 * @param lists list id → list name
 * @param seed seed of the generated members
 * @param membersPerList generated members in each list
 * @param maxConcurrentRequests simultaneous requests per account before 429 (Mailchimp: 10)
 * @param webhookUrls webhooks registered on every list at start (all events, all sources); each
 *     must answer the GET check with 200 or construction fails
 * @param webhookRetryInitial first retry delay of a failed delivery (doubles per attempt)
 * @param webhookRetryWindow how long a failed delivery is retried (Mailchimp: 75 minutes)
 * @param timeScale factor applied to the retry durations (0.001 turns minutes into milliseconds)
 * @param inFlightHook runs inside every API request while it holds one of the connection slots;
 *     tests use it to hold requests open (a latch) instead of sleeping. Default: nothing
 * @param clock the clock of member timestamps; null (the default) reads the shared sandbox clock,
 *     or the system clock when the platform runs on its own
 */
public record MailchimpOptions(String apiKey, Map<String, String> lists, long seed, int membersPerList,
                               int maxConcurrentRequests, List<URI> webhookUrls, Duration webhookRetryInitial,
                               Duration webhookRetryWindow, double timeScale, Runnable inFlightHook, Clock clock) {

  public static final String DEFAULT_API_KEY = "0123456789abcdef0123456789abcdef-us21";
  public static final String DEFAULT_LIST_ID = "a6b5da1054";
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 10;

  public MailchimpOptions {
    Objects.requireNonNull(apiKey, "apiKey");
    if (!apiKey.matches("[0-9a-f]{32}-[a-z]{2,4}[0-9]{1,3}")) {
      throw new IllegalArgumentException("apiKey must look like <32 hex>-us21, got " + apiKey);
    }
    lists = Collections.unmodifiableMap(new LinkedHashMap<>(lists));
    if (lists.isEmpty()) {
      throw new IllegalArgumentException("at least one list is needed");
    }
    webhookUrls = List.copyOf(webhookUrls);
    if (maxConcurrentRequests < 1 || membersPerList < 0 || timeScale <= 0) {
      throw new IllegalArgumentException("maxConcurrentRequests and timeScale must be positive, membersPerList not negative");
    }
    Objects.requireNonNull(inFlightHook, "inFlightHook");
  }

  /** The data centre: the key's suffix after the dash. */
  public String dataCenter() {
    return apiKey.substring(apiKey.indexOf('-') + 1);
  }

  public Duration scaled(Duration d) {
    return Duration.ofNanos((long) (d.toNanos() * timeScale));
  }

  public static MailchimpOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String apiKey = DEFAULT_API_KEY;
    private final Map<String, String> lists = new LinkedHashMap<>();
    private long seed = 42;
    private int membersPerList = 20;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private final java.util.ArrayList<URI> webhookUrls = new java.util.ArrayList<>();
    private Duration webhookRetryInitial = Duration.ofMinutes(1);
    private Duration webhookRetryWindow = Duration.ofMinutes(75);
    private double timeScale = 1.0;
    private Runnable inFlightHook = () -> {};
    private Clock clock;

    public Builder apiKey(String v) { apiKey = v; return this; }
    /** Adds a list (the default list {@value #DEFAULT_LIST_ID} is used only when none is added). */
    public Builder list(String id, String name) { lists.put(id, name); return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder membersPerList(int v) { membersPerList = v; return this; }
    public Builder maxConcurrentRequests(int v) { maxConcurrentRequests = v; return this; }
    public Builder webhookUrl(URI v) { webhookUrls.add(v); return this; }
    public Builder webhookRetryInitial(Duration v) { webhookRetryInitial = v; return this; }
    public Builder webhookRetryWindow(Duration v) { webhookRetryWindow = v; return this; }
    public Builder timeScale(double v) { timeScale = v; return this; }
    public Builder inFlightHook(Runnable v) { inFlightHook = v; return this; }
    public Builder clock(Clock v) { clock = v; return this; }

    public MailchimpOptions build() {
      Map<String, String> l = lists.isEmpty() ? Map.of(DEFAULT_LIST_ID, "Sandbox Newsletter") : lists;
      return new MailchimpOptions(apiKey, l, seed, membersPerList, maxConcurrentRequests, webhookUrls,
          webhookRetryInitial, webhookRetryWindow, timeScale, inFlightHook, clock);
    }
  }
}
