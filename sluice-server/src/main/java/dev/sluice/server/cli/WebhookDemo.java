package dev.sluice.server.cli;

import dev.sluice.postgres.PostgresSource;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotSandbox;
import java.io.PrintStream;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's webhook step: the sandbox portal's app webhooks point at Sluice, a few contacts are
 * edited there, and the step waits (at most {@value #WAIT_SECONDS} s) until the signed events are
 * stored once each and the mirror rows show the edits — without a sync run.
 */
final class WebhookDemo {
  static final int EDITS = 20;
  static final int WAIT_SECONDS = 30;

  private WebhookDemo() {}

  /** Runs the step; true when every event was stored once and every edited row is fresh in the mirror. */
  static boolean run(PrintStream out, HubSpotSandbox hubspot, URI server, String connection, PostgresSource pg) throws Exception {
    hubspot.webhooks().setSubscriptions(List.of("contact.propertyChange"));
    hubspot.webhooks().setTargetUrl(server + "/hooks/hubspot/" + connection);
    long eventsBefore = count(pg, "demo_webhook_events.sql");
    List<String> all = hubspot.ids(HubSpotObjectType.CONTACTS);
    List<String> ids = all.subList(0, Math.min(EDITS, all.size()));
    int edits = ids.size();
    List<String> values = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < ids.size(); i++) {
      String value = "Hooked" + i + "-" + Long.toHexString(start & 0xffff);
      values.add(value);
      hubspot.updateRecord(HubSpotObjectType.CONTACTS, ids.get(i), Map.of("firstname", value));
    }
    out.printf(Locale.ROOT, "     %d contacts edited in the sandbox; it POSTs signed webhooks to %s/hooks/hubspot/%s%n", edits, server, connection);
    long deadline = start + WAIT_SECONDS * 1_000_000_000L;
    long stored = 0;
    long fresh = 0;
    while (System.nanoTime() < deadline) {
      stored = count(pg, "demo_webhook_events.sql") - eventsBefore;
      fresh = freshRows(pg, connection, "contacts", "firstname", ids, values);
      if (stored >= edits && fresh == edits && hubspot.webhooks().backlog() == 0) break;
      Thread.sleep(100); // a progress display polling the database, not a test waiting for a state
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    boolean ok = stored >= edits && fresh == edits; // other writers may touch contacts too: at least one event per edit
    out.printf(Locale.ROOT, "     %d events stored (each once), %d of %d mirror rows updated in %.1f s, no sync run  %s%n",
        stored, fresh, edits, seconds, ok ? "ok" : "MISMATCH");
    return ok;
  }

  private static long count(PostgresSource pg, String sql) throws Exception {
    try (Connection c = pg.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(SyncDemo.sql(sql))) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** How many of the records {@code ids} of {@code type} show {@code property} = {@code values[i]} in the mirror. */
  static long freshRows(PostgresSource pg, String connection, String type, String property, List<String> ids, List<String> values)
      throws java.sql.SQLException {
    try (Connection c = pg.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(SyncDemo.sql("demo_fresh_rows.sql"))) {
      ps.setArray(1, c.createArrayOf("text", ids.toArray()));
      ps.setArray(2, c.createArrayOf("text", values.toArray()));
      ps.setString(3, connection);
      ps.setString(4, type);
      ps.setString(5, property);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
