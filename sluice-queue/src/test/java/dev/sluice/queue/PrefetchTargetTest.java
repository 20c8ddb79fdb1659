package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The adaptive buffer depth of a worker without an explicit prefetch (no clock: times are passed in). */
class PrefetchTargetTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void startsAtTheMinimumAndDoublesOncePerFullClaimThatLeftTheHandlersWaiting() {
    PrefetchTarget p = PrefetchTarget.adaptive(32, 4000);
    assertThat(p.get()).isEqualTo(32);
    p.starved(1);
    p.starved(1); // every handler that finds the buffer empty reports it: one doubling per claim
    assertThat(p.get()).isEqualTo(64);
    p.starved(2);
    assertThat(p.get()).isEqualTo(128);
    p.starved(1); // an older claim finishing late changes nothing
    assertThat(p.get()).isEqualTo(128);
    for (long claim = 3; claim < 20; claim++) p.starved(claim);
    assertThat(p.get()).isEqualTo(4000);
  }

  @Test
  void halvesAtMostOncePerSecondWhenBufferedJobsWaitLongerThanASecond() {
    PrefetchTarget p = PrefetchTarget.adaptive(32, 4000);
    for (long claim = 1; claim < 20; claim++) p.starved(claim);
    p.waited(SECOND / 2, 10 * SECOND);
    assertThat(p.get()).as("half a second of waiting is fine").isEqualTo(4000);
    p.waited(2 * SECOND, 10 * SECOND);
    p.waited(2 * SECOND, 10 * SECOND + 1); // the other jobs of the same slow batch
    assertThat(p.get()).isEqualTo(2000);
    p.waited(2 * SECOND, 11 * SECOND + 1);
    assertThat(p.get()).isEqualTo(1000);
    for (int s = 12; s < 30; s++) p.waited(2 * SECOND, s * SECOND + 2);
    assertThat(p.get()).isEqualTo(32);
  }

  @Test
  void aDrainedQueueResetsItToTheMinimum() {
    PrefetchTarget p = PrefetchTarget.adaptive(8, 100);
    p.starved(1);
    p.starved(2);
    assertThat(p.get()).isEqualTo(32);
    p.drained();
    assertThat(p.get()).isEqualTo(8);
  }

  @Test
  void aFixedPrefetchNeverMoves() {
    PrefetchTarget p = PrefetchTarget.fixed(9);
    p.starved(1);
    p.waited(5 * SECOND, 10 * SECOND);
    p.drained();
    assertThat(p.get()).isEqualTo(9);
    assertThat(p.max()).isEqualTo(9);
  }
}
