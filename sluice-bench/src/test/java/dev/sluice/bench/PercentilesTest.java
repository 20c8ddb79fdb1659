package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {
  @Test
  void nearestRankPercentilesAreSamplesThatOccurred() {
    double[] oneToHundred = IntStream.rangeClosed(1, 100).mapToDouble(i -> i).toArray();
    Percentiles p = Percentiles.of(oneToHundred);
    assertThat(p.at(50)).isEqualTo(50);
    assertThat(p.at(99)).isEqualTo(99);
    assertThat(p.at(100)).isEqualTo(100);
    assertThat(p.at(0.1)).isEqualTo(1);
    assertThat(p.max()).isEqualTo(100);
  }

  @Test
  void orderOfTheSampleDoesNotMatter() {
    Percentiles p = Percentiles.of(new double[] {9, 1, 5, 3, 7});
    assertThat(p.at(50)).isEqualTo(5);
    assertThat(p.at(99)).isEqualTo(9);
    assertThat(p.count()).isEqualTo(5);
  }

  @Test
  void p99OfTwoThousandSamplesIsThe1980th() {
    double[] samples = IntStream.range(0, 2000).mapToDouble(i -> 2000 - i).toArray(); // 2000 .. 1, reversed
    assertThat(Percentiles.of(samples).at(99)).isEqualTo(1980);
  }

  @Test
  void refusesEmptySamplesNanAndOutOfRangePercentiles() {
    assertThatThrownBy(() -> Percentiles.of(new double[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Percentiles.of(new double[] {1, Double.NaN})).isInstanceOf(IllegalArgumentException.class);
    Percentiles p = Percentiles.of(new double[] {1});
    assertThatThrownBy(() -> p.at(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.at(101)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void medianOfRunsIsTheMiddleOrTheMeanOfTheTwoMiddleOnes() {
    assertThat(Percentiles.median(List.of(30.0, 10.0, 20.0))).isEqualTo(20.0);
    assertThat(Percentiles.median(List.of(40.0, 10.0, 30.0, 20.0))).isEqualTo(25.0);
    assertThat(Percentiles.median(List.of(7.0))).isEqualTo(7.0);
    assertThatThrownBy(() -> Percentiles.median(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void throughputIsJobsOverTheMeasuredWindow() {
    Throughput t = new Throughput(100_000, 1_250_000_000L);
    assertThat(t.jobsPerSec()).isEqualTo(80_000.0);
    assertThat(t.seconds()).isEqualTo(1.25);
    assertThatThrownBy(() -> new Throughput(0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
