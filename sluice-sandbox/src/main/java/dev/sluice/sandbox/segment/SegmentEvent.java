package dev.sluice.sandbox.segment;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An event the Segment sandbox accepted (first sight of its {@code messageId}).
 *
 * @param type identify, track, page, screen, group or alias
 * @param userId the {@code userId}, or null
 * @param anonymousId the {@code anonymousId}, or null
 * @param event the track event name, or null
 * @param messageId the dedupe key (generated when the client sent none)
 * @param payload the event as received (a copy; do not mutate)
 * @param receivedAt arrival time by the platform clock
 */
public record SegmentEvent(String type, String userId, String anonymousId, String event, String messageId,
                           JsonNode payload, Instant receivedAt) {}
