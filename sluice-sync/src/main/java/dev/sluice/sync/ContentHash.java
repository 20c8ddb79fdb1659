package dev.sluice.sync;

import dev.sluice.connectors.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The mirror's change detector: SHA-256 over a record's canonical content (sorted properties,
 * sorted associations, the archived flag and the source's last-modified time). Equal content gives
 * an equal hash whatever order the source sent it in, so re-reading a page writes nothing.
 */
final class ContentHash {
  private ContentHash() {}

  /** Canonical JSON of the properties (keys sorted; {@link SourceRecord} already sorts them). */
  static String propertiesJson(SourceRecord r) {
    return Json.write(r.properties());
  }

  static String associationsJson(SourceRecord r) {
    return Json.write(r.associations());
  }

  static String of(SourceRecord r, String propertiesJson, String associationsJson) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(propertiesJson.getBytes(StandardCharsets.UTF_8));
      md.update((byte) '\n');
      md.update(associationsJson.getBytes(StandardCharsets.UTF_8));
      md.update((byte) '\n');
      md.update(Boolean.toString(r.archived()).getBytes(StandardCharsets.UTF_8));
      md.update((byte) '\n');
      // PostgreSQL keeps microseconds: hash what the row can hold, so the hash is a function of the row
      Instant updated = r.sourceUpdatedAt() == null ? null : r.sourceUpdatedAt().truncatedTo(ChronoUnit.MICROS);
      md.update(String.valueOf(updated).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
