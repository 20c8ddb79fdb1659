package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * NewJob is a job to enqueue: a kind, a JSON payload and optional scheduling fields. Immutable.
 *
 * @param kind            which handler runs it; non-blank
 * @param payload         JSON text (object, array or scalar); {@code "{}"} when none
 * @param runAt           earliest run time; null = now
 * @param priority        lower runs first; default 0
 * @param maxAttempts     null = the kind's retry policy (or {@link RetryPolicy#DEFAULT_MAX_ATTEMPTS})
 * @param dedupeKey       unique among live jobs (and finished ones within the dedupe window); null = none
 * @param concurrencyKey  groups jobs for the kind's per-key concurrency cap; null = none
 * @param timeout         heartbeat staleness after which the rescuer re-queues it; null = the kind's or the default
 */
public record NewJob(String kind, String payload, Instant runAt, int priority, Integer maxAttempts,
                     String dedupeKey, String concurrencyKey, Duration timeout) {
  public NewJob {
    if (kind == null || kind.isBlank()) throw new IllegalArgumentException("job kind must not be blank");
    if (kind.length() > 200) throw new IllegalArgumentException("job kind is longer than 200 characters: " + kind.substring(0, 40) + "…");
    if (payload == null || payload.isBlank()) payload = "{}";
    if (maxAttempts != null && maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
  }

  /** A job of {@code kind} with a JSON payload, to run now. */
  public static NewJob of(String kind, String payloadJson) {
    return new NewJob(kind, payloadJson, null, 0, null, null, null, null);
  }

  public static Builder builder(String kind) {
    return new Builder(kind);
  }

  /** A builder starting from this job's values. */
  public Builder toBuilder() {
    Builder b = new Builder(kind);
    b.payload = payload;
    b.runAt = runAt;
    b.priority = priority;
    b.maxAttempts = maxAttempts;
    b.dedupeKey = dedupeKey;
    b.concurrencyKey = concurrencyKey;
    b.timeout = timeout;
    return b;
  }

  /** Builds a {@link NewJob}; not thread-safe. */
  public static final class Builder {
    private final String kind;
    private String payload = "{}";
    private Instant runAt;
    private int priority;
    private Integer maxAttempts;
    private String dedupeKey;
    private String concurrencyKey;
    private Duration timeout;

    private Builder(String kind) {
      this.kind = kind;
    }

    public Builder payload(String json) { this.payload = json; return this; }
    public Builder runAt(Instant runAt) { this.runAt = runAt; return this; }
    public Builder runAfter(Duration delay, java.time.Clock clock) { this.runAt = clock.instant().plus(delay); return this; }
    public Builder priority(int priority) { this.priority = priority; return this; }
    public Builder maxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; return this; }
    public Builder dedupeKey(String dedupeKey) { this.dedupeKey = dedupeKey; return this; }
    public Builder concurrencyKey(String concurrencyKey) { this.concurrencyKey = concurrencyKey; return this; }
    public Builder timeout(Duration timeout) { this.timeout = timeout; return this; }

    public NewJob build() {
      return new NewJob(Objects.requireNonNull(kind), payload, runAt, priority, maxAttempts, dedupeKey, concurrencyKey, timeout);
    }
  }
}
