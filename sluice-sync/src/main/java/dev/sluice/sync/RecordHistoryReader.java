package dev.sluice.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Reads a record's mirror row and one page of its change history (oldest first, by event sequence). */
final class RecordHistoryReader {
  private final SyncStore store;

  RecordHistoryReader(SyncStore store) {
    this.store = store;
  }

  RecordHistory read(Connection c, String connection, String objectType, String externalId, long afterSeq, int limit)
      throws SQLException {
    Optional<RecordHistory.MirrorRow> row = Optional.empty();
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("select_mirror_row"))) {
      ps.setString(1, connection);
      ps.setString(2, objectType);
      ps.setString(3, externalId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          row = Optional.of(new RecordHistory.MirrorRow(Json.read(rs.getString(1)), Json.read(rs.getString(2)),
              rs.getBoolean(3), SyncStore.instant(rs, 4), rs.getString(5), rs.getLong(6), rs.getLong(7),
              SyncStore.instant(rs, 8)));
        }
      }
    }
    List<RecordHistory.Change> changes = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("select_record_changes"))) {
      ps.setString(1, connection);
      ps.setString(2, objectType);
      ps.setString(3, externalId);
      ps.setLong(4, afterSeq);
      ps.setInt(5, limit + 1); // one more than asked: says whether another page follows
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long inboundEvent = rs.getLong(8);
          Long inboundEventId = rs.wasNull() ? null : inboundEvent; // wasNull speaks of the last column read
          changes.add(new RecordHistory.Change(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
              Arrays.asList((String[]) rs.getArray(5).getArray()), rs.getString(6), SyncStore.instant(rs, 7),
              inboundEventId));
        }
      }
    }
    Long nextAfter = null;
    if (changes.size() > limit) {
      changes = changes.subList(0, limit);
      nextAfter = changes.get(limit - 1).eventSeq();
    }
    return new RecordHistory(connection, objectType, externalId, row, List.copyOf(changes), nextAfter);
  }
}
