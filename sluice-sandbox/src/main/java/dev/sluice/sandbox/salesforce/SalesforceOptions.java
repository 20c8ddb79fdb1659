package dev.sluice.sandbox.salesforce;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the Salesforce sandbox; immutable, built with {@link #builder()}.
 *
 * @param accessToken the only bearer token accepted (others get 401 {@code INVALID_SESSION_ID})
 * @param organizationId the 18-character org id ({@code 00D…}) sent in outbound messages
 * @param dailyApiAllocation calls allowed in any rolling 24 hours before 403 {@code REQUEST_LIMIT_EXCEEDED}
 * @param seed seed of the generated data; the same seed and counts give the same records
 * @param accounts generated Accounts
 * @param contacts generated Contacts
 * @param leads generated Leads
 * @param opportunities generated Opportunities
 * @param queryPageSize records per query page (Salesforce: 2,000)
 * @param outboundMessageUrl where outbound messages are POSTed; null = none
 * @param outboundObjects object types whose changes send outbound messages
 * @param outboundRetryInitial first retry delay of an unacknowledged message (doubles per attempt)
 * @param outboundRetryMax longest retry delay
 * @param outboundGiveUpAfter how long a message is retried before it is abandoned (Salesforce: 24 h)
 * @param timeScale factor applied to every outbound retry duration (0.001 turns hours into seconds)
 * @param clock the clock of record timestamps and the API allocation; null (the default) reads the
 *     shared sandbox clock, or the system clock when the platform runs on its own
 */
public record SalesforceOptions(
    String accessToken, String organizationId, long dailyApiAllocation,
    long seed, int accounts, int contacts, int leads, int opportunities, int queryPageSize,
    URI outboundMessageUrl, Set<String> outboundObjects,
    Duration outboundRetryInitial, Duration outboundRetryMax, Duration outboundGiveUpAfter, double timeScale,
    Clock clock) {

  public static final String DEFAULT_ACCESS_TOKEN = "00DSx0000000001!sandbox-salesforce-token";
  public static final long DEFAULT_DAILY_API_ALLOCATION = 100_000;
  public static final int MAX_QUERY_PAGE_SIZE = 2_000;

  public SalesforceOptions {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(organizationId, "organizationId");
    if (organizationId.length() != 18 || !organizationId.startsWith("00D")) {
      throw new IllegalArgumentException("organizationId must be an 18-character 00D… id: " + organizationId);
    }
    if (queryPageSize < 1 || queryPageSize > MAX_QUERY_PAGE_SIZE) {
      throw new IllegalArgumentException("queryPageSize must be 1.." + MAX_QUERY_PAGE_SIZE);
    }
    if (accounts < 0 || contacts < 0 || leads < 0 || opportunities < 0 || dailyApiAllocation < 0) {
      throw new IllegalArgumentException("counts and the allocation must not be negative");
    }
    if (timeScale <= 0) {
      throw new IllegalArgumentException("timeScale must be positive");
    }
    outboundObjects = Set.copyOf(outboundObjects);
  }

  public static SalesforceOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code d} multiplied by {@link #timeScale()}. */
  public Duration scaled(Duration d) {
    return Duration.ofNanos((long) (d.toNanos() * timeScale));
  }

  public static final class Builder {
    private String accessToken = DEFAULT_ACCESS_TOKEN;
    private String organizationId = SalesforceIds.of("00D", 1);
    private long dailyApiAllocation = DEFAULT_DAILY_API_ALLOCATION;
    private long seed = 42;
    private int accounts = 10;
    private int contacts = 50;
    private int leads = 20;
    private int opportunities = 10;
    private int queryPageSize = MAX_QUERY_PAGE_SIZE;
    private URI outboundMessageUrl;
    private Set<String> outboundObjects = new LinkedHashSet<>(Set.of("Account", "Contact", "Lead", "Opportunity"));
    private Duration outboundRetryInitial = Duration.ofSeconds(15);
    private Duration outboundRetryMax = Duration.ofHours(2);
    private Duration outboundGiveUpAfter = Duration.ofHours(24);
    private double timeScale = 1.0;
    private Clock clock;

    public Builder accessToken(String v) { accessToken = v; return this; }
    public Builder organizationId(String v) { organizationId = v; return this; }
    public Builder dailyApiAllocation(long v) { dailyApiAllocation = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder accounts(int v) { accounts = v; return this; }
    public Builder contacts(int v) { contacts = v; return this; }
    public Builder leads(int v) { leads = v; return this; }
    public Builder opportunities(int v) { opportunities = v; return this; }
    /** Sets every generated count at once. */
    public Builder counts(int accounts, int contacts, int leads, int opportunities) {
      this.accounts = accounts;
      this.contacts = contacts;
      this.leads = leads;
      this.opportunities = opportunities;
      return this;
    }
    public Builder queryPageSize(int v) { queryPageSize = v; return this; }
    public Builder outboundMessageUrl(URI v) { outboundMessageUrl = v; return this; }
    public Builder outboundObjects(Set<String> v) { outboundObjects = v; return this; }
    public Builder outboundRetryInitial(Duration v) { outboundRetryInitial = v; return this; }
    public Builder outboundRetryMax(Duration v) { outboundRetryMax = v; return this; }
    public Builder outboundGiveUpAfter(Duration v) { outboundGiveUpAfter = v; return this; }
    public Builder timeScale(double v) { timeScale = v; return this; }
    public Builder clock(Clock v) { clock = v; return this; }

    public SalesforceOptions build() {
      return new SalesforceOptions(accessToken, organizationId, dailyApiAllocation, seed, accounts, contacts, leads,
          opportunities, queryPageSize, outboundMessageUrl, outboundObjects, outboundRetryInitial, outboundRetryMax,
          outboundGiveUpAfter, timeScale, clock);
    }
  }
}
