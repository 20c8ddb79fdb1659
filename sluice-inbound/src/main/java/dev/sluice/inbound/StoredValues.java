package dev.sluice.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * What PostgreSQL can store of a sender's values. {@code text} rejects U+0000 and {@code jsonb}
 * rejects the {@code \u0000} escape: one such character in an event would fail its request on every
 * delivery (the sender retries a 503 for days), so it is stored as U+FFFD, as the sync mirror does.
 * Times outside {@link #EARLIEST}..{@link #LATEST} are not stored (occurred_at stays empty, as for an
 * unreadable one). The raw body is kept as bytes, unchanged.
 */
final class StoredValues {
  /** What a NUL character is stored as. */
  static final char REPLACEMENT = '\uFFFD';
  static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  private StoredValues() {}

  /** {@code s} with every U+0000 replaced; the same instance when it has none (or is null). */
  static String text(String s) {
    return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', REPLACEMENT);
  }

  /** {@code at} when it is inside the stored range, else null. */
  static Instant time(Instant at) {
    return at == null || at.isBefore(EARLIEST) || at.isAfter(LATEST) ? null : at;
  }

  /** {@code node}, or a copy with U+0000 replaced in every string and field name when it holds one. */
  static JsonNode json(JsonNode node) {
    return node == null || !hasNul(node) ? node : copy(node);
  }

  /**
   * Whether {@code jsonb} takes a payload's own JSON text as it is. It refuses the escape of U+0000,
   * an escaped surrogate half that is not part of a pair (a sender cutting an emoji in half) and a
   * number whose exponent is beyond {@code numeric}'s range ({@code 1e999999}); any of them would fail
   * the whole commit, and the request on every delivery. So the text is kept only when it holds no
   * escape of U+0000 or of a surrogate (even a paired one, to keep the check simple) and no number that
   * parses to an infinite or zero double; otherwise the parsed tree is stored (its strings cleaned, a
   * lone surrogate written as {@code ?}, an infinite number as a string).
   */
  static boolean jsonbTakesAsWritten(String text, JsonNode parsed) {
    for (int at = text.indexOf("\\u"); at >= 0 && at + 5 < text.length(); at = text.indexOf("\\u", at + 2)) {
      char a = text.charAt(at + 2);
      char b = text.charAt(at + 3);
      if (text.startsWith("0000", at + 2)) return false;
      if ((a == 'd' || a == 'D') && "89abcdefABCDEF".indexOf(b) >= 0) return false;
    }
    return !hasOutOfRangeNumber(parsed);
  }

  private static boolean hasOutOfRangeNumber(JsonNode n) {
    if (n == null) return false;
    if (n.isFloatingPointNumber()) {
      double d = n.doubleValue();
      return Double.isInfinite(d) || d == 0.0;
    }
    if (n.isContainerNode()) {
      for (JsonNode c : n) if (hasOutOfRangeNumber(c)) return true;
    }
    return false;
  }

  private static boolean hasNul(JsonNode n) {
    if (n.isTextual()) return n.textValue().indexOf('\0') >= 0;
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().indexOf('\0') >= 0 || hasNul(e.getValue())) return true;
      }
      return false;
    }
    if (n.isArray()) {
      for (JsonNode c : n) if (hasNul(c)) return true;
    }
    return false;
  }

  private static JsonNode copy(JsonNode n) {
    if (n.isTextual()) return TextNode.valueOf(text(n.textValue()));
    if (n.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      n.fields().forEachRemaining(e -> out.set(text(e.getKey()), copy(e.getValue())));
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      n.forEach(c -> out.add(copy(c)));
      return out;
    }
    return n;
  }
}
