package dev.sluice.queue;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * QueueStats is a snapshot of the job table: how many jobs of each kind are in each state, and how
 * long the oldest runnable job has been waiting.
 *
 * @param countsByKind   kind → state → count (states with no jobs are absent)
 * @param oldestReadyAge age of the oldest READY/RETRYABLE job whose run time has come; null when none waits
 */
public record QueueStats(Map<String, Map<JobState, Long>> countsByKind, Duration oldestReadyAge) {
  /** Jobs in {@code state} across all kinds. */
  public long count(JobState state) {
    return countsByKind.values().stream().mapToLong(m -> m.getOrDefault(state, 0L)).sum();
  }

  /** Jobs of {@code kind} in {@code state}. */
  public long count(String kind, JobState state) {
    return countsByKind.getOrDefault(kind, Map.of()).getOrDefault(state, 0L);
  }

  /** Totals per state across all kinds. */
  public Map<JobState, Long> totals() {
    Map<JobState, Long> totals = new EnumMap<>(JobState.class);
    countsByKind.values().forEach(m -> m.forEach((s, n) -> totals.merge(s, n, Long::sum)));
    return totals;
  }

  public Optional<Duration> oldestReady() {
    return Optional.ofNullable(oldestReadyAge);
  }
}
