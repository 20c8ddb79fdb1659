package dev.sluice.sync;

import dev.sluice.connectors.SourceRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps associations symmetric in the mirror. Associations are two-sided at the source, but an
 * incremental read only sees the side whose last-modified time moved: when contact 7 gains company
 * 4, or company 4 is archived (which drops all its associations), the other side's rows would keep
 * stale lists until the next full read. So when a page changes a record's associations, the rows on
 * the other side get the same change, in the page's transaction.
 */
final class InverseAssociations {
  private final SyncStore store;

  InverseAssociations(SyncStore store) {
    this.store = store;
  }

  /** A row on the other side that this page changed. */
  record Touched(String objectType, String externalId) {}

  /**
   * @param readAt when the page whose changes these are was read: a row on the other side whose own
   *     associations were read later is left alone (its view is newer); the rows changed here are
   *     stamped with it, so an older page of theirs cannot undo the change
   */
  List<Touched> apply(Connection c, String connection, String objectType, long runId,
      List<MirrorWriter.Change> changes, Instant now, Instant readAt) throws SQLException {
    // other type -> other id -> (ids of objectType to add, to remove)
    Map<String, Map<String, Set<String>[]>> edits = new TreeMap<>();
    for (MirrorWriter.Change ch : changes) {
      Set<String> types = new HashSet<>(ch.before().keySet());
      types.addAll(ch.after().keySet());
      for (String other : types) {
        if (other.equals(objectType)) {
          continue;
        }
        Set<String> before = Set.copyOf(ch.before().getOrDefault(other, List.of()));
        Set<String> after = Set.copyOf(ch.after().getOrDefault(other, List.of()));
        for (String id : after) {
          if (!before.contains(id)) {
            edit(edits, other, id)[0].add(ch.externalId());
          }
        }
        for (String id : before) {
          if (!after.contains(id)) {
            edit(edits, other, id)[1].add(ch.externalId());
          }
        }
      }
    }
    List<Touched> touched = new ArrayList<>();
    for (Map.Entry<String, Map<String, Set<String>[]>> e : edits.entrySet()) {
      touched.addAll(update(c, connection, e.getKey(), objectType, e.getValue(), runId, now, readAt));
    }
    return touched;
  }

  @SuppressWarnings("unchecked")
  private static Set<String>[] edit(Map<String, Map<String, Set<String>[]>> edits, String type, String id) {
    return edits.computeIfAbsent(type, k -> new TreeMap<>())
        .computeIfAbsent(id, k -> new Set[] {new HashSet<String>(), new HashSet<String>()});
  }

  private List<Touched> update(Connection c, String connection, String otherType, String objectType,
      Map<String, Set<String>[]> byId, long runId, Instant now, Instant readAt) throws SQLException {
    List<String> ids = new ArrayList<>();
    List<String> assocs = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("lock_association_targets"))) {
      ps.setArray(1, c.createArrayOf("text", byId.keySet().toArray()));
      ps.setString(2, connection);
      ps.setString(3, otherType);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          boolean archived = rs.getBoolean(4);
          if (archived) {
            continue; // archived records have no associations at the source
          }
          Instant ownReadAt = SyncStore.instant(rs, 6);
          if (ownReadAt != null && ownReadAt.isAfter(readAt)) {
            continue; // its own page, read after ours, already told how it is associated
          }
          Map<String, List<String>> assoc = new TreeMap<>(MirrorWriter.associations(rs.getString(3)));
          Set<String>[] edit = byId.get(id);
          Set<String> members = new HashSet<>(assoc.getOrDefault(objectType, List.of()));
          Set<String> was = Set.copyOf(members);
          members.addAll(edit[0]);
          members.removeAll(edit[1]);
          if (members.equals(was)) {
            continue;
          }
          if (members.isEmpty()) {
            assoc.remove(objectType);
          } else {
            assoc.put(objectType, new ArrayList<>(members));
          }
          Map<String, String> props = MirrorWriter.properties(rs.getString(2));
          // the same normalisation and hash as a record read from the source
          SourceRecord r = new SourceRecord(otherType, id, props, assoc, false, SyncStore.instant(rs, 5));
          String propsJson = ContentHash.propertiesJson(r);
          String assocJson = ContentHash.associationsJson(r);
          ids.add(id);
          assocs.add(assocJson);
          hashes.add(ContentHash.of(r, propsJson, assocJson));
        }
      }
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("update_associations"))) {
      ps.setLong(1, runId);
      SyncStore.setInstant(ps, 2, now);
      SyncStore.setInstant(ps, 3, readAt);
      ps.setArray(4, c.createArrayOf("text", ids.toArray()));
      ps.setArray(5, c.createArrayOf("text", assocs.toArray()));
      ps.setArray(6, c.createArrayOf("text", hashes.toArray()));
      ps.setString(7, connection);
      ps.setString(8, otherType);
      ps.executeUpdate();
    }
    return ids.stream().map(id -> new Touched(otherType, id)).toList();
  }
}
