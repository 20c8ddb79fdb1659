package dev.sluice.sandbox.segment;

import java.time.Instant;

/**
 * An event the Segment sandbox answered 200 for and then dropped, as Segment's tracking API does
 * (wrong write key, no userId/anonymousId, a track without {@code event} …).
 *
 * @param reason why it was dropped, e.g. {@code invalid write key}
 * @param where {@code batch[3]}, or the single-event call's type
 * @param type the event's type as sent ({@code ""} when missing)
 * @param messageId its messageId, or null
 * @param userId its userId, or null
 * @param receivedAt arrival time by the platform clock
 */
public record SegmentDrop(String reason, String where, String type, String messageId, String userId, Instant receivedAt) {}
