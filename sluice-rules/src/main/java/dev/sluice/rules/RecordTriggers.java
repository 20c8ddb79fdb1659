package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.cron.CronScheduler;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The lead and mirror-change triggers. Leads: sluice-leads' storing transaction enqueues one
 * {@value #LEADS_KIND} job naming the leads it stored ({@link RulesEngine#leadsStored}), which
 * evaluates the {@code leads/<source>} rules on each lead as stored. Mirror changes: a poll
 * ({@value #SYNC_KIND}, cron {@value #SYNC_SCHEDULE} every minute) reads sluice-sync's
 * {@code record_change} after a cursor and evaluates the {@code connection/type.syncChange} rules
 * on each change, with the record as the mirror holds it.
 */
final class RecordTriggers {
  static final String LEADS_KIND = "rule-leads";
  static final String SYNC_KIND = "rule-sync-changes";
  static final String SYNC_SCHEDULE = "rules:sync-changes";
  static final String SYNC_CURSOR = "sync-change";
  /** A change is read once every change with a smaller sequence number has surely committed. */
  static final Duration SETTLE = Duration.ofSeconds(10);
  /** Changes per poll; a poll that finds this many runs again at once. */
  static final int POLL_BATCH = 2_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RuleSet rules;
  private final JobQueue queue;
  private final Clock clock;
  private final SqlResource leadsById;
  private final SqlResource createCursor;
  private final SqlResource lockCursor;
  private final SqlResource setCursor;
  private final SqlResource syncChanges;

  RecordTriggers(RuleSet rules, JobQueue queue, Clock clock) {
    this.rules = rules;
    this.queue = queue;
    this.clock = clock;
    String schema = queue.schema();
    this.leadsById = SqlResource.load(RecordTriggers.class, "leads_by_id.sql", schema);
    this.createCursor = SqlResource.load(RecordTriggers.class, "lock_cursor.sql", schema);
    this.lockCursor = SqlResource.load(RecordTriggers.class, "lock_cursor_row.sql", schema);
    this.setCursor = SqlResource.load(RecordTriggers.class, "set_cursor.sql", schema);
    this.syncChanges = SqlResource.load(RecordTriggers.class, "sync_changes.sql", schema);
  }

  boolean hasLeadRules() {
    return rules.rules().stream().anyMatch(r -> r.trigger() instanceof Trigger.Lead);
  }

  boolean hasSyncRules() {
    return rules.rules().stream().anyMatch(r -> r.trigger() instanceof Trigger.SyncChange);
  }

  /** In the leads' storing transaction: one job naming them (nothing when no rule listens to leads). */
  void leadsStored(Connection c, List<Long> leadIds) throws SQLException {
    if (leadIds.isEmpty() || !hasLeadRules()) return;
    ObjectNode p = JSON.createObjectNode();
    leadIds.forEach(p.putArray("leads")::add);
    queue.enqueue(c, NewJob.of(LEADS_KIND, p.toString()));
  }

  /** The {@value #LEADS_KIND} job: each named lead evaluated by the rules of its source. */
  void handleLeads(JobContext ctx, BiFunction<List<Rule>, Occurrence, List<Long>> evaluate) throws SQLException {
    List<Long> ids = new ArrayList<>();
    ctx.payload().path("leads").forEach(n -> ids.add(n.asLong()));
    List<ObjectNode[]> leads = new ArrayList<>();
    try (Connection c = queue.dataSource().getConnection(); PreparedStatement ps = leadsById.prepare(c)) {
      leadsById.set(ps, "ids", c.createArrayOf("int8", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ObjectNode event = JSON.createObjectNode();
          long id = rs.getLong("id");
          event.put("type", rs.getInt("submissions") > 1 ? "lead.merged" : "lead.accepted");
          event.put("lead_id", id);
          event.put("source", rs.getString("source"));
          event.put("email", rs.getString("email"));
          event.put("version", rs.getInt("version"));
          event.put("submissions", rs.getInt("submissions"));
          event.put("merged", rs.getInt("submissions") > 1);
          event.put("state", rs.getString("state"));
          event.put("received_at", rs.getTimestamp("received_at").toInstant().toString());
          event.put("updated_at", rs.getTimestamp("updated_at").toInstant().toString());
          ObjectNode record = (ObjectNode) RuleState.parse(rs.getString("fields"));
          record.put("email", rs.getString("email"));
          leads.add(new ObjectNode[] {event, record});
        }
      }
    }
    for (ObjectNode[] l : leads) {
      ObjectNode event = l[0];
      String source = event.path("source").asText();
      List<Rule> listening = rules.rules().stream().filter(r -> r.trigger() instanceof Trigger.Lead t && t.source().equals(source)).toList();
      if (listening.isEmpty()) continue;
      long id = event.path("lead_id").asLong();
      evaluate.apply(listening, new Occurrence("lead", null, "leads/" + source + "/" + id, "lead:" + id + ":v" + event.path("version").asInt(),
          event, l[1], JSON.createObjectNode(), clock.instant()));
    }
  }

  /** Declares (or drops, without sync-change rules) the poll's cron schedule. */
  void schedule(CronScheduler cron) {
    if (hasSyncRules()) cron.schedule(SYNC_SCHEDULE, "* * * * *", NewJob.of(SYNC_KIND, "{}"));
    else cron.unschedule(SYNC_SCHEDULE);
  }

  /**
   * The poll: under the cursor row's lock (one poller at a time; another returns at once), every
   * settled change after the cursor is evaluated by the sync-change rules of its connection and
   * type; the cursor moves past them when the poll commits. A poll that dies re-reads its changes
   * next time (their default dedupe key, the change's sequence number, keeps them from firing twice).
   */
  void pollSyncChanges(JobContext ctx, BiFunction<List<Rule>, Occurrence, List<Long>> evaluate) throws SQLException {
    Instant now = clock.instant();
    int seen = 0;
    try (Connection c = queue.dataSource().getConnection()) {
      try (PreparedStatement ps = createCursor.prepare(c)) {
        createCursor.set(ps, "name", SYNC_CURSOR);
        createCursor.set(ps, "now", RuleState.ts(now));
        ps.executeUpdate();
      }
      c.setAutoCommit(false);
      try {
        long after;
        try (PreparedStatement ps = lockCursor.prepare(c)) {
          lockCursor.set(ps, "name", SYNC_CURSOR);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              c.rollback();
              return; // another process is polling
            }
            after = rs.getLong(1);
          }
        }
        List<Occurrence> changes = new ArrayList<>();
        List<Trigger.SyncChange> types = new ArrayList<>();
        long last = after;
        try (PreparedStatement ps = syncChanges.prepare(c)) {
          syncChanges.set(ps, "after", after);
          syncChanges.set(ps, "settled", RuleState.ts(now.minus(SETTLE)));
          syncChanges.set(ps, "limit", POLL_BATCH);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              seen++;
              last = rs.getLong("event_seq");
              String connection = rs.getString("connection");
              String type = rs.getString("object_type");
              String id = rs.getString("external_id");
              ObjectNode event = JSON.createObjectNode();
              event.put("type", type + ".syncChange");
              event.put("connection", connection);
              event.put("object_type", type);
              event.put("object_id", id);
              event.put("change", rs.getString("kind"));
              event.set("changed", RuleState.parse(rs.getString("changed")));
              long run = rs.getLong("run_id");
              event.put("run_id", run);
              event.put("source", run == 0 ? "webhook" : "sync");
              event.put("at", rs.getTimestamp("at").toInstant().toString());
              event.put("seq", last);
              JsonNode props = RuleState.parse(rs.getString("properties"));
              changes.add(new Occurrence("sync-change", null, connection + "/" + type + "/" + id, "sync:" + last, event,
                  props instanceof ObjectNode o ? o : JSON.createObjectNode(), JSON.createObjectNode(), now));
              types.add(new Trigger.SyncChange(connection, type, type));
            }
          }
        }
        for (int i = 0; i < changes.size(); i++) {
          Trigger.SyncChange t = types.get(i);
          List<Rule> listening = rules.rules().stream().filter(r -> r.trigger() instanceof Trigger.SyncChange s
              && s.connection().equals(t.connection()) && s.mirrorType().equals(t.objectType())).toList();
          if (!listening.isEmpty()) evaluate.apply(listening, changes.get(i));
        }
        try (PreparedStatement ps = setCursor.prepare(c)) {
          setCursor.set(ps, "name", SYNC_CURSOR);
          setCursor.set(ps, "position", last);
          setCursor.set(ps, "now", RuleState.ts(now));
          ps.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
    if (seen == POLL_BATCH) throw new JobSnooze(Duration.ZERO); // more are waiting: again at once
  }
}
