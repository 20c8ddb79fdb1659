package dev.sluice.pipelines;

import java.time.Instant;
import java.util.Map;

/**
 * A mirror row a batch considers.
 *
 * @param lastMapped the mapped values of this pipeline's last push of it (null: never pushed)
 * @param written what Sluice itself last wrote to this record (null: nothing)
 */
record SourceRow(String externalId, Map<String, String> properties, boolean archived, Instant updatedAt,
    String contentHash, Map<String, String> lastMapped, Map<String, String> written) {}
