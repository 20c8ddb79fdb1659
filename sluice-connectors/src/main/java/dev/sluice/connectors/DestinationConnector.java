package dev.sluice.connectors;

import java.util.List;
import java.util.Map;

/**
 * Writes records to one platform connection: seed 001's <b>map fields</b> ({@link #mapFields}) and
 * <b>upload a batch</b> ({@link #uploadBatch}). Thread-safe; shares the connection's rate limits
 * with every other process.
 *
 * <p>Contract (checked by {@code DestinationConnectorContract} against the sandbox): a batch with
 * one bad record writes the others and reports that one as FAILED with the platform's reason; the
 * same batch uploaded twice has one effect (upserts by key; Segment dedupes by a stable {@code
 * messageId}); rate limits come back as {@link ConnectorException.Kind#RATE_LIMITED} with the
 * platform's wait; rejected credentials as {@link ConnectorException.Kind#AUTH}.
 */
public interface DestinationConnector extends Connector {

  /** The platform's largest batch (HubSpot 100, Salesforce 200, Mailchimp 500, Segment 2,500 events within 500 KB). */
  int maxBatchSize();

  /**
   * How many calls one caller may have in flight on this connection at once within the platform's
   * published limits: Mailchimp the account's simultaneous connections (10, or {@code
   * settings.max_connections}), Salesforce 25 (its cap on concurrent long requests; shorter ones have
   * none); by default {@value #DEFAULT_CALLS_IN_FLIGHT}, for platforms whose limit is a rate. Each
   * call still takes its own permit and slot of the connection's shared limits.
   */
  default int maxCallsInFlight() {
    return DEFAULT_CALLS_IN_FLIGHT;
  }

  /** {@link #maxCallsInFlight} of a platform whose limit is a rate, not a number of connections. */
  int DEFAULT_CALLS_IN_FLIGHT = 4;

  /**
   * Turns the mapped values of one record (destination field → value, as a mapping produced them)
   * into a record {@link #uploadBatch} accepts: field names checked against {@link #describe}, values
   * converted to the field's type, required fields present when the record may be created. Costs a
   * request only the first time an object type is described.
   *
   * @param objectType the destination object, e.g. {@code "Contact"}, {@code "members"}, {@code "identify"}
   * @param keyField the field whose value in {@code values} identifies the record on the destination
   *     (an upsert key: HubSpot {@code email} or {@code hs_object_id}, Salesforce {@code
   *     External_Id__c} or {@code Id}, Mailchimp {@code email_address}, Segment {@code userId});
   *     null to create without matching where the platform allows it
   * @param values the mapped values; null values clear the field where the platform allows it
   * @param traceId the caller's handle for the record, echoed in its result; may be null
   * @throws FieldMappingException naming every bad field and its value (the record must not be sent)
   * @throws ConnectorException when the schema could not be read
   */
  OutboundRecord mapFields(String objectType, String keyField, Map<String, ?> values, String traceId)
      throws FieldMappingException, ConnectorException;

  /**
   * Upserts {@code records} (at most {@link #maxBatchSize()}) into {@code objectType}.
   *
   * @param idempotencyKey a key stable across retries of this batch; sent to the platform where it
   *     takes one (HubSpot {@code Idempotency-Key}) or used to derive per-record keys (Segment {@code
   *     messageId}); may be null
   * @return one result per input, in input order; per-record rejections are results, not exceptions
   * @throws ConnectorException when the whole batch failed (rate limited, retryable, auth, bad request);
   *     pass it to {@link #handleError} to learn what to do
   */
  WriteResult uploadBatch(String objectType, List<OutboundRecord> records, String idempotencyKey) throws ConnectorException;

  /**
   * Deletes records by the destination's own ids (HubSpot archives them; Salesforce moves them to the
   * recycle bin), at most {@link #maxBatchSize()} a call. A record that is already gone counts as
   * deleted, so a repeated call has one effect.
   *
   * @return one result per id, in order: {@link WriteResult.Status#DELETED} or FAILED with the reason
   * @throws ConnectorException as {@link #uploadBatch}; {@link ConnectorException.Kind#PERMANENT_BATCH}
   *     from a platform Sluice does not delete on
   */
  default WriteResult deleteBatch(String objectType, List<String> ids) throws ConnectorException {
    throw new ConnectorException(ConnectorException.Kind.PERMANENT_BATCH, "connection " + connection()
        + ": Sluice does not delete records on this platform", null, 0, null);
  }

  /**
   * The former name of {@link #uploadBatch}, kept for callers written before the adapter interface
   * took seed 001's names.
   *
   * @deprecated call {@link #uploadBatch}
   */
  @Deprecated
  default WriteResult writeBatch(String objectType, List<OutboundRecord> records, String idempotencyKey) throws ConnectorException {
    return uploadBatch(objectType, records, idempotencyKey);
  }

  /**
   * {@link #uploadBatch} without an idempotency key.
   *
   * @deprecated call {@link #uploadBatch(String, List, String)}
   */
  @Deprecated
  default WriteResult writeBatch(String objectType, List<OutboundRecord> records) throws ConnectorException {
    return uploadBatch(objectType, records, null);
  }
}
