package dev.sluice.inbound;

import dev.sluice.queue.schema.SqlResource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * Deletes stored requests and their events older than the event retention, and forgets provider
 * ids older than the dedupe memory. The two are independent: the dedupe memory must outlast the
 * senders' retries (Salesforce and HubSpot 24 h, Mailchimp 75 min) even when events are kept less.
 * Deletes in slices so no statement holds locks for long.
 */
final class InboundRetention {
  /** How long events are kept by default. */
  static final Duration KEEP_EVENTS_DEFAULT = Duration.ofDays(30);
  /** How long provider ids are remembered by default: the longest sender retry horizon (24 h) with margin. */
  static final Duration DEDUPE_MEMORY_DEFAULT = Duration.ofHours(72);
  /** The shortest dedupe memory allowed: HubSpot and Salesforce retry for 24 hours. */
  static final Duration DEDUPE_MEMORY_MINIMUM = Duration.ofHours(24);
  static final int SLICE = 5_000;

  private final DataSource ds;
  private final Clock clock;
  private final Duration keepEvents;
  private final Duration dedupeMemory;
  private final SqlResource cleanRequests;
  private final SqlResource cleanDedupe;
  private final SqlResource cleanMirrorBefore;

  InboundRetention(DataSource ds, String schema, Clock clock, Duration keepEvents, Duration dedupeMemory) {
    this.ds = ds;
    this.clock = clock;
    this.keepEvents = keepEvents;
    this.dedupeMemory = dedupeMemory;
    this.cleanRequests = SqlResource.load(InboundRetention.class, "clean_requests.sql", schema);
    this.cleanDedupe = SqlResource.load(InboundRetention.class, "clean_dedupe.sql", schema);
    this.cleanMirrorBefore = SqlResource.load(InboundRetention.class, "clean_mirror_before.sql", schema);
  }

  /** One pass; answers how many requests and dedupe entries were deleted. */
  int cleanOnce() throws SQLException {
    return drain(cleanRequests, keepEvents) + drain(cleanDedupe, dedupeMemory) + drain(cleanMirrorBefore, keepEvents);
  }

  private int drain(SqlResource sql, Duration keep) throws SQLException {
    return sql.deleteInSlices(ds, clock.instant().minus(keep).atOffset(ZoneOffset.UTC), SLICE);
  }
}
