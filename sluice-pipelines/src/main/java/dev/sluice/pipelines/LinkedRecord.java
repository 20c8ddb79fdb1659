package dev.sluice.pipelines;

import java.time.Instant;
import java.util.Map;

/**
 * A record linked to an identity entity, with its mirror row when the mirror holds its system.
 *
 * @param properties its mirror properties; null when the mirror has no row for it
 * @param written what Sluice last wrote to it; null when nothing
 */
record LinkedRecord(String matchKey, String connection, String objectType, String externalId,
    Map<String, String> properties, Instant updatedAt, boolean archived, Map<String, String> written) {

  boolean inMirror() {
    return properties != null;
  }
}
