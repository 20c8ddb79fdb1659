package dev.sluice.connectors;

/** How a stream is read: every record ({@link #FULL}) or only those changed since a point in time. */
public enum SyncMode {
  /** List every record of the object type, then the archived ones. */
  FULL,
  /**
   * Only records modified since {@link StreamRequest#incrementalSince()} (minus the connection's
   * overlap for index lag), then the archived ones. Falls back to {@link #FULL} when that instant is
   * null.
   */
  INCREMENTAL
}
