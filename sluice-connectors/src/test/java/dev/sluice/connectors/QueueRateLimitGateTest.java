package dev.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.queue.ratelimit.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueueRateLimitGateTest {

  @Test
  void tenSecondWindowIsTheApisOwnRollingWindowWithASpread() {
    RateLimit b = QueueRateLimitGate.bucket(RateLimitSpec.of(190, Duration.ofSeconds(10)));
    assertThat(b.rolling()).isTrue();
    assertThat(b.capacity()).as("a whole window's worth at once").isEqualTo(190);
    assertThat(b.maxPermitsIn(Duration.ofSeconds(10))).isLessThanOrEqualTo(190);
    assertThat(b.refillPeriod()).isGreaterThan(Duration.ofSeconds(10)).isLessThanOrEqualTo(Duration.ofMillis(10_200));
  }

  @Test
  void searchIsPacedOnePermitAtATime() {
    RateLimit b = QueueRateLimitGate.bucket(RateLimitSpec.of(5, Duration.ofSeconds(1)));
    assertThat(b.capacity()).isEqualTo(1);
    // One permit at least 1/5 s apart: five fit in any one-second window, never six.
    assertThat(1_000_000.0 / b.permitsPerSecond()).isGreaterThanOrEqualTo(200_000.0);
    assertThat(b.permitsPerSecond()).isGreaterThan(0.95 * 5);
  }

  @Test
  void dailyQuotaIsUsableAtOnceAndRefillsAtItsAverageRate() {
    RateLimit b = QueueRateLimitGate.bucket(RateLimitSpec.of(625_000, Duration.ofDays(1)));
    assertThat(b.rolling()).as("too many grants to log").isFalse();
    // a first sync of a million contacts (40,000 calls) is not paced over the day
    assertThat(b.capacity()).isEqualTo(625_000);
    assertThat(b.permitsPerSecond()).isLessThanOrEqualTo(625_000 / 86_400.0);
  }
}
