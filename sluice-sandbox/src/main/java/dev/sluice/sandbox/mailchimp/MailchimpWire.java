package dev.sluice.sandbox.mailchimp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Mailchimp's wire shapes: members, lists, webhooks, the problem+json error body. */
final class MailchimpWire {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

  private MailchimpWire() {}

  /** One merge field of an audience: tag, name, Mailchimp type, required, choices (radio, dropdown). */
  record MergeField(int id, String tag, String name, String type, boolean required, List<String> choices) {}

  /** The merge fields Mailchimp gives every new audience, in its display order. */
  static final List<MergeField> DEFAULT_MERGE_FIELDS = List.of(
      new MergeField(1, "FNAME", "First Name", "text", false, List.of()),
      new MergeField(2, "LNAME", "Last Name", "text", false, List.of()),
      new MergeField(3, "ADDRESS", "Address", "address", false, List.of()),
      new MergeField(4, "PHONE", "Phone Number", "phone", false, List.of()),
      new MergeField(5, "BIRTHDAY", "Birthday", "birthday", false, List.of()));

  static ObjectNode mergeFieldJson(String listId, MergeField f) {
    ObjectNode j = JSON.createObjectNode();
    j.put("merge_id", f.id());
    j.put("tag", f.tag());
    j.put("name", f.name());
    j.put("type", f.type());
    j.put("required", f.required());
    j.put("default_value", "");
    j.put("public", true);
    j.put("display_order", f.id() + 1);
    ObjectNode options = j.putObject("options");
    if (f.type().equals("birthday")) {
      options.put("date_format", "MM/DD");
    } else if (!f.choices().isEmpty()) {
      f.choices().forEach(options.putArray("choices")::add);
    } else if (f.type().equals("text")) {
      options.put("size", 25);
    }
    j.put("help_text", "");
    j.put("list_id", listId);
    j.putArray("_links");
    return j;
  }


  static MailchimpStore.MemberWrite memberWrite(JsonNode m) {
    Map<String, Object> merges = null;
    if (m.has("merge_fields") && m.get("merge_fields").isObject()) {
      merges = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : m.get("merge_fields").properties()) {
        JsonNode v = e.getValue();
        merges.put(e.getKey(), v.isObject() ? JSON.convertValue(v, Map.class) : v.isNull() ? "" : v.asText());
      }
    }
    return new MailchimpStore.MemberWrite(text(m, "email_address"), text(m, "status"), text(m, "status_if_new"),
        merges, text(m, "email_type"));
  }

  static ObjectNode memberJson(MailchimpMember m) {
    ObjectNode j = JSON.createObjectNode();
    j.put("id", m.id());
    j.put("email_address", m.emailAddress());
    j.put("unique_email_id", m.uniqueEmailId());
    j.put("contact_id", m.id());
    Object first = m.mergeFields().getOrDefault("FNAME", "");
    Object last = m.mergeFields().getOrDefault("LNAME", "");
    j.put("full_name", (first + " " + last).trim());
    j.put("web_id", m.webId());
    j.put("email_type", m.emailType());
    j.put("status", m.status());
    ObjectNode merges = j.putObject("merge_fields");
    for (String tag : List.of("FNAME", "LNAME", "ADDRESS", "PHONE", "BIRTHDAY")) {
      merges.set(tag, JSON.valueToTree(m.mergeFields().getOrDefault(tag, "")));
    }
    m.mergeFields().forEach((k, v) -> merges.set(k, JSON.valueToTree(v)));
    ObjectNode stats = j.putObject("stats");
    stats.put("avg_open_rate", 0);
    stats.put("avg_click_rate", 0);
    j.put("ip_signup", "");
    j.put("timestamp_signup", TIMESTAMP.format(m.timestampSignup()));
    j.put("ip_opt", "");
    j.put("timestamp_opt", TIMESTAMP.format(m.timestampSignup()));
    j.put("member_rating", 2);
    j.put("last_changed", TIMESTAMP.format(m.lastChanged()));
    j.put("language", "");
    j.put("vip", false);
    j.put("source", "API - Generic");
    j.put("tags_count", 0);
    j.putArray("tags");
    j.put("list_id", m.listId());
    j.putArray("_links");
    return j;
  }

  static ObjectNode listJson(MailchimpStore.MailingList l) {
    ObjectNode j = JSON.createObjectNode();
    j.put("id", l.id);
    j.put("web_id", Math.abs(l.id.hashCode() % 1_000_000));
    j.put("name", l.name);
    ObjectNode stats = j.putObject("stats");
    stats.put("member_count", l.members.values().stream().filter(m -> m.status().equals("subscribed")).count());
    stats.put("unsubscribe_count", l.members.values().stream().filter(m -> m.status().equals("unsubscribed")).count());
    stats.put("cleaned_count", l.members.values().stream().filter(m -> m.status().equals("cleaned")).count());
    j.putArray("_links");
    return j;
  }

  static ObjectNode webhookJson(MailchimpWebhooks.Webhook h) {
    ObjectNode j = JSON.createObjectNode();
    j.put("id", h.id());
    j.put("url", h.url().toString());
    ObjectNode events = j.putObject("events");
    MailchimpWebhooks.EVENTS.stream().sorted().forEach(e -> events.put(e, h.events().contains(e)));
    ObjectNode sources = j.putObject("sources");
    MailchimpWebhooks.SOURCES.stream().sorted().forEach(s -> sources.put(s, h.sources().contains(s)));
    j.put("list_id", h.listId());
    j.putArray("_links");
    return j;
  }

  static void problem(Context ctx, MailchimpProblem p) {
    ObjectNode j = JSON.createObjectNode();
    j.put("type", MailchimpSandbox.PROBLEM_TYPE);
    j.put("title", p.title);
    j.put("status", p.status);
    j.put("detail", p.getMessage());
    j.put("instance", UUID.randomUUID().toString());
    if (!p.fieldErrors.isEmpty()) {
      j.set("errors", JSON.valueToTree(p.fieldErrors));
    }
    try {
      ctx.status(p.status).contentType("application/problem+json; charset=utf-8").result(JSON.writeValueAsString(j));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static void json(Context ctx, int status, JsonNode body) throws JsonProcessingException {
    ctx.status(status).contentType("application/json; charset=utf-8").result(JSON.writeValueAsString(body));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
