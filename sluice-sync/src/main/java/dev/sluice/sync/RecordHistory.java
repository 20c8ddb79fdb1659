package dev.sluice.sync;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Why a mirrored record looks the way it does: its current row and the pages that changed it, one
 * page of that history at a time.
 *
 * @param connection connection name
 * @param objectType e.g. {@code "contacts"}
 * @param externalId the platform's id
 * @param current the mirror row, empty when the record was never synced
 * @param changes changes after the cursor asked for, oldest first, at most the limit asked for
 * @param nextAfter the cursor for the next page of changes ({@link Change#eventSeq()} of the last one
 *     here), or null when there are no more
 */
public record RecordHistory(
    String connection, String objectType, String externalId, Optional<MirrorRow> current, List<Change> changes,
    Long nextAfter) {

  /**
   * The row in {@code sluice.record}.
   *
   * @param properties the property object as stored
   * @param associations associated type to id array, as stored
   */
  public record MirrorRow(
      JsonNode properties,
      JsonNode associations,
      boolean archived,
      Instant sourceUpdatedAt,
      String contentHash,
      long firstSeenRun,
      long lastChangedRun,
      Instant syncedAt) {}

  /**
   * One page, or one webhook-driven refresh, that created or changed the record.
   *
   * @param runId the run; {@link MirrorRefresh#OUTSIDE_RUN} for a webhook-driven refresh
   * @param eventSeq the {@link SyncEventType#PAGE_COMMITTED} event of that page (for a refresh, a
   *     number from the same sequence: the history's order and cursor)
   * @param page the page number within its stream (0-based; 0 for a refresh)
   * @param kind {@code created}, {@code updated} or {@code archived} (an update that archived it)
   * @param changedProperties names of properties whose value changed (empty for {@code created}: the
   *     whole record is new); {@code associations} and {@code archived} appear here when those changed
   * @param runMode the run's mode ({@code full} or {@code incremental}); null for a refresh
   * @param at when the page (or refresh) committed
   * @param inboundEventId for a webhook-driven refresh, the stored inbound event that asked for it
   *     ({@code GET /v1/events/{id}}); null for a sync page
   */
  public record Change(
      long runId, long eventSeq, long page, String kind, List<String> changedProperties, String runMode, Instant at,
      Long inboundEventId) {

    /** Whether a webhook-driven refresh, not a sync page, made this change. */
    public boolean fromWebhook() {
      return inboundEventId != null;
    }
  }
}
