package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sandbox.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedValueTest {
  @Test
  void computesAtMostOncePerTtl() {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-07T05:00:00Z"));
    AtomicInteger computed = new AtomicInteger();
    CachedValue<Integer> v = new CachedValue<>(clock, Duration.ofSeconds(5), computed::incrementAndGet);
    assertThat(v.get()).isEqualTo(1);
    clock.advance(Duration.ofMillis(4999));
    assertThat(v.get()).isEqualTo(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(v.get()).isEqualTo(2);
    assertThat(computed).hasValue(2);
  }
}
