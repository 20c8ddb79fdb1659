package dev.sluice.connectors.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.FieldMappingException;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.ObjectSchema.Field;
import dev.sluice.connectors.ObjectSchema.FieldType;
import dev.sluice.connectors.OutboundRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fields of an audience's members: the member fields a write sets ({@code email_address},
 * {@code status}, {@code email_type}, {@code language}, {@code vip}) and the audience's merge
 * fields from {@code GET /lists/{id}/merge-fields}, read once.
 */
final class MailchimpSchema {

  /** The upsert key of a member: Mailchimp addresses members by the subscriber hash of their email. */
  static final String KEY = "email_address";
  /** Statuses a write may set. */
  static final List<String> STATUSES = List.of("subscribed", "unsubscribed", "cleaned", "pending", "transactional");
  /** Member fields that are not merge fields. */
  static final List<String> MEMBER_FIELDS = List.of(KEY, "status", "email_type", "language", "vip");

  private final MailchimpHttp http;
  private final String listId;
  private volatile ObjectSchema schema;

  MailchimpSchema(MailchimpHttp http, String listId) {
    this.http = http;
    this.listId = listId;
  }

  ObjectSchema describe() throws ConnectorException {
    ObjectSchema s = schema;
    if (s == null) {
      JsonNode resp = http.send("describe", "GET", "/lists/" + listId + "/merge-fields?count=1000", null, "merge fields of list " + listId);
      s = fromMergeFields(resp);
      schema = s;
    }
    return s;
  }

  static ObjectSchema fromMergeFields(JsonNode resp) throws ConnectorException {
    if (!resp.path("merge_fields").isArray()) {
      throw ConnectorException.malformed("Mailchimp answered merge fields without \"merge_fields\"", null);
    }
    List<Field> fields = new ArrayList<>();
    fields.add(new Field(KEY, "Email Address", FieldType.STRING, true, true, true, List.of()));
    fields.add(new Field("status", "Status", FieldType.ENUMERATION, false, false, true, STATUSES));
    fields.add(new Field("email_type", "Email Type", FieldType.ENUMERATION, false, false, true, List.of("html", "text")));
    fields.add(Field.of("language", "Language", FieldType.STRING));
    fields.add(Field.of("vip", "VIP", FieldType.BOOLEAN));
    for (JsonNode m : resp.path("merge_fields")) {
      String tag = m.path("tag").asText("");
      if (tag.isEmpty() || MEMBER_FIELDS.contains(tag)) {
        continue;
      }
      List<String> choices = new ArrayList<>();
      m.path("options").path("choices").forEach(c -> choices.add(c.asText()));
      fields.add(new Field(tag, m.path("name").asText(tag), type(m.path("type").asText("text"), choices), m.path("required").asBoolean(false),
          false, true, choices));
    }
    return new ObjectSchema(MailchimpConnector.MEMBERS, fields, false);
  }

  /** Mailchimp's merge field types folded into the common ones. */
  static FieldType type(String mailchimpType, List<String> choices) {
    return switch (mailchimpType.toLowerCase(Locale.ROOT)) {
      case "number" -> FieldType.NUMBER;
      case "date" -> FieldType.DATE;
      case "radio", "dropdown" -> choices.isEmpty() ? FieldType.STRING : FieldType.ENUMERATION;
      // text, phone, url, imageurl, zip, address, birthday (MM/DD): text on the wire
      default -> FieldType.STRING;
    };
  }

  /** Checked values as one member upserted by its email address. */
  OutboundRecord map(String keyField, Map<String, ?> values, String traceId) throws FieldMappingException, ConnectorException {
    if (keyField != null && !KEY.equalsIgnoreCase(keyField)) {
      throw new FieldMappingException(MailchimpConnector.MEMBERS, List.of(new FieldMappingException.FieldError(keyField, null,
          "Mailchimp members are upserted by email_address (their subscriber hash), not by " + keyField)));
    }
    Map<String, String> checked = describe().check(values, true);
    String email = checked.get(KEY);
    if (email == null || email.isBlank()) {
      throw new FieldMappingException(MailchimpConnector.MEMBERS, List.of(new FieldMappingException.FieldError(KEY, email,
          "is required: a member is addressed by its email")));
    }
    Map<String, String> props = new LinkedHashMap<>(checked);
    props.remove(KEY);
    return new OutboundRecord(KEY, email.trim(), props, traceId);
  }
}
