package dev.sluice.connectors.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import dev.sluice.connectors.WriteResult.RecordResult;
import dev.sluice.connectors.WriteResult.Status;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch subscribe: {@code POST /lists/{list_id}} with {@code members} (at most 500) and {@code
 * update_existing: true}. Mailchimp answers 200 even when members failed; each input's result
 * comes from {@code new_members}, {@code updated_members} or {@code errors}, matched by email
 * address (its subscriber hash), since the answer carries no input positions.
 */
final class MailchimpWriter {

  /** Mailchimp's largest batch subscribe. */
  static final int MAX_BATCH = 500;

  private final MailchimpHttp http;
  private final MailchimpSchema schema;
  private final String listId;
  private final String defaultStatus;

  /**
   * @param defaultStatus the {@code status} sent for a member whose mapping gives none (Mailchimp
   *     requires one per member; it applies to existing members too)
   */
  MailchimpWriter(MailchimpHttp http, MailchimpSchema schema, String listId, String defaultStatus) {
    this.http = http;
    this.schema = schema;
    this.listId = listId;
    this.defaultStatus = defaultStatus;
  }

  WriteResult write(List<OutboundRecord> records) throws ConnectorException {
    if (records.isEmpty()) {
      return new WriteResult(List.of());
    }
    if (records.size() > MAX_BATCH) {
      throw new IllegalArgumentException("a Mailchimp batch subscribe holds at most " + MAX_BATCH + " members, got " + records.size());
    }
    ObjectSchema fields = schema.describe();
    RecordResult[] out = new RecordResult[records.size()];
    Map<String, Integer> byHash = new HashMap<>();
    ObjectNode body = MailchimpHttp.JSON.createObjectNode();
    ArrayNode members = body.putArray("members");
    for (int i = 0; i < records.size(); i++) {
      OutboundRecord r = records.get(i);
      if (!MailchimpSchema.KEY.equalsIgnoreCase(String.valueOf(r.idProperty()))) {
        throw new IllegalArgumentException("Mailchimp members are upserted by email_address; record " + trace(r, i) + " names "
            + r.idProperty());
      }
      String hash = MailchimpConnector.subscriberHash(r.id());
      Integer first = byHash.putIfAbsent(hash, i);
      if (first != null) {
        // One member twice in a batch: Mailchimp would apply both in an unknown order.
        out[i] = new RecordResult(trace(r, i), Status.FAILED, null, ConnectorException.Kind.PERMANENT_RECORD,
            "the same member (" + r.id() + ") is already record " + trace(records.get(first), first) + " of this batch");
        continue;
      }
      members.add(member(r, fields));
    }
    body.put("update_existing", true);
    String position = "batch subscribe of " + members.size() + " to list " + listId;
    JsonNode resp = http.send("write", "POST", "/lists/" + listId, body, position);
    if (!resp.path("new_members").isArray() || !resp.path("updated_members").isArray()) {
      throw ConnectorException.malformed("Mailchimp answered " + position + " without new_members/updated_members", null);
    }
    for (JsonNode m : resp.path("new_members")) {
      settle(out, records, byHash, m.path("email_address").asText(""), Status.CREATED, m.path("id").asText(null), null);
    }
    for (JsonNode m : resp.path("updated_members")) {
      settle(out, records, byHash, m.path("email_address").asText(""), Status.UPDATED, m.path("id").asText(null), null);
    }
    for (JsonNode e : resp.path("errors")) {
      String code = e.path("error_code").asText("");
      settle(out, records, byHash, e.path("email_address").asText(""), Status.FAILED, null,
          (code.isEmpty() ? "" : code + ": ") + e.path("error").asText(""));
    }
    for (int i = 0; i < out.length; i++) {
      if (out[i] == null) {
        out[i] = new RecordResult(trace(records.get(i), i), Status.FAILED, null, ConnectorException.Kind.RETRYABLE,
            "Mailchimp reported no result for this member");
      }
    }
    return new WriteResult(List.of(out));
  }

  /**
   * Archives members by subscriber hash, one {@code DELETE /lists/{id}/members/{hash}} each (Mailchimp
   * archives no several at once outside its batch-operations API); a member Mailchimp does not know
   * (404) counts as deleted. A refusal of one member fails that member; a rate limit, a 5xx or an
   * auth failure fails the call (archiving again is harmless).
   */
  WriteResult archive(List<String> hashes) throws ConnectorException {
    if (hashes.size() > MAX_BATCH) {
      throw new IllegalArgumentException("Mailchimp deletes at most " + MAX_BATCH + " members a call, got " + hashes.size());
    }
    List<RecordResult> out = new java.util.ArrayList<>();
    for (String hash : hashes) {
      if (hash == null || !hash.matches("[0-9a-f]{32}")) {
        out.add(new RecordResult(hash, Status.FAILED, null, ConnectorException.Kind.PERMANENT_RECORD,
            "'" + hash + "' is not a Mailchimp subscriber hash (md5 of the lower-case email)"));
        continue;
      }
      try {
        http.send("write", "DELETE", "/lists/" + listId + "/members/" + hash, null, "archive of member " + hash + " of list " + listId);
        out.add(new RecordResult(hash, Status.DELETED, hash, null, null));
      } catch (ConnectorException e) {
        if (e.httpStatus() == 404) {
          out.add(new RecordResult(hash, Status.DELETED, hash, null, null));
        } else if (e.kind() == ConnectorException.Kind.PERMANENT_BATCH) {
          out.add(new RecordResult(hash, Status.FAILED, null, ConnectorException.Kind.PERMANENT_RECORD, e.getMessage()));
        } else {
          throw e;
        }
      }
    }
    return new WriteResult(out);
  }

  /** {@code PUT /lists/{id}/members/{hash}}: upserts one member as given; Mailchimp's member answer. */
  com.fasterxml.jackson.databind.JsonNode putMember(String email, com.fasterxml.jackson.databind.JsonNode member) throws ConnectorException {
    String hash = MailchimpConnector.subscriberHash(email);
    return http.send("write", "PUT", "/lists/" + listId + "/members/" + hash, member, "upsert of member " + hash + " of list " + listId);
  }

  /** {@code POST /lists/{id}/members/{hash}/tags}: marks the member's tags active or inactive (204). */
  void postTags(String email, com.fasterxml.jackson.databind.JsonNode tags) throws ConnectorException {
    String hash = MailchimpConnector.subscriberHash(email);
    try {
      http.send("write", "POST", "/lists/" + listId + "/members/" + hash + "/tags", tags, "tags of member " + hash + " of list " + listId);
    } catch (ConnectorException e) {
      if (e.httpStatus() != 404) {
        throw e;
      }
      throw ConnectorException.permanentBatch("Mailchimp has no member " + email + " (" + hash + ") in list " + listId
          + " (404): tags need an existing member; upsert it first (" + e.getMessage() + ")", 404);
    }
  }

  private static void settle(RecordResult[] out, List<OutboundRecord> records, Map<String, Integer> byHash, String email, Status status,
      String id, String error) {
    if (email.isBlank()) {
      return;
    }
    Integer i = byHash.get(MailchimpConnector.subscriberHash(email));
    if (i == null || out[i] != null) {
      return;
    }
    String trace = trace(records.get(i), i);
    out[i] = status == Status.FAILED
        ? new RecordResult(trace, status, null, ConnectorException.Kind.PERMANENT_RECORD, error)
        : new RecordResult(trace, status, id != null ? id : MailchimpConnector.subscriberHash(email), null, null);
  }

  private ObjectNode member(OutboundRecord r, ObjectSchema fields) {
    ObjectNode m = MailchimpHttp.JSON.createObjectNode();
    m.put("email_address", r.id());
    ObjectNode merges = MailchimpHttp.JSON.createObjectNode();
    String status = null;
    for (Map.Entry<String, String> e : r.properties().entrySet()) {
      String name = e.getKey();
      String v = e.getValue();
      switch (name) {
        case "status" -> status = v;
        case "email_type", "language" -> {
          if (v != null) {
            m.put(name, v);
          }
        }
        case "vip" -> {
          if (v != null) {
            m.put(name, Boolean.parseBoolean(v));
          }
        }
        default -> {
          ObjectSchema.FieldType type = fields.field(name).map(ObjectSchema.Field::type).orElse(ObjectSchema.FieldType.STRING);
          if (v == null) {
            merges.put(name, ""); // Mailchimp clears a merge field with an empty value
          } else if (type == ObjectSchema.FieldType.NUMBER) {
            merges.put(name, new BigDecimal(v));
          } else {
            merges.put(name, v);
          }
        }
      }
    }
    m.put("status", status != null ? status : defaultStatus);
    if (!merges.isEmpty()) {
      m.set("merge_fields", merges);
    }
    return m;
  }

  private static String trace(OutboundRecord r, int i) {
    return r.traceId() != null ? r.traceId() : Integer.toString(i);
  }

}
