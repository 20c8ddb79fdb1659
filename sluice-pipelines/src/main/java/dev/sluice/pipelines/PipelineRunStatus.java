package dev.sluice.pipelines;

import java.util.Locale;

/**
 * A pipeline run's state: {@code pending → processing → completed | partially_completed | failed |
 * cancelled}; {@code failed | cancelled → processing} by resume.
 */
public enum PipelineRunStatus {
  PENDING, PROCESSING, COMPLETED, PARTIALLY_COMPLETED, FAILED, CANCELLED;

  /** True while batches may still run. */
  public boolean active() {
    return this == PENDING || this == PROCESSING;
  }

  /** The database and API spelling, e.g. {@code partially_completed}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  static PipelineRunStatus fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
