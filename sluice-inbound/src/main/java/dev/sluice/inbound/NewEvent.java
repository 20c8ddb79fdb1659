package dev.sluice.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One normalized event parsed from a request, before it is stored.
 *
 * @param providerEventId the sender's id for the event (the dedupe key)
 * @param type e.g. {@code contact.propertyChange}, {@code Contact.outboundMessage}, {@code subscribe}
 * @param objectType e.g. {@code contacts}; null when the event names no record
 * @param objectId the record's id at the sender; null when none
 * @param propertyName the changed property, when the event says
 * @param propertyValue its new value, when the event says
 * @param occurredAt when it happened at the sender, when the event says
 * @param payload the event's own JSON
 * @param payloadText {@code payload} exactly as the sender wrote it, when the request held it as one
 *     piece of JSON text (HubSpot's array elements): stored as is, instead of serializing the tree
 *     again; null when not known, or when jsonb might refuse it as written (see
 *     {@link StoredValues#jsonbTakesAsWritten}; then the tree, cleaned, is stored)
 */
record NewEvent(String providerEventId, String type, String objectType, String objectId, String propertyName,
    String propertyValue, Instant occurredAt, JsonNode payload, String payloadText) {

  NewEvent(String providerEventId, String type, String objectType, String objectId, String propertyName,
      String propertyValue, Instant occurredAt, JsonNode payload) {
    this(providerEventId, type, objectType, objectId, propertyName, propertyValue, occurredAt, payload, null);
  }

  /** Every event is made storable here, whichever parser made it (see {@link StoredValues}). */
  NewEvent {
    providerEventId = StoredValues.text(providerEventId);
    type = StoredValues.text(type);
    objectType = StoredValues.text(objectType);
    objectId = StoredValues.text(objectId);
    propertyName = StoredValues.text(propertyName);
    propertyValue = StoredValues.text(propertyValue);
    occurredAt = StoredValues.time(occurredAt);
    if (payloadText != null && !StoredValues.jsonbTakesAsWritten(payloadText, payload)) payloadText = null;
    if (payloadText == null) payload = StoredValues.json(payload);
  }

  /** The payload as stored: the sender's own text when known, else the tree written as JSON. */
  String payloadJson() {
    return payloadText != null ? payloadText : InboundJson.write(payload);
  }
}
