package dev.sluice.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a Mailchimp webhook: an {@code application/x-www-form-urlencoded} body whose bracketed keys
 * ({@code data[merges][FNAME]}) nest, into one event. Mailchimp sends no event id, so the dedupe
 * key is a SHA-256 of the type, {@code fired_at} and the data (keys sorted).
 */
final class MailchimpForm {
  private static final Pattern KEY = Pattern.compile("([A-Za-z0-9_]+)((?:\\[[^\\[\\]]*\\])*)");
  private static final Pattern PART = Pattern.compile("\\[([^\\[\\]]*)\\]");
  private static final DateTimeFormatter FIRED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private MailchimpForm() {}

  static ObjectNode parse(byte[] body) {
    ObjectNode root = InboundJson.MAPPER.createObjectNode();
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.isBlank()) throw WebhookRejected.badRequest("form body is empty");
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String key;
      String value;
      try {
        key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw WebhookRejected.badRequest("form body has a bad percent-encoding");
      }
      Matcher m = KEY.matcher(key);
      if (!m.matches()) throw WebhookRejected.badRequest("form key '" + shorten(key) + "' is not name[part][part]…");
      List<String> parts = new ArrayList<>();
      parts.add(m.group(1));
      Matcher p = PART.matcher(m.group(2));
      while (p.find()) parts.add(p.group(1));
      ObjectNode at = root;
      for (int i = 0; i < parts.size() - 1; i++) {
        JsonNode next = at.get(parts.get(i));
        if (next == null) next = at.putObject(parts.get(i));
        if (!next.isObject()) throw WebhookRejected.badRequest("form key '" + shorten(key) + "' is both a value and a group");
        at = (ObjectNode) next;
      }
      String last = parts.get(parts.size() - 1);
      if (at.has(last) && at.get(last).isObject()) throw WebhookRejected.badRequest("form key '" + shorten(key) + "' is both a value and a group");
      at.put(last, value);
    }
    if (!root.path("type").isTextual() || root.path("type").asText().isBlank()) throw WebhookRejected.badRequest("form has no type");
    if (!root.path("fired_at").isTextual()) throw WebhookRejected.badRequest("form has no fired_at");
    return root;
  }

  static NewEvent event(ObjectNode form) {
    String type = form.get("type").asText();
    String firedAt = form.get("fired_at").asText();
    JsonNode data = form.path("data");
    String canonical = type + "\n" + firedAt + "\n" + (data.isMissingNode() ? "" : InboundJson.canonical(data));
    String id = HexFormat.of().formatHex(ConstantTime.sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    String objectId = firstText(data, "id", "new_id", "email", "new_email");
    String objectType = type.equals("campaign") ? "campaigns" : "members";
    return new NewEvent(id, type, objectType, objectId, null, null, firedAt(firedAt), form);
  }

  private static String firstText(JsonNode data, String... names) {
    for (String n : names) {
      JsonNode v = data.get(n);
      if (v != null && v.isTextual() && !v.asText().isBlank()) return v.asText();
    }
    return null;
  }

  private static Instant firedAt(String s) {
    try {
      return LocalDateTime.parse(s, FIRED_AT).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
