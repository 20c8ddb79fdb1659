package dev.sluice.sync;

import dev.sluice.connectors.SourceRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL cannot store U+0000: {@code text} rejects the byte and {@code jsonb} rejects the
 * {@code \u0000} escape, so one such character in a vendor value would fail every attempt of its
 * page. The mirror stores it as U+FFFD (the replacement character) instead: visible, and the rest of
 * the value kept as it was.
 */
final class NulBytes {
  /** What a NUL character is stored as. */
  static final char REPLACEMENT = '\uFFFD';

  private NulBytes() {}

  /** {@code s} with every U+0000 replaced; the same instance when it has none (or is null). */
  static String replace(String s) {
    return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', REPLACEMENT);
  }

  /** The record with U+0000 replaced in its id, property names and values, and associations. */
  static SourceRecord replace(SourceRecord r) {
    if (!contains(r)) {
      return r;
    }
    Map<String, String> props = new LinkedHashMap<>();
    r.properties().forEach((k, v) -> props.put(replace(k), replace(v)));
    Map<String, List<String>> assoc = new LinkedHashMap<>();
    r.associations().forEach((type, ids) -> assoc.put(replace(type), ids.stream().map(NulBytes::replace).toList()));
    return new SourceRecord(replace(r.objectType()), replace(r.externalId()), props, assoc, r.archived(),
        r.sourceUpdatedAt());
  }

  private static boolean contains(SourceRecord r) {
    if (has(r.externalId()) || has(r.objectType())) {
      return true;
    }
    for (Map.Entry<String, String> e : r.properties().entrySet()) {
      if (has(e.getKey()) || has(e.getValue())) {
        return true;
      }
    }
    for (Map.Entry<String, List<String>> e : r.associations().entrySet()) {
      if (has(e.getKey()) || e.getValue().stream().anyMatch(NulBytes::has)) {
        return true;
      }
    }
    return false;
  }

  private static boolean has(String s) {
    return s != null && s.indexOf('\0') >= 0;
  }
}
