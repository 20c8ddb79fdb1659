package dev.sluice.sandbox.hubspot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * How a sandbox HubSpot portal behaves. Immutable; {@code HubSpotOptions.builder()...build()}.
 * Defaults: a random private-app token and app secret, Professional limits, no search index lag,
 * no {@code Retry-After}, no webhook target.
 */
public final class HubSpotOptions {
  /** HubSpot's search limit: requests per second per token. */
  public static final int DEFAULT_SEARCH_PER_SECOND = 5;
  /** Filter caps accepted by default: the more permissive of the two documented sets (6 groups, 10 filters each). */
  public static final int DEFAULT_MAX_FILTER_GROUPS = 6;
  public static final int DEFAULT_MAX_FILTERS_PER_GROUP = 10;

  final String token;
  final List<String> extraTokens;
  final String appSecret;
  final HubSpotTier tier;
  final int perTenSeconds;
  final long perDay;
  final int searchPerSecond;
  final boolean sendRetryAfter;
  final Duration searchIndexLag;
  final java.time.ZoneId portalTimeZone;
  final boolean associationReadsInTenSecondWindow;
  final int maxFilterGroups;
  final int maxFiltersPerGroup;
  final int maxFiltersTotal;
  final long portalId;
  final long appId;
  final String webhookUrl;
  final List<String> webhookSubscriptions;
  final double webhookTimeScale;
  final Duration webhookTimeout;
  final double webhookDuplicateRate;
  final boolean webhookReorder;
  final long webhookSeed;
  final HubSpotDataGenerator.Spec initialData;

  private HubSpotOptions(Builder b) {
    this.token = b.token;
    this.extraTokens = List.copyOf(b.extraTokens);
    this.appSecret = b.appSecret;
    this.tier = b.tier;
    this.perTenSeconds = b.perTenSeconds > 0 ? b.perTenSeconds : b.tier.perTenSeconds();
    this.perDay = b.perDay > 0 ? b.perDay : b.tier.perDay();
    this.searchPerSecond = b.searchPerSecond;
    this.sendRetryAfter = b.sendRetryAfter;
    this.searchIndexLag = b.searchIndexLag;
    this.portalTimeZone = b.portalTimeZone;
    this.associationReadsInTenSecondWindow = b.associationReadsInTenSecondWindow;
    this.maxFilterGroups = b.maxFilterGroups;
    this.maxFiltersPerGroup = b.maxFiltersPerGroup;
    this.maxFiltersTotal = b.maxFiltersTotal;
    this.portalId = b.portalId;
    this.appId = b.appId;
    this.webhookUrl = b.webhookUrl;
    this.webhookSubscriptions = List.copyOf(b.webhookSubscriptions);
    this.webhookTimeScale = b.webhookTimeScale;
    this.webhookTimeout = b.webhookTimeout;
    this.webhookDuplicateRate = b.webhookDuplicateRate;
    this.webhookReorder = b.webhookReorder;
    this.webhookSeed = b.webhookSeed;
    this.initialData = b.initialData;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options with every default. */
  public static HubSpotOptions defaults() {
    return builder().build();
  }

  public String token() {
    return token;
  }

  public String appSecret() {
    return appSecret;
  }

  public HubSpotTier tier() {
    return tier;
  }

  public int perTenSeconds() {
    return perTenSeconds;
  }

  public long perDay() {
    return perDay;
  }

  public Duration searchIndexLag() {
    return searchIndexLag;
  }

  /** The portal's time zone: its daily limit resets at midnight there. */
  public java.time.ZoneId portalTimeZone() {
    return portalTimeZone;
  }

  /** Whether v4 association batch reads count against the 10-second window too. */
  public boolean associationReadsInTenSecondWindow() {
    return associationReadsInTenSecondWindow;
  }

  /** Every webhook subscription type HubSpot offers for the four CRM objects. */
  public static List<String> allSubscriptionTypes() {
    List<String> out = new ArrayList<>();
    for (String object : List.of("contact", "company", "deal", "ticket")) {
      for (String event : List.of("creation", "deletion", "propertyChange", "merge", "associationChange")) {
        out.add(object + "." + event);
      }
    }
    return out;
  }

  /** Builds {@link HubSpotOptions}. */
  public static final class Builder {
    private String token = "pat-na1-" + UUID.randomUUID();
    private final List<String> extraTokens = new ArrayList<>();
    private String appSecret = UUID.randomUUID().toString();
    private HubSpotTier tier = HubSpotTier.PROFESSIONAL;
    private int perTenSeconds;
    private long perDay;
    private int searchPerSecond = DEFAULT_SEARCH_PER_SECOND;
    private boolean sendRetryAfter;
    private Duration searchIndexLag = Duration.ZERO;
    private java.time.ZoneId portalTimeZone = java.time.ZoneOffset.UTC;
    private boolean associationReadsInTenSecondWindow;
    private int maxFilterGroups = DEFAULT_MAX_FILTER_GROUPS;
    private int maxFiltersPerGroup = DEFAULT_MAX_FILTERS_PER_GROUP;
    private int maxFiltersTotal = Integer.MAX_VALUE;
    private long portalId = 62_515;
    private long appId = 1_160_452;
    private String webhookUrl;
    private List<String> webhookSubscriptions = allSubscriptionTypes();
    private double webhookTimeScale = 1.0;
    private Duration webhookTimeout = Duration.ofSeconds(5);
    private double webhookDuplicateRate;
    private boolean webhookReorder;
    private long webhookSeed = 0;
    private HubSpotDataGenerator.Spec initialData;

    private Builder() {}

    /** The private app's bearer token. */
    public Builder token(String token) {
      this.token = requireText(token, "token");
      return this;
    }

    /** Another private app (own token, own limits) on the same portal. */
    public Builder extraToken(String token) {
      this.extraTokens.add(requireText(token, "token"));
      return this;
    }

    /** The app client secret that signs webhooks (v3 signature). */
    public Builder appSecret(String secret) {
      this.appSecret = requireText(secret, "app secret");
      return this;
    }

    public Builder tier(HubSpotTier tier) {
      this.tier = Objects.requireNonNull(tier, "tier");
      return this;
    }

    /** Limits of an account with an API limit increase (or any other custom figures). */
    public Builder customLimits(int perTenSeconds, long perDay) {
      if (perTenSeconds <= 0 || perDay <= 0) throw new IllegalArgumentException("limits must be positive");
      this.perTenSeconds = perTenSeconds;
      this.perDay = perDay;
      return this;
    }

    /** Search requests per second per token (HubSpot: 5). */
    public Builder searchPerSecond(int n) {
      if (n <= 0) throw new IllegalArgumentException("search limit must be positive");
      this.searchPerSecond = n;
      return this;
    }

    /** Sends {@code Retry-After} on 429s (HubSpot does not reliably; off by default). */
    public Builder sendRetryAfter(boolean send) {
      this.sendRetryAfter = send;
      return this;
    }

    /**
     * Records changed less than this ago are not yet visible to search (new ones are missing,
     * updated ones show their previous values), as HubSpot's search index trails writes.
     */
    public Builder searchIndexLag(Duration lag) {
      if (lag.isNegative()) throw new IllegalArgumentException("lag must not be negative");
      this.searchIndexLag = lag;
      return this;
    }

    /**
     * The portal's time zone (default UTC): HubSpot resets an account's daily limit at midnight in
     * the account's time zone, so the sandbox's day starts there.
     */
    public Builder portalTimeZone(java.time.ZoneId zone) {
      this.portalTimeZone = java.util.Objects.requireNonNull(zone, "zone");
      return this;
    }

    /**
     * Counts v4 association batch reads against the 10-second window as well as the day (default:
     * the day only). HubSpot's docs do not settle which applies; this lets a client prove it copes
     * with the stricter reading.
     */
    public Builder associationReadsInTenSecondWindow(boolean count) {
      this.associationReadsInTenSecondWindow = count;
      return this;
    }

    /** Search filter caps; use (5, 6, 18) for the strictest documented set. */
    public Builder filterCaps(int groups, int perGroup, int total) {
      this.maxFilterGroups = groups;
      this.maxFiltersPerGroup = perGroup;
      this.maxFiltersTotal = total;
      return this;
    }

    public Builder portalId(long portalId) {
      this.portalId = portalId;
      return this;
    }

    public Builder appId(long appId) {
      this.appId = appId;
      return this;
    }

    /** Where webhook batches go (the app's target URL); {@code null}: no webhooks. */
    public Builder webhookUrl(String url) {
      this.webhookUrl = url;
      return this;
    }

    /** Subscription types, e.g. {@code "contact.propertyChange"}; default: all of them. */
    public Builder webhookSubscriptions(List<String> types) {
      this.webhookSubscriptions = List.copyOf(types);
      return this;
    }

    /**
     * Speeds up the webhook retry schedule: 3600 turns HubSpot's hours into seconds. Does not
     * change the 5-second answer timeout (see {@link #webhookTimeout}).
     */
    public Builder webhookTimeScale(double scale) {
      if (scale <= 0) throw new IllegalArgumentException("time scale must be positive");
      this.webhookTimeScale = scale;
      return this;
    }

    /** How long a receiver may take to answer before the delivery counts as failed (HubSpot: 5 s). */
    public Builder webhookTimeout(Duration timeout) {
      this.webhookTimeout = timeout;
      return this;
    }

    /** The share of webhook batches sent twice, 0..1. */
    public Builder webhookDuplicateRate(double rate) {
      if (rate < 0 || rate > 1) throw new IllegalArgumentException("rate must be within 0..1");
      this.webhookDuplicateRate = rate;
      return this;
    }

    /** Shuffles the events inside each batch. */
    public Builder webhookReorder(boolean reorder) {
      this.webhookReorder = reorder;
      return this;
    }

    /** Seed of the webhook duplicate and reorder draws. */
    public Builder webhookSeed(long seed) {
      this.webhookSeed = seed;
      return this;
    }

    /** Data generated into the portal at start. */
    public Builder initialData(HubSpotDataGenerator.Spec spec) {
      this.initialData = spec;
      return this;
    }

    public HubSpotOptions build() {
      return new HubSpotOptions(this);
    }

    private static String requireText(String s, String what) {
      if (s == null || s.isBlank()) throw new IllegalArgumentException(what + " must not be blank");
      return s;
    }
  }
}
