package dev.sluice.connectors;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One record read from a source platform.
 *
 * @param objectType the stream, e.g. {@code "contacts"}
 * @param externalId the platform's id, always as a string (HubSpot ids exceed 2^32)
 * @param properties property name to value; values may be null (the platform said null). Sorted by
 *     name, unmodifiable.
 * @param associations associated object type (e.g. {@code "companies"}) to the distinct ids of associated
 *     records, sorted (numeric ids numerically); empty when none. For archived records the map is empty (the platform
 *     does not report associations of deleted records).
 * @param archived true when the platform reports the record as archived (deleted, in the recycle bin)
 * @param sourceUpdatedAt the platform's last-modified time, or null when not reported
 */
public record SourceRecord(
    String objectType,
    String externalId,
    Map<String, String> properties,
    Map<String, List<String>> associations,
    boolean archived,
    Instant sourceUpdatedAt) {

  public SourceRecord {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(externalId, "externalId");
    // TreeMap keeps nulls as values and gives a stable order (content hashes, equality in tests).
    properties = Collections.unmodifiableMap(new TreeMap<>(properties == null ? Map.of() : properties));
    Map<String, List<String>> assoc = new TreeMap<>();
    if (associations != null) {
      associations.forEach((type, ids) -> assoc.put(type, ids.stream().distinct().sorted(SourceRecord::compareIds).toList()));
    }
    associations = Collections.unmodifiableMap(assoc);
  }

  /** Orders numeric ids numerically (shorter first), anything else lexically after them. */
  static int compareIds(String a, String b) {
    boolean na = isDigits(a), nb = isDigits(b);
    if (na && nb) {
      return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }
    if (na != nb) {
      return na ? -1 : 1;
    }
    return a.compareTo(b);
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
