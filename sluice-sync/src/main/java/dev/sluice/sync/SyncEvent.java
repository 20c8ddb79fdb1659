package dev.sluice.sync;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One entry of a run's append-only event log.
 *
 * @param seq global, increasing sequence number (use it as the cursor of {@link SyncEngine#events(long, long)})
 * @param runId the run
 * @param stream the object type the event is about, or null for run-level events
 * @param type what happened
 * @param payload details (a JSON object; see {@link SyncEventType} for the fields of each type)
 * @param at when it was appended (the engine's clock)
 */
public record SyncEvent(long seq, long runId, String stream, SyncEventType type, JsonNode payload, Instant at) {}
