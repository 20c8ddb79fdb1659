package dev.sluice.queue;

/**
 * JobFilter selects jobs for bulk admin actions ({@link JobQueue#retryDead}, {@link JobQueue#cancelDead}).
 * Immutable; null fields match everything.
 *
 * @param kind          exact kind, or null
 * @param errorContains substring of the last error (case-sensitive), or null
 */
public record JobFilter(String kind, String errorContains) {
  /** Matches every job. */
  public static JobFilter any() {
    return new JobFilter(null, null);
  }

  /** Matches jobs of {@code kind}. */
  public static JobFilter kind(String kind) {
    return new JobFilter(kind, null);
  }

  /** Matches jobs whose last error contains {@code text}. */
  public static JobFilter errorText(String text) {
    return new JobFilter(null, text);
  }

  /** This filter, also requiring the last error to contain {@code text}. */
  public JobFilter errorContains(String text) {
    return new JobFilter(kind, text);
  }

  /** This filter, also requiring the kind. */
  public JobFilter withKind(String kind) {
    return new JobFilter(kind, errorContains);
  }
}
