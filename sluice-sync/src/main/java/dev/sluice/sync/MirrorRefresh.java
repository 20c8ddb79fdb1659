package dev.sluice.sync;

import dev.sluice.connectors.SourceRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * MirrorRefresh writes records read outside a sync run (refreshes driven by webhooks) into the
 * mirror exactly as a sync page does: one upsert that rewrites a row only when its content hash
 * changed and never with content older than the stored row's source last-modified time (so a
 * refresh racing a full sync cannot leave an older version), deletions as archived rows, and one
 * {@code record_change} per created or changed record, with run id {@value #OUTSIDE_RUN} and the
 * id of the inbound event that named the record (so the record's history shows the webhook that
 * changed it). Runs inside the caller's transaction. Thread-safe.
 */
public final class MirrorRefresh {
  /** The run id recorded for mirror writes made outside any sync run. */
  public static final long OUTSIDE_RUN = 0;

  private final SyncStore store;
  private final MirrorWriter writer;
  private final Clock clock;

  public MirrorRefresh(String schema, Clock clock) {
    this.store = new SyncStore(new SqlStatements(schema));
    this.writer = new MirrorWriter(store);
    this.clock = clock;
  }

  /**
   * Archives the mirror rows of records the source no longer knows at all (merged into another
   * record, or gone beyond its recycle bin), keeping their properties; answers how many rows changed.
   */
  public long archiveGone(Connection c, String connection, String objectType, List<String> externalIds,
      Map<String, Long> eventIds) throws SQLException {
    if (externalIds.isEmpty()) return 0;
    Instant now = clock.instant();
    List<MirrorWriter.Change> changes = new java.util.ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("archive_gone"))) {
      ps.setLong(1, OUTSIDE_RUN);
      SyncStore.setInstant(ps, 2, now);
      ps.setString(3, connection);
      ps.setString(4, objectType);
      ps.setArray(5, c.createArrayOf("text", externalIds.toArray()));
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) changes.add(new MirrorWriter.Change(rs.getString(1), "archived", List.of("archived"), java.util.Map.of(), java.util.Map.of()));
      }
    }
    writer.recordOutsideRunChanges(c, connection, objectType, changes, eventIds, now);
    return changes.size();
  }

  /** What one refresh did to the mirror. */
  public record Counts(long created, long updated, long unchanged, long archived) {}

  /**
   * Upserts {@code records} (all of {@code objectType}) for {@code connection} on {@code platform},
   * recording each change against the inbound event that named its record ({@code eventIds} by
   * external id); {@code readAt} is when they were read from the source (associations observed
   * later by a sync page are kept).
   */
  public Counts apply(Connection c, String connection, String platform, String objectType, List<SourceRecord> records,
      Map<String, Long> eventIds, Instant readAt) throws SQLException {
    Instant now = clock.instant();
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("upsert_connection"))) {
      ps.setString(1, connection);
      ps.setString(2, platform);
      SyncStore.setInstant(ps, 3, now);
      ps.executeUpdate();
    }
    MirrorWriter.Result r = writer.upsert(c, connection, objectType, OUTSIDE_RUN, records, now, readAt);
    writer.recordOutsideRunChanges(c, connection, objectType, r.changes(), eventIds, now);
    StreamCounts k = r.counts();
    return new Counts(k.created(), k.updated(), k.unchanged(), k.archived());
  }
}
