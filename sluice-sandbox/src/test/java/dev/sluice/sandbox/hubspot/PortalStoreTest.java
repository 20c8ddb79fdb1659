package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Pure logic of the store: the timestamp format matches java.time's for any instant. */
class PortalStoreTest {
  @Test
  void isoMatchesTheFormatter() {
    assertThat(PortalStore.iso(Instant.parse("2024-09-11T13:27:39.356Z").toEpochMilli())).isEqualTo("2024-09-11T13:27:39.356Z");
    assertThat(PortalStore.iso(0)).isEqualTo("1970-01-01T00:00:00.000Z");
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 100_000; i++) {
      long ms = r.nextLong(-2_000_000_000_000L, 4_000_000_000_000L);
      assertThat(PortalStore.iso(ms)).isEqualTo(PortalStore.ISO.format(Instant.ofEpochMilli(ms)));
    }
  }
}
