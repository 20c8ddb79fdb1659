package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One evaluation of one rule on one occurrence (inbound event, schedule tick, lead, mirror change), as logged.
 *
 * @param eventId    the inbound event, or null for other triggers
 * @param trigger    {@code event}, {@code schedule}, {@code lead} or {@code sync-change}
 * @param subject    the record the occurrence is about ({@code connection/objectType/id}, {@code leads/source/id}), or null
 * @param outcome    {@code no-match}, {@code enqueued}, {@code deduped}, {@code shadowed}, {@code error},
 *                   {@code already-matching}, {@code throttled}, {@code debounced} or {@code paused}
 * @param decidedBy  what decided: the sub-condition (top-level conjunct of {@code when}) that was false, the
 *                   enrollment or the dedupe key's holder; null when jobs were enqueued
 * @param dedupeKey  the rule's dedupe key for this event; null when not matched
 * @param inputs     the values the rule read: {@code event}, {@code record}, {@code previous}, {@code now}
 * @param jobs       one entry per action: {@code kind}, {@code job_id}, {@code created}, and for a taken key {@code seen_at}
 */
public record Decision(long id, Long eventId, String trigger, String subject, String rule, String ruleFile, Instant evaluatedAt, boolean matched,
    String outcome, String decidedBy, String dedupeKey, JsonNode inputs, JsonNode jobs, String error) {}
