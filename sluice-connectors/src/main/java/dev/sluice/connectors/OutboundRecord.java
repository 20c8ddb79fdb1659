package dev.sluice.connectors;

import java.util.Map;
import java.util.Objects;

/**
 * One record to write to a destination.
 *
 * @param idProperty the unique property that identifies the record on the destination, e.g.
 *     {@code "email"} (HubSpot upsert by {@code idProperty}); null to create without matching
 * @param id the value of {@code idProperty} for this record
 * @param properties values to write (null values clear the property where the platform allows it)
 * @param traceId the caller's handle for this record, echoed in its {@link WriteResult.RecordResult};
 *     defaults to the record's position in the batch when null
 */
public record OutboundRecord(String idProperty, String id, Map<String, String> properties, String traceId) {

  public OutboundRecord {
    Objects.requireNonNull(properties, "properties");
    if (idProperty != null && (id == null || id.isBlank())) {
      throw new IllegalArgumentException("a record upserted by " + idProperty + " needs its value");
    }
  }

  /** A record upserted by {@code idProperty = id}. */
  public static OutboundRecord upsert(String idProperty, String id, Map<String, String> properties) {
    return new OutboundRecord(idProperty, id, properties, null);
  }
}
