package dev.sluice.sync;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.sluice.connectors.SourceRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Upserts one page of records into {@code sluice.record} in one statement, writing only rows whose
 * content hash changed, and says what changed (for the counts and {@code record_change}).
 */
final class MirrorWriter {
  private static final TypeReference<Map<String, String>> PROPERTY_MAP = new TypeReference<>() {};

  private final SyncStore store;

  MirrorWriter(SyncStore store) {
    this.store = store;
  }

  /** One created or changed record, for {@code record_change}. */
  /**
   * @param before the record's associations before this page (empty when it is new)
   * @param after its associations now
   */
  record Change(String externalId, String kind, List<String> changedProperties, Map<String, List<String>> before,
      Map<String, List<String>> after) {}

  private static final TypeReference<Map<String, List<String>>> ASSOCIATION_MAP = new TypeReference<>() {};

  static Map<String, String> properties(String json) {
    try {
      return Json.MAPPER.readValue(json, PROPERTY_MAP);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored properties do not parse: " + e.getMessage(), e);
    }
  }

  static Map<String, List<String>> associations(String json) {
    try {
      return Json.MAPPER.readValue(json, ASSOCIATION_MAP);
    } catch (java.io.IOException e) {
      return Map.of();
    }
  }

  record Result(StreamCounts counts, List<Change> changes) {}

  private record Prior(String hash, Map<String, String> properties, String associations, boolean archived,
      Instant updatedAt, Instant associationsReadAt) {}

  private record Row(SourceRecord record, String properties, String associations, String hash) {}

  /**
   * @param readAt when the page was read from the source: where a row's associations were observed
   *     later than that (by a page of the other side), the stored associations are kept
   */
  Result upsert(Connection c, String connection, String objectType, long runId, List<SourceRecord> records,
      Instant now, Instant readAt) throws SQLException {
    // The last occurrence of an id in a page wins (one INSERT cannot touch a row twice).
    Map<String, Row> rows = new LinkedHashMap<>();
    long failed = 0;
    long archived = 0;
    for (SourceRecord raw : records) {
      SourceRecord r = NulBytes.replace(raw);
      if (r.externalId().isBlank() || !objectType.equals(r.objectType())) {
        failed++;
        continue;
      }
      String props = ContentHash.propertiesJson(r);
      String assoc = ContentHash.associationsJson(r);
      rows.remove(r.externalId());
      rows.put(r.externalId(), new Row(r, props, assoc, ContentHash.of(r, props, assoc)));
    }
    for (Row row : rows.values()) {
      if (row.record().archived()) {
        archived++;
      }
    }
    if (rows.isEmpty()) {
      return new Result(new StreamCounts(records.size(), 0, 0, 0, archived, failed), List.of());
    }
    Map<String, Prior> prior = prior(c, connection, objectType, new ArrayList<>(rows.keySet()));
    rows.replaceAll((id, row) -> newerAssociationsKept(row, prior.get(id), readAt));

    List<String> ids = new ArrayList<>();
    List<String> props = new ArrayList<>();
    List<String> assocs = new ArrayList<>();
    List<Boolean> archivedFlags = new ArrayList<>();
    List<String> updatedAts = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    for (Row row : rows.values()) {
      Prior p = prior.get(row.record().externalId());
      if (p != null && p.hash().equals(row.hash())) {
        continue; // known unchanged: skip the write entirely
      }
      ids.add(row.record().externalId());
      props.add(row.properties());
      assocs.add(row.associations());
      archivedFlags.add(row.record().archived());
      Instant u = row.record().sourceUpdatedAt();
      updatedAts.add(u == null ? null : u.toString());
      hashes.add(row.hash());
    }
    long created = 0;
    long updated = 0;
    List<Change> changes = new ArrayList<>();
    if (!ids.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(store.sql.get("upsert_records"))) {
        ps.setString(1, connection);
        ps.setString(2, objectType);
        ps.setLong(3, runId);
        ps.setLong(4, runId);
        SyncStore.setInstant(ps, 5, now);
        SyncStore.setInstant(ps, 6, readAt);
        ps.setArray(7, c.createArrayOf("text", ids.toArray()));
        ps.setArray(8, c.createArrayOf("text", props.toArray()));
        ps.setArray(9, c.createArrayOf("text", assocs.toArray()));
        ps.setArray(10, c.createArrayOf("boolean", archivedFlags.toArray()));
        ps.setArray(11, c.createArrayOf("text", updatedAts.toArray()));
        ps.setArray(12, c.createArrayOf("text", hashes.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String id = rs.getString(1);
            boolean inserted = rs.getBoolean(2);
            Row row = rows.get(id);
            if (inserted) {
              created++;
              // a creation, not a list of every property name (a first sync writes one row per record)
              changes.add(new Change(id, "created", List.of(), Map.of(), row.record().associations()));
            } else {
              updated++;
              changes.add(diff(id, prior.get(id), row));
            }
          }
        }
      }
    }
    long unchanged = rows.size() - created - updated;
    return new Result(new StreamCounts(records.size(), created, updated, unchanged, archived, failed), changes);
  }

  private Map<String, Prior> prior(Connection c, String connection, String objectType, List<String> ids)
      throws SQLException {
    Map<String, Prior> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("select_mirror_rows"))) {
      ps.setArray(1, c.createArrayOf("text", ids.toArray()));
      ps.setString(2, connection);
      ps.setString(3, objectType);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, String> props;
          try {
            props = Json.MAPPER.readValue(rs.getString(3), PROPERTY_MAP);
          } catch (java.io.IOException e) {
            props = Map.of();
          }
          out.put(rs.getString(1), new Prior(rs.getString(2), props, rs.getString(4), rs.getBoolean(5),
              SyncStore.instant(rs, 6), SyncStore.instant(rs, 7)));
        }
      }
    }
    return out;
  }

  /**
   * The row as it should be written: when the stored associations were observed after this page was
   * read (a page of the other side, committed first, changed them), this page's older view of them
   * does not replace them; its properties still follow the usual rules. Otherwise the row unchanged.
   */
  private static Row newerAssociationsKept(Row row, Prior p, Instant readAt) {
    if (p == null || p.archived() || row.record().archived() || p.associationsReadAt() == null
        || !readAt.isBefore(p.associationsReadAt()) || Json.read(p.associations()).equals(Json.read(row.associations()))) {
      return row;
    }
    SourceRecord r = row.record();
    SourceRecord kept = new SourceRecord(r.objectType(), r.externalId(), r.properties(), associations(p.associations()),
        false, r.sourceUpdatedAt());
    String assoc = ContentHash.associationsJson(kept);
    return new Row(kept, row.properties(), assoc, ContentHash.of(kept, row.properties(), assoc));
  }

  private static Change diff(String id, Prior p, Row row) {
    if (p == null) {
      // changed by a concurrent writer between our read and our upsert: we cannot tell what changed
      return new Change(id, "updated", List.of(), Map.of(), row.record().associations());
    }
    Set<String> names = new TreeSet<>();
    Set<String> keys = new HashSet<>(p.properties().keySet());
    keys.addAll(row.record().properties().keySet());
    for (String k : keys) {
      if (!Objects.equals(p.properties().get(k), row.record().properties().get(k))) {
        names.add(k);
      }
    }
    List<String> out = new ArrayList<>(names);
    if (!Json.read(p.associations()).equals(Json.read(row.associations()))) {
      out.add("associations");
    }
    if (p.archived() != row.record().archived()) {
      out.add("archived");
    }
    if (!Objects.equals(p.updatedAt(), row.record().sourceUpdatedAt())) {
      out.add("source_updated_at");
    }
    String kind = !p.archived() && row.record().archived() ? "archived" : "updated";
    return new Change(id, kind, out, associations(p.associations()), row.record().associations());
  }

  /**
   * Appends one {@code record_change} row per created or changed record: by run, event (the page's
   * event, or for writes outside a run the inbound event) and page.
   */
  void recordChanges(Connection c, String connection, String objectType, long runId, long seq, long page,
      List<Change> changes, Instant now) throws SQLException {
    if (changes.isEmpty()) {
      return;
    }
    String[] ids = new String[changes.size()];
    String[] kinds = new String[changes.size()];
    String[] names = new String[changes.size()];
    for (int i = 0; i < changes.size(); i++) {
      Change ch = changes.get(i);
      ids[i] = ch.externalId();
      kinds[i] = ch.kind();
      com.fasterxml.jackson.databind.node.ArrayNode a = Json.MAPPER.createArrayNode();
      ch.changedProperties().forEach(a::add);
      names[i] = Json.write(a);
    }
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("insert_record_changes"))) {
      ps.setString(1, connection);
      ps.setString(2, objectType);
      ps.setLong(3, runId);
      ps.setLong(4, seq);
      ps.setLong(5, page);
      SyncStore.setInstant(ps, 6, now);
      ps.setArray(7, c.createArrayOf("text", ids));
      ps.setArray(8, c.createArrayOf("text", kinds));
      ps.setArray(9, c.createArrayOf("text", names));
      ps.executeUpdate();
    }
  }

  /**
   * Appends one {@code record_change} row per created or changed record written outside any run,
   * each naming the inbound event that asked for it ({@code eventIds} by external id).
   */
  void recordOutsideRunChanges(Connection c, String connection, String objectType, List<Change> changes,
      Map<String, Long> eventIds, Instant now) throws SQLException {
    if (changes.isEmpty()) {
      return;
    }
    String[] ids = new String[changes.size()];
    String[] kinds = new String[changes.size()];
    String[] names = new String[changes.size()];
    Long[] events = new Long[changes.size()];
    for (int i = 0; i < changes.size(); i++) {
      Change ch = changes.get(i);
      ids[i] = ch.externalId();
      kinds[i] = ch.kind();
      com.fasterxml.jackson.databind.node.ArrayNode a = Json.MAPPER.createArrayNode();
      ch.changedProperties().forEach(a::add);
      names[i] = Json.write(a);
      events[i] = eventIds.get(ch.externalId());
    }
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("insert_outside_run_changes"))) {
      ps.setString(1, connection);
      ps.setString(2, objectType);
      SyncStore.setInstant(ps, 3, now);
      ps.setArray(4, c.createArrayOf("text", ids));
      ps.setArray(5, c.createArrayOf("text", kinds));
      ps.setArray(6, c.createArrayOf("text", names));
      ps.setArray(7, c.createArrayOf("int8", events));
      ps.executeUpdate();
    }
  }
}
