package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One evaluation of one rule on one event, as logged.
 *
 * @param outcome    {@code no-match}, {@code enqueued}, {@code deduped}, {@code shadowed} or {@code error}
 * @param decidedBy  the sub-condition (top-level conjunct of {@code when}) that was false; null when matched
 * @param dedupeKey  the rule's dedupe key for this event; null when not matched
 * @param inputs     the values the rule read: {@code event}, {@code record}, {@code previous}, {@code now}
 * @param jobs       one entry per action: {@code kind}, {@code job_id}, {@code created}, and for a taken key {@code seen_at}
 */
public record Decision(long id, long eventId, String rule, String ruleFile, Instant evaluatedAt, boolean matched,
    String outcome, String decidedBy, String dedupeKey, JsonNode inputs, JsonNode jobs, String error) {}
