package dev.sluice.connectors;

import java.util.List;

/**
 * Writes batches of records to one platform connection. Thread-safe; shares the connection's rate
 * limits with every other process.
 */
public interface DestinationConnector extends AutoCloseable {

  /** The connection's name from the config. */
  String connection();

  /** The platform's largest batch (HubSpot: 100). */
  int maxBatchSize();

  /**
   * Upserts {@code records} (at most {@link #maxBatchSize()}) into {@code objectType}.
   *
   * @param idempotencyKey sent to the platform as an idempotency key when not null, so a retried
   *     batch is not applied twice where the platform supports it
   * @return one result per input, in input order; per-record rejections are results, not exceptions
   * @throws ConnectorException when the whole batch failed (rate limited, retryable, auth, bad request)
   */
  WriteResult writeBatch(String objectType, List<OutboundRecord> records, String idempotencyKey) throws ConnectorException;

  /** {@link #writeBatch(String, List, String)} without an idempotency key. */
  default WriteResult writeBatch(String objectType, List<OutboundRecord> records) throws ConnectorException {
    return writeBatch(objectType, records, null);
  }

  @Override
  void close();
}
