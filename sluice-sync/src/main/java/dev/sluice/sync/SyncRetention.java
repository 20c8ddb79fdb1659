package dev.sluice.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * How long the sync history is kept, per table; the mirror ({@code record}) itself is never deleted.
 * Each age counts from when a run finished; active runs are never touched. Immutable.
 *
 * @param events {@code sync_event} rows of runs finished longer ago than this (the runs themselves stay)
 * @param recordChanges {@code record_change} rows written by runs finished longer ago than this
 * @param runs {@code sync_run} rows finished longer ago than this, with their {@code sync_stream} rows;
 *     at least as long as the other two (a run's events and changes never outlive it). The run holding
 *     the last completed read of a (connection, object type) is kept whatever its age: the next
 *     incremental run starts from it.
 */
public record SyncRetention(Duration events, Duration recordChanges, Duration runs) {
  /** Events of a finished run: 30 days. */
  public static final Duration EVENTS_DEFAULT = Duration.ofDays(30);
  /** Record changes: 90 days. */
  public static final Duration RECORD_CHANGES_DEFAULT = Duration.ofDays(90);
  /** Runs and their streams: 180 days. */
  public static final Duration RUNS_DEFAULT = Duration.ofDays(180);
  /** The defaults above. */
  public static final SyncRetention DEFAULTS = new SyncRetention(EVENTS_DEFAULT, RECORD_CHANGES_DEFAULT, RUNS_DEFAULT);

  /** @throws IllegalArgumentException a missing or non-positive age, or runs kept shorter than their events or changes */
  public SyncRetention {
    positive("sync_events", events);
    positive("record_changes", recordChanges);
    positive("sync_runs", runs);
    if (runs.compareTo(events) < 0 || runs.compareTo(recordChanges) < 0) {
      throw new IllegalArgumentException("sync_runs (" + runs + ") must be at least as long as sync_events (" + events
          + ") and record_changes (" + recordChanges + "): a run's events and changes never outlive it");
    }
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
    }
  }

  ObjectNode json() {
    return Json.object().put("events", events.toString()).put("record_changes", recordChanges.toString())
        .put("runs", runs.toString());
  }

  /** From {@link #json()}; the defaults for anything missing. */
  static SyncRetention fromJson(JsonNode n) {
    try {
      return new SyncRetention(duration(n, "events", EVENTS_DEFAULT), duration(n, "record_changes", RECORD_CHANGES_DEFAULT),
          duration(n, "runs", RUNS_DEFAULT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("retention is not ISO-8601 durations: " + n, e);
    }
  }

  private static Duration duration(JsonNode n, String field, Duration fallback) {
    JsonNode v = n.path(field);
    return v.isTextual() ? Duration.parse(v.asText()) : fallback;
  }
}
