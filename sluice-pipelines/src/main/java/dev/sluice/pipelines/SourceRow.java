package dev.sluice.pipelines;

import java.time.Instant;
import java.util.Map;

/**
 * A mirror row a batch considers.
 *
 * @param lastMapped the mapped values of this pipeline's last push of it (null: never pushed)
 * @param written what Sluice itself last wrote to this record (null: nothing)
 * @param lastDestinationId the destination record this pipeline's last push of it went to (null: none)
 * @param destinationArchived that destination record is deleted in the mirror (when the destination is synced)
 */
record SourceRow(String externalId, Map<String, String> properties, boolean archived, Instant updatedAt,
    String contentHash, Map<String, String> lastMapped, Map<String, String> written, String lastDestinationId,
    boolean destinationArchived) {

  SourceRow(String externalId, Map<String, String> properties, boolean archived, Instant updatedAt,
      String contentHash, Map<String, String> lastMapped, Map<String, String> written) {
    this(externalId, properties, archived, updatedAt, contentHash, lastMapped, written, null, false);
  }
}
