package dev.sluice.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Notes, in the storing transaction, which mirror records the new events name, and schedules one
 * refresh job per connection and object type per coalescing window: every id noted within the
 * window (and any noted before the job runs) is refreshed by that one job. The job's dedupe key
 * carries the window's number, so a burst yields one job per window, not one per event.
 */
final class MirrorNotes {
  /** How long ids are gathered before their refresh runs. */
  static final Duration WINDOW_DEFAULT = Duration.ofMillis(500);
  private static final Set<String> HUBSPOT_OBJECTS = Set.of("contacts", "companies", "deals", "tickets");
  private static final Set<String> HUBSPOT_CHANGES = Set.of("creation", "deletion", "propertyChange", "merge",
      "associationChange", "restore");

  record Target(String connection, String objectType, String objectId) {}

  private final JobQueue queue;
  private final Duration window;
  private final boolean enabled;
  private final SqlResource notePending;

  MirrorNotes(JobQueue queue, String schema, Duration window, boolean enabled) {
    this.queue = queue;
    this.window = window;
    this.enabled = enabled;
    this.notePending = SqlResource.load(MirrorNotes.class, "note_mirror_pending.sql", schema);
  }

  Batch batch() {
    return new Batch();
  }

  /** The records one event asks to refresh (none for senders without a mirror). */
  static List<Target> targets(Delivery d, NewEvent e) {
    List<Target> out = new ArrayList<>();
    if (d.sender() == WebhookSender.SALESFORCE && e.objectId() != null) {
      out.add(new Target(d.connection(), e.objectType(), e.objectId()));
    } else if (d.sender() == WebhookSender.HUBSPOT && HUBSPOT_OBJECTS.contains(e.objectType())
        && HUBSPOT_CHANGES.contains(e.type().substring(e.type().indexOf('.') + 1))) {
      JsonNode p = e.payload();
      Set<String> ids = new LinkedHashSet<>();
      if (e.objectId() != null) ids.add(e.objectId());
      for (String field : List.of("primaryObjectId", "newObjectId", "fromObjectId")) {
        String id = InboundJson.idText(p.get(field));
        if (id != null) ids.add(id);
      }
      p.path("mergedObjectIds").forEach(m -> {
        String id = InboundJson.idText(m);
        if (id != null) ids.add(id);
      });
      ids.forEach(id -> out.add(new Target(d.connection(), e.objectType(), id)));
      String to = InboundJson.idText(p.get("toObjectId"));
      String toType = associatedType(p.path("associationType").asText(""));
      if (to != null && toType != null) out.add(new Target(d.connection(), toType, to));
    }
    return out;
  }

  /** {@code CONTACT_TO_COMPANY} → {@code companies}, when it names a mirrored type. */
  static String associatedType(String associationType) {
    int at = associationType.indexOf("_TO_");
    if (at < 0) return null;
    String t = HubSpotEvents.objectType(associationType.substring(at + 4).toLowerCase(Locale.ROOT) + ".x");
    return HUBSPOT_OBJECTS.contains(t) ? t : null;
  }

  /** The notes of one storing transaction. Not thread-safe (one per batch). */
  final class Batch {
    private final Map<Target, Long> latest = new LinkedHashMap<>();

    void note(Delivery d, NewEvent e, long eventId) {
      if (!enabled) return;
      for (Target t : targets(d, e)) latest.merge(t, eventId, Math::max);
    }

    void flush(Connection c, OffsetDateTime now) throws SQLException {
      if (latest.isEmpty()) return;
      List<String> connections = new ArrayList<>(), types = new ArrayList<>(), ids = new ArrayList<>();
      List<Long> events = new ArrayList<>();
      Set<List<String>> streams = new LinkedHashSet<>();
      latest.forEach((t, event) -> {
        connections.add(t.connection());
        types.add(t.objectType());
        ids.add(t.objectId());
        events.add(event);
        streams.add(List.of(t.connection(), t.objectType()));
      });
      try (PreparedStatement ps = notePending.prepare(c)) {
        notePending.set(ps, "connections", EventWriter.text(connections));
        notePending.set(ps, "object_types", EventWriter.text(types));
        notePending.set(ps, "object_ids", EventWriter.text(ids));
        notePending.set(ps, "event_ids", c.createArrayOf("int8", events.toArray()));
        notePending.set(ps, "now", now);
        ps.executeUpdate();
      }
      long windowMs = Math.max(1, window.toMillis());
      long bucket = now.toInstant().toEpochMilli() / windowMs;
      List<NewJob> jobs = new ArrayList<>();
      for (List<String> s : streams) {
        jobs.add(NewJob.builder(InboundEvents.MIRROR_JOB_KIND)
            .payload(InboundJson.write(InboundJson.MAPPER.createObjectNode().put("connection", s.get(0)).put("object_type", s.get(1))))
            .runAt(Instant.ofEpochMilli((bucket + 1) * windowMs))
            .dedupeKey(refreshKey(s.get(0), s.get(1), bucket))
            .concurrencyKey(s.get(0) + ":" + s.get(1))
            .build());
      }
      EventWriter.enqueue(queue, c, jobs);
    }
  }

  static String refreshKey(String connection, String objectType, long bucket) {
    return "inbound-mirror:" + connection + ":" + objectType + ":" + bucket;
  }
}
