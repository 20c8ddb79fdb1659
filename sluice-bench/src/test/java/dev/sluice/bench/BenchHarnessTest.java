package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchHarnessTest {
  @Test
  void databaseDdlAcceptsOnlyNamesTheBenchMakes() {
    assertThat(SqlResource.withDatabase("drop-database.sql", "bench_sluice_1a2b3c4d")).contains("DROP DATABASE IF EXISTS bench_sluice_1a2b3c4d");
    assertThatThrownBy(() -> SqlResource.withDatabase("drop-database.sql", "x; DROP TABLE job"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SqlResource.withDatabase("drop-database.sql", "Bench")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nodeConnectionStringEncodesTheCredentials() {
    BenchDatabase db = new BenchDatabase(null, "bench_x", "jdbc:postgresql://127.0.0.1:5432/bench_x", "post gres", "p@ss:word", "127.0.0.1:5432");
    assertThat(db.connectionString()).isEqualTo("postgres://post+gres:p%40ss%3Aword@127.0.0.1:5432/bench_x");
    BenchDatabase trust = new BenchDatabase(null, "bench_y", "jdbc:postgresql://localhost:5433/bench_y", "postgres", null, "localhost:5433");
    assertThat(trust.connectionString()).isEqualTo("postgres://postgres@localhost:5433/bench_y");
  }

  @Test
  void optionsRejectNonsenseWithTheOptionName() {
    QueueBenchOptions d = QueueBenchOptions.defaults(Path.of("."));
    assertThatThrownBy(() -> new QueueBenchOptions(0, d.runs(), d.workers(), d.claimBatch(), d.loopWorkers(), d.deepBacklog(),
        d.pickupSamples(), d.pickupGap(), false, false, false, false, false, false, null, null, d.home()))
        .hasMessageContaining("--jobs");
    assertThatThrownBy(() -> new QueueBenchOptions(10, 0, d.workers(), d.claimBatch(), d.loopWorkers(), d.deepBacklog(),
        d.pickupSamples(), Duration.ZERO, false, false, false, false, false, false, null, null, d.home()))
        .hasMessageContaining("--runs");
  }

  @Test
  void lastLinesKeepsTheEndOfAnErrorOutput() {
    assertThat(NodeRuntime.lastLines("a\n\nb\nc\nd\n", 2)).isEqualTo("c | d");
    assertThat(NodeRuntime.lastLines("", 3)).isEmpty();
  }
}

