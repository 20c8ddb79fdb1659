package dev.sluice.sandbox.segment;

import java.time.Clock;
import java.util.Objects;

/**
 * Settings of the Segment sandbox; immutable, built with {@link #builder()}.
 *
 * @param writeKey the only write key accepted (Basic auth user name, empty password)
 * @param requestsPerSecond requests accepted per second before 429 (Segment: 1,000 per workspace)
 * @param clock the clock of the rate-limit window; null (the default) reads the shared sandbox
 *     clock, or the system clock when the platform runs on its own
 * @param strictWriteKey false (the default) answers a wrong or missing write key 200 and drops the
 *     events, as Segment's tracking API does; true answers 401 instead (a sandbox convenience)
 */
public record SegmentOptions(String writeKey, int requestsPerSecond, Clock clock, boolean strictWriteKey) {
  public static final String DEFAULT_WRITE_KEY = "sandboxSegmentWriteKey0000000001";
  public static final int DEFAULT_REQUESTS_PER_SECOND = 1_000;

  public SegmentOptions {
    Objects.requireNonNull(writeKey, "writeKey");
    if (writeKey.isEmpty() || requestsPerSecond < 1) {
      throw new IllegalArgumentException("writeKey must not be empty and requestsPerSecond must be positive");
    }
  }

  public static SegmentOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String writeKey = DEFAULT_WRITE_KEY;
    private int requestsPerSecond = DEFAULT_REQUESTS_PER_SECOND;
    private Clock clock;
    private boolean strictWriteKey;

    public Builder writeKey(String v) { writeKey = v; return this; }
    public Builder strictWriteKey(boolean v) { strictWriteKey = v; return this; }
    public Builder requestsPerSecond(int v) { requestsPerSecond = v; return this; }
    public Builder clock(Clock v) { clock = v; return this; }

    public SegmentOptions build() {
      return new SegmentOptions(writeKey, requestsPerSecond, clock, strictWriteKey);
    }
  }
}
