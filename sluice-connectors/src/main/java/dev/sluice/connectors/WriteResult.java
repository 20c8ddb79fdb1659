package dev.sluice.connectors;

import java.util.List;

/**
 * Per-record outcome of {@link DestinationConnector#uploadBatch}, one entry per input in input order.
 */
public record WriteResult(List<RecordResult> results) {

  public WriteResult {
    results = List.copyOf(results);
  }

  /** What happened to one record. */
  public enum Status {
    CREATED,
    UPDATED,
    /** Deleted by {@link DestinationConnector#deleteBatch} (or already gone). */
    DELETED,
    FAILED
  }

  /**
   * @param traceId the input's trace id (or its index in the batch as a string)
   * @param status created, updated or failed
   * @param externalId the destination's id of the record, null when failed
   * @param errorKind for FAILED: {@link ConnectorException.Kind#PERMANENT_RECORD} (fix the data) or
   *     {@link ConnectorException.Kind#RETRYABLE} (the platform gave no reason that is the record's fault)
   * @param error for FAILED: the platform's message, e.g. {@code "VALIDATION_ERROR: Property ... "}
   */
  public record RecordResult(String traceId, Status status, String externalId, ConnectorException.Kind errorKind, String error) {
    public boolean ok() {
      return status != Status.FAILED;
    }
  }

  /** How many records failed. */
  public long failures() {
    return results.stream().filter(r -> !r.ok()).count();
  }
}
