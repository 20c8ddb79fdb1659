package dev.sluice.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * WAL written by the server during a contender's work phase, from {@code pg_current_wal_lsn()}
 * before and after. Server-wide: what other sessions write meanwhile counts too.
 */
final class WalMeter {
  private final BenchDatabase db;
  private long start = -1;
  private long bytes = -1;

  WalMeter(BenchDatabase db) {
    this.db = db;
  }

  void start() {
    start = lsn();
  }

  void stop() {
    long end = lsn();
    if (start >= 0 && end >= start) bytes = end - start;
  }

  /** Bytes of WAL in the window; -1 when not measured. */
  long bytes() {
    return bytes;
  }

  private long lsn() {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SqlResource.load("wal-lsn.sql"))) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (SQLException e) {
      return -1;
    }
  }
}
