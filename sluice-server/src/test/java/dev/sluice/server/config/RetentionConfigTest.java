package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sync.SyncRetention;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code retention:} in sluice.yaml: per-table ages of the sync history. */
class RetentionConfigTest {
  @Test
  void agesInDaysHoursOrMinutesAndDefaultsForTheRest() {
    SluiceConfig config = SluiceConfig.parse("""
        retention:
          sync_events: 7d
          record_changes: 36h
        """, Map.of());
    assertThat(config.retention()).isEqualTo(new SyncRetention(Duration.ofDays(7), Duration.ofHours(36),
        SyncRetention.RUNS_DEFAULT));
    assertThat(SluiceConfig.parse("{}", Map.of()).retention()).isEqualTo(SyncRetention.DEFAULTS);
    assertThat(SluiceConfig.parse("retention:\n  sync_runs: 90m\n  sync_events: 30m\n  record_changes: 60m\n", Map.of())
        .retention().runs()).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void badAgesAreOneLineNamingTheKey() {
    assertThatThrownBy(() -> SluiceConfig.parse("retention:\n  sync_events: forever\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("retention.sync_events: must be a positive age like 30d, 12h or 90m, got 'forever'");
    assertThatThrownBy(() -> SluiceConfig.parse("retention:\n  record_changes: 0d\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("retention.record_changes:");
    assertThatThrownBy(() -> SluiceConfig.parse("retention:\n  sync_runs: 10d\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("retention: sync_runs");
    assertThatThrownBy(() -> SluiceConfig.parse("retention:\n  events: 10d\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("events");
  }
}
