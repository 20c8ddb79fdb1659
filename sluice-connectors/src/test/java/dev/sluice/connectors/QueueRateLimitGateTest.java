package dev.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.queue.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueueRateLimitGateTest {

  @Test
  void tenSecondWindowNeverGrantsTheFullLimitWithinTheWindow() {
    RateLimit b = QueueRateLimitGate.bucket(RateLimitSpec.of(190, Duration.ofSeconds(10)));
    assertThat(b.maxPermitsIn(Duration.ofSeconds(10))).isLessThanOrEqualTo(190);
    assertThat(b.permitsPerSecond()).isGreaterThan(0.95 * 19);
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
  void dailyCapKeepsItsTotal() {
    RateLimit b = QueueRateLimitGate.bucket(RateLimitSpec.of(625_000, Duration.ofDays(1)));
    assertThat(b.maxPermitsIn(Duration.ofDays(1))).isLessThanOrEqualTo(625_000);
  }
}
