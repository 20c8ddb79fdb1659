package dev.sluice.queue;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * JobState is where a job is in its life. The allowed moves are the table in {@link #canMoveTo};
 * every UPDATE the queue runs also names the state it moves from in its {@code WHERE}, so a move the
 * table forbids cannot happen in the database either (it simply updates no row).
 *
 * <pre>
 *  READY ──claim──▶ RUNNING ──ok──▶ COMPLETED
 *    ▲ ▲              │ │ │
 *    │ └──snooze──────┘ │ └─error, attempts left──▶ RETRYABLE ──claim──▶ RUNNING
 *    │                  └─permanent / exhausted───▶ DEAD
 *    └──────────── retry ◀──────────────────────── DEAD, CANCELLED
 * </pre>
 */
public enum JobState {
  /** Waiting to run; {@code run_at} may be in the future (a scheduled job). */
  READY,
  /** Claimed by a worker (possibly still in its local buffer) and heartbeating. */
  RUNNING,
  /** The handler returned normally. Terminal. */
  COMPLETED,
  /** The handler failed and attempts are left; runs again at {@code run_at}. */
  RETRYABLE,
  /** Failed permanently or out of attempts; kept for an operator to retry or cancel. */
  DEAD,
  /** Cancelled by an operator; can be retried. */
  CANCELLED,
  /** Its kind was in shadow mode: recorded, the handler was never called. Terminal. */
  SHADOWED;

  private static final Map<JobState, Set<JobState>> ALLOWED = Map.of(
      READY, EnumSet.of(RUNNING, CANCELLED, SHADOWED),
      RUNNING, EnumSet.of(COMPLETED, RETRYABLE, DEAD, READY, CANCELLED),
      RETRYABLE, EnumSet.of(RUNNING, READY, CANCELLED, SHADOWED),
      DEAD, EnumSet.of(READY, CANCELLED),
      CANCELLED, EnumSet.of(READY),
      COMPLETED, EnumSet.noneOf(JobState.class),
      SHADOWED, EnumSet.noneOf(JobState.class));

  /** True when the queue may move a job from this state to {@code next}. */
  public boolean canMoveTo(JobState next) {
    return ALLOWED.get(this).contains(next);
  }

  /** The states a job may move to from this one. */
  public Set<JobState> next() {
    return ALLOWED.get(this).isEmpty() ? Set.of() : EnumSet.copyOf(ALLOWED.get(this));
  }

  /** True for states no worker will pick up again without an operator. */
  public boolean isFinished() {
    return this == COMPLETED || this == DEAD || this == CANCELLED || this == SHADOWED;
  }

  /** The value stored in the {@code state} column. */
  public String dbValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a {@code state} column value (case-insensitive); a clear error for anything else. */
  public static JobState fromDb(String value) {
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown job state '" + value + "' (known: ready, running, completed, retryable, dead, cancelled, shadowed)");
    }
  }
}
