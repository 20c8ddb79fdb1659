package dev.sluice.pipelines;

import java.util.Map;

/**
 * What a batch does with one source record.
 *
 * @param send the fields to write (null unless {@link Kind#SEND})
 * @param mapped every mapped value, stored as the push's state (null when mapping failed)
 * @param key the identity key (null when mapping failed)
 * @param destinationId the linked destination record, when known
 */
record Decision(SourceRow row, Kind kind, String reason, String error, Map<String, String> send,
    Map<String, String> mapped, String key, String destinationId) {

  enum Kind { SEND, SKIP, FAIL, DELETE }

  /** Deletes {@code destinationId}: the source record was deleted and the pipeline propagates deletes. */
  static Decision delete(SourceRow row, String destinationId) {
    return new Decision(row, Kind.DELETE, "deleted", null, null, null, null, destinationId);
  }

  static Decision skip(SourceRow row, String reason, Map<String, String> mapped, String key, String destinationId) {
    return new Decision(row, Kind.SKIP, reason, null, null, mapped, key, destinationId);
  }

  static Decision fail(SourceRow row, String reason, String error, Map<String, String> mapped, String key) {
    return new Decision(row, Kind.FAIL, reason, error, null, mapped, key, null);
  }
}
