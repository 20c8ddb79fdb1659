package dev.sluice.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.inbound.StoredEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One thing that happened, which rules are evaluated on: an inbound event, a schedule tick, a lead
 * or a mirror change, with the values the rules read.
 *
 * @param trigger    {@code event}, {@code schedule}, {@code lead} or {@code sync-change}
 * @param eventId    the stored inbound event, or null
 * @param subject    the record it is about ({@code connection/objectType/id}, {@code leads/source/id}), or null
 * @param defaultKey the dedupe key of a rule without {@code dedupe:} (this occurrence's own identity)
 * @param event      {@code event} as rules see it
 * @param record     the record after the change ({@code {}} when none)
 * @param previous   the record before the change ({@code {}} when unknown or none)
 * @param now        the evaluation's time
 */
record Occurrence(String trigger, Long eventId, String subject, String defaultKey, ObjectNode event, ObjectNode record,
    ObjectNode previous, Instant now) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The values read, as logged in the decision. */
  ObjectNode inputs() {
    ObjectNode inputs = JSON.createObjectNode();
    inputs.set("event", event);
    inputs.set("record", record);
    inputs.set("previous", previous);
    inputs.put("now", now.toString());
    return inputs;
  }

  /** CEL variables. */
  Map<String, Object> vars() {
    Map<String, Object> vars = new HashMap<>();
    vars.put("event", Cel.value(event));
    vars.put("record", Cel.value(record));
    vars.put("previous", Cel.value(previous));
    vars.put("now", Cel.timestamp(now));
    return vars;
  }

  /** Mustache scope: the same values, {@code now} as ISO-8601 text. */
  static Map<String, Object> scope(Map<String, Object> vars, Instant now) {
    Map<String, Object> scope = new HashMap<>(vars);
    scope.put("now", now.toString());
    return scope;
  }

  /** An inbound event; {@code previous} is the mirror before it, {@code record} that with the event's change applied. */
  static Occurrence of(StoredEvent e, ObjectNode previous, Instant now) {
    ObjectNode record = previous.deepCopy();
    if (e.propertyName() != null) {
      if (e.propertyValue() == null) record.remove(e.propertyName());
      else record.put(e.propertyName(), e.propertyValue());
    }
    String subject = e.objectType() == null || e.objectId() == null ? null : e.connection() + "/" + e.objectType() + "/" + e.objectId();
    return new Occurrence("event", e.id(), subject, e.connection() + ":" + e.providerEventId(), eventJson(e), record, previous, now);
  }

  static ObjectNode eventJson(StoredEvent e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", e.id());
    n.put("source", e.source());
    n.put("connection", e.connection());
    n.put("provider_event_id", e.providerEventId());
    n.put("type", e.type());
    n.put("object_type", e.objectType());
    n.put("object_id", e.objectId());
    n.put("property", e.propertyName());
    n.put("value", e.propertyValue());
    n.put("occurred_at", e.occurredAt() == null ? null : e.occurredAt().toString());
    n.put("received_at", e.receivedAt().toString());
    n.set("payload", e.payload());
    return n;
  }
}
