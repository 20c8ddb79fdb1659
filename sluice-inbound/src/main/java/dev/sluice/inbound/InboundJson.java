package dev.sluice.inbound;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;

/** The module's JSON mapper; thread-safe. */
final class InboundJson {
  static final ObjectMapper MAPPER = new ObjectMapper();
  /** Writes objects with their keys sorted, so equal content gives equal text (Mailchimp's dedupe hash). */
  private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private InboundJson() {}

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String canonical(JsonNode node) {
    try {
      return CANONICAL.writeValueAsString(CANONICAL.treeToValue(node, Object.class));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON number or string as text; null for anything else. */
  static String idText(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return null;
    if (n.isIntegralNumber()) return n.canConvertToLong() ? Long.toString(n.longValue()) : n.bigIntegerValue().toString();
    if (n.isTextual() && !n.asText().isBlank()) return n.asText();
    return null;
  }
}
