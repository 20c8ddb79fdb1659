package dev.sluice.inbound;

/**
 * Receipt is the answer to an accepted webhook request, sent only after its events are committed.
 *
 * @param status HTTP status (200 or 204)
 * @param contentType the body's media type, or null when there is no body
 * @param body what the sender expects back (Salesforce: the SOAP {@code Ack}); may be empty
 * @param stored events stored by this request
 * @param duplicates events already stored by an earlier delivery (acknowledged, nothing new stored)
 */
public record Receipt(int status, String contentType, String body, int stored, int duplicates) {}
