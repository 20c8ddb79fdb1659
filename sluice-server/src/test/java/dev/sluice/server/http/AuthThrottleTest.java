package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sandbox.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {
  @Test
  void freeFailuresThenADoublingWaitCappedAtAMinute() {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-07T04:00:00Z"));
    AuthThrottle t = new AuthThrottle(clock);
    for (int i = 0; i < AuthThrottle.FREE_FAILURES; i++) {
      t.failed("10.0.0.1");
      assertThat(t.retryAfterSeconds("10.0.0.1")).isZero();
    }
    t.failed("10.0.0.1");
    assertThat(t.retryAfterSeconds("10.0.0.1")).isEqualTo(1);
    t.failed("10.0.0.1");
    assertThat(t.retryAfterSeconds("10.0.0.1")).isEqualTo(2);
    t.failed("10.0.0.1");
    assertThat(t.retryAfterSeconds("10.0.0.1")).isEqualTo(4);
    for (int i = 0; i < 20; i++) t.failed("10.0.0.1");
    assertThat(t.retryAfterSeconds("10.0.0.1")).isEqualTo(60);
    clock.advance(Duration.ofSeconds(59));
    assertThat(t.retryAfterSeconds("10.0.0.1")).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(t.retryAfterSeconds("10.0.0.1")).isZero();
    // other addresses are not affected
    assertThat(t.retryAfterSeconds("10.0.0.2")).isZero();
  }

  @Test
  void aSuccessOrAQuarterHourWithoutFailuresForgetsTheAddress() {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-07T04:00:00Z"));
    AuthThrottle t = new AuthThrottle(clock);
    for (int i = 0; i <= AuthThrottle.FREE_FAILURES; i++) t.failed("a");
    assertThat(t.retryAfterSeconds("a")).isPositive();
    t.succeeded("a");
    assertThat(t.retryAfterSeconds("a")).isZero();

    for (int i = 0; i < AuthThrottle.FREE_FAILURES; i++) t.failed("b");
    clock.advance(AuthThrottle.FORGET_AFTER.plusSeconds(1));
    t.failed("b");
    assertThat(t.retryAfterSeconds("b")).isZero();
  }
}
