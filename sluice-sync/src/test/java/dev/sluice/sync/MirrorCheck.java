package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.sluice.connectors.hubspot.HubSpotConnector;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Compares the mirror of one connection with the sandbox portal it reads (sync tests). */
final class MirrorCheck {
  /** Where the mirror is: a connection to its database. */
  interface Database {
    Connection connect() throws SQLException;
  }

  private final Database db;
  private final Sandbox sandbox;
  private final SyncProcessFixture fx;
  private final String connection;

  MirrorCheck(TestDatabase db, Sandbox sandbox, SyncProcessFixture fx, String connection) {
    this(db::connect, sandbox, fx, connection);
  }

  MirrorCheck(Database db, Sandbox sandbox, SyncProcessFixture fx, String connection) {
    this.db = db;
    this.sandbox = sandbox;
    this.fx = fx;
    this.connection = connection;
  }

  record MirrorRow(Map<String, String> properties, Map<String, List<String>> associations, boolean archived) {}

  Map<String, MirrorRow> mirror(String objectType) throws Exception {
    Map<String, MirrorRow> out = new HashMap<>();
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT external_id, properties::text, associations::text, archived FROM sluice.record "
            + "WHERE connection = ? AND object_type = ?")) {
      ps.setString(1, connection);
      ps.setString(2, objectType);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, String> props = Json.MAPPER.readValue(rs.getString(2), new TypeReference<Map<String, String>>() {});
          props.values().removeIf(v -> v == null);
          out.put(rs.getString(1), new MirrorRow(new TreeMap<>(props),
              Json.MAPPER.readValue(rs.getString(3), new TypeReference<Map<String, List<String>>>() {}),
              rs.getBoolean(4)));
        }
      }
    }
    return out;
  }

  /** Every live and archived record of the portal, property, association and archived flag, and nothing else. */
  void assertMirrorEqualsSandbox() throws Exception {
    for (String objectType : SyncProcessFixture.OBJECTS) {
      HubSpotObjectType type = HubSpotObjectType.valueOf(objectType.toUpperCase(Locale.ROOT));
      Map<String, MirrorRow> mirror = mirror(objectType);
      Set<String> live = Set.copyOf(sandbox.hubspot().ids(type));
      Set<String> mirroredLive = mirror.entrySet().stream().filter(e -> !e.getValue().archived())
          .map(Map.Entry::getKey).collect(Collectors.toSet());
      assertThat(mirroredLive).as("live %s", objectType).isEqualTo(live);
      List<String> archived = mirror.entrySet().stream().filter(e -> e.getValue().archived())
          .map(Map.Entry::getKey).toList();
      assertThat(archived).as("archived %s", objectType).hasSize(sandbox.hubspot().archivedCount(type));
      // the engine must store exactly what the connector reads; that the connector reads every
      // property the portal holds is checked after all records (a connector/sandbox matter)
      Set<String> read = Set.copyOf(((HubSpotConnector) fx.connectors.get(connection)).properties(objectType));
      Set<String> unread = new java.util.TreeSet<>();
      for (String id : archived) {
        HubSpotRecord r = sandbox.hubspot().record(type, id).orElseThrow();
        assertThat(r.archived()).as("%s %s archived", objectType, id).isTrue();
        // HubSpot lists an archived record's properties but not its associations
        assertThat(mirror.get(id).properties()).as("properties of archived %s %s", objectType, id)
            .isEqualTo(expectedProperties(r, read));
        assertThat(mirror.get(id).associations()).as("associations of archived %s %s", objectType, id).isEmpty();
        unread.addAll(r.properties().keySet());
      }
      for (String id : live) {
        HubSpotRecord r = sandbox.hubspot().record(type, id).orElseThrow();
        MirrorRow m = mirror.get(id);
        assertThat(m.properties()).as("properties of %s %s", objectType, id).isEqualTo(expectedProperties(r, read));
        unread.addAll(r.properties().keySet());
        Map<String, List<String>> expectedAssoc = new LinkedHashMap<>();
        r.associations().forEach((t, ids) -> {
          if (SandboxSyncTest.ASSOCIATED.contains(t.plural()) && !t.plural().equals(objectType) && !ids.isEmpty()) {
            expectedAssoc.put(t.plural(), ids.stream().sorted(MirrorCheck::compareIds).toList());
          }
        });
        Map<String, List<String>> actualAssoc = new LinkedHashMap<>();
        m.associations().forEach((t, ids) -> actualAssoc.put(t, ids.stream().sorted(MirrorCheck::compareIds).toList()));
        assertThat(actualAssoc).as("associations of %s %s", objectType, id).isEqualTo(expectedAssoc);
      }
      unread.removeAll(read);
      assertThat(unread).as("properties of %s in the portal that the connector does not read", objectType).isEmpty();
    }
  }

  /** A sandbox record's properties with a value, of those the connector reads. */
  static Map<String, String> expectedProperties(HubSpotRecord r, Set<String> read) {
    Map<String, String> out = new TreeMap<>(r.properties());
    out.values().removeIf(v -> v == null);
    out.keySet().retainAll(read);
    return out;
  }

  static int compareIds(String a, String b) {
    return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
  }

  /** Every property name the portal's records of each synced type carry (so the mirror must hold them all). */
  static Map<String, List<String>> portalProperties(Sandbox sandbox) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String objectType : SyncProcessFixture.OBJECTS) {
      HubSpotObjectType type = HubSpotObjectType.valueOf(objectType.toUpperCase(Locale.ROOT));
      Set<String> names = new java.util.TreeSet<>();
      for (String id : sandbox.hubspot().ids(type)) {
        names.addAll(sandbox.hubspot().record(type, id).orElseThrow().properties().keySet());
      }
      out.put(objectType, List.copyOf(names));
    }
    return out;
  }
}
