package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.leads.Lead;
import dev.sluice.leads.LeadCounts;
import dev.sluice.leads.LeadState;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** The wire shape of leads and lead counts, shared by the API and {@code sluice leads --json}. */
public final class LeadJson {
  private LeadJson() {}

  /** One lead as {@code GET /v1/leads/{id}} shows it. */
  public static ObjectNode lead(ObjectMapper json, Lead l) {
    ObjectNode n = json.createObjectNode();
    n.put("lead_id", l.id());
    n.put("source", l.source());
    n.put("email", l.email());
    ObjectNode f = n.putObject("fields");
    new TreeMap<>(l.fields()).forEach(f::put);
    n.put("state", l.state().wire());
    n.put("destination", l.destination());
    n.put("crm_id", l.crmId());
    n.put("last_error", l.lastError());
    n.put("submissions", l.submissions());
    n.put("attempts", l.attempts());
    n.put("version", l.version());
    n.put("received_at", text(l.receivedAt()));
    n.put("updated_at", text(l.updatedAt()));
    n.put("sent_at", text(l.sentAt()));
    n.put("next_attempt_at", l.state() == LeadState.RETRYING ? text(l.availableAt()) : null);
    return n;
  }

  /** {@code {"total": {state: n}, "by_source": {source: {state: n}}}}. */
  public static ObjectNode counts(ObjectMapper json, LeadCounts c) {
    ObjectNode n = json.createObjectNode();
    ObjectNode total = n.putObject("total");
    c.total().forEach((s, v) -> total.put(s.wire(), v));
    ObjectNode by = n.putObject("by_source");
    for (Map.Entry<String, Map<LeadState, Long>> e : c.bySource().entrySet()) {
      ObjectNode s = by.putObject(e.getKey());
      e.getValue().forEach((st, v) -> s.put(st.wire(), v));
    }
    return n;
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
