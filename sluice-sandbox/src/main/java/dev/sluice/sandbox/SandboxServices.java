package dev.sluice.sandbox;

import java.time.Clock;

/**
 * What the shared sandbox server offers to each {@link PlatformSandbox}: the clock every platform
 * must read time from (so tests can move it), and the counters a platform reports to.
 * Thread-safe.
 */
public final class SandboxServices {
  private final Clock clock;
  private final SandboxCounters counters;
  private final java.util.function.Consumer<io.javalin.http.Context> answeredEarly;
  private final java.util.function.Supplier<String> baseUrl;

  SandboxServices(Clock clock, SandboxCounters counters, java.util.function.Consumer<io.javalin.http.Context> answeredEarly,
      java.util.function.Supplier<String> baseUrl) {
    this.clock = clock;
    this.counters = counters;
    this.answeredEarly = answeredEarly;
    this.baseUrl = baseUrl;
  }

  /** The shared server's {@code http://127.0.0.1:PORT} once it listens ({@code …:0} before). */
  public String baseUrl() {
    return baseUrl.get();
  }

  /**
   * Ends a request from a platform's before-handler (auth failure, rate limit...) once the answer
   * is written: the request is journaled and counted, and no further handler runs. Use this
   * instead of {@code ctx.skipRemainingHandlers()}, which would also skip the journal.
   */
  public void answered(io.javalin.http.Context ctx) {
    answeredEarly.accept(ctx);
  }

  /** The sandbox clock; platforms read "now" only from here. */
  public Clock clock() {
    return clock;
  }

  /** Records that a platform saw an idempotency key (e.g. a header or a dedupe field of a request). */
  public void recordIdempotencyKey(String platform, String key) {
    counters.recordIdempotencyKey(platform, key);
  }

  /** The shared counters, for platforms that count their own events (e.g. rate-limit answers). */
  public SandboxCounters counters() {
    return counters;
  }
}
