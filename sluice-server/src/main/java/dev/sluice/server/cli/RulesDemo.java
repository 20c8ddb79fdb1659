package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.postgres.PostgresSource;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.rules.Decision;
import dev.sluice.rules.RuleReports;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import dev.sluice.sandbox.hubspot.HubSpotSandbox;
import dev.sluice.sandbox.hubspot.HubSpotWebhooks;
import dev.sluice.sandbox.slack.SlackMessage;
import dev.sluice.sandbox.slack.SlackOptions;
import dev.sluice.sandbox.slack.SlackSandbox;
import dev.sluice.server.runtime.SluiceRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The demo's rules step: the rules file {@code demo-rules/deals.yaml} (a live rule and a shadowed one
 * on deal-stage webhooks), a few deals moved to "placement" through the sandbox's admin API while the
 * sandbox sends every webhook batch twice and loses the answers to the placements' first tries (so it
 * retries them), one deal moved back and placed again; then it waits (at most {@value #WAIT_SECONDS} s per
 * phase) for the decisions and jobs, prints one event's decisions as {@code ./sluice explain event}
 * does, and checks the effects in the sandbox: one Slack message and one HubSpot task per deal, and
 * the shadowed rule's requests recorded and never sent.
 */
final class RulesDemo {
  static final String SLACK = "slack-demo";
  static final String LIVE = "deal-placed";
  static final String SHADOWED = "deal-placed-invoice";
  static final String PLACED = "placement";
  static final String BACK = "decisionmakerboughtin";
  static final int DEALS = 4;
  static final int WAIT_SECONDS = 60;
  private static final Set<String> FINAL = Set.of(JobState.COMPLETED.name(), JobState.DEAD.name(), JobState.CANCELLED.name());

  private final PrintStream out;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  RulesDemo(PrintStream out) {
    this.out = out;
  }

  /** The step's Slack workspace in the sandbox: the live rule posts to #placements, the shadowed one would post to #finance. */
  static SlackSandbox slack() {
    return new SlackSandbox(SlackOptions.builder().channel("placements", false).channel("finance", false).build());
  }

  /** The {@code rules:} section of the demo's sluice.yaml; writes the rules file (shipped in the jar) to {@code dir}. */
  static String configSection(URI sandbox, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("deals.yaml");
    try (InputStream in = RulesDemo.class.getResourceAsStream("demo-rules/deals.yaml")) {
      if (in == null) throw new IllegalStateException("the demo rules file is missing from the jar");
      Files.write(file, in.readAllBytes());
    }
    return """
        rules:
          files: [%s]
          slack:
            %s:
              bot_token: ${SLACK_BOT_TOKEN}
              base_url: %s%s
        """.formatted(file.toAbsolutePath(), SLACK, sandbox, SlackSandbox.API_PREFIX);
  }

  /** One stored deal-stage event. */
  private record StageEvent(long id, String deal, String stage) {}

  /** Runs the step; true when every check passed. */
  boolean run(URI server, URI sandbox, String connection, SluiceRuntime runtime, HubSpotSandbox hubspot, SlackSandbox slack,
      PostgresSource pg) throws Exception {
    long start = System.nanoTime();
    List<String> all = hubspot.ids(HubSpotObjectType.DEALS);
    List<String> deals = new ArrayList<>();
    for (int i = 0; i < DEALS && i < all.size(); i++) deals.add(all.get((i + 1) * all.size() / (DEALS + 2)));
    if (deals.size() < DEALS) {
      out.println("     the sandbox has fewer than " + DEALS + " deals  MISMATCH");
      return false;
    }
    int deliveriesBefore = hubspot.webhooks().deliveries().size();
    ObjectNode hooks = json.createObjectNode().put("target_url", server + "/hooks/hubspot/" + connection)
        .put("duplicate_rate", 1.0).put("lost_answer_rate", 0.0).put("time_scale", 600);
    hooks.putArray("subscriptions").add("deal.propertyChange");
    admin(sandbox, "PUT", "/_admin/hubspot/webhooks", hooks);
    out.println("     the sandbox sends every deal.propertyChange batch twice (HubSpot delivers at least once)");

    // Owners first, so the tasks can name them (the mirror learns them from the same webhooks).
    Map<String, String> owners = new LinkedHashMap<>();
    for (int i = 0; i < deals.size(); i++) owners.put(deals.get(i), Integer.toString(70_001 + i));
    for (String deal : deals) move(sandbox, deal, Map.of("hubspot_owner_id", owners.get(deal)));
    boolean ok = waitFor("the deal owners to reach the mirror", () -> freshRows(pg, connection, owners) == deals.size(), () -> { });

    // The placements' first tries reach Sluice but their answers are lost: the sandbox retries them (same event ids).
    admin(sandbox, "PUT", "/_admin/hubspot/webhooks", json.createObjectNode().put("lost_answer_rate", 1.0));
    for (String deal : deals) move(sandbox, deal, Map.of("dealstage", PLACED));
    out.printf(Locale.ROOT, "     %d deals moved to %s: PATCH %s/_admin/hubspot/objects/deals/{id} {\"properties\":{\"dealstage\":\"%s\"}}%n"
        + "     (the answers to these webhooks' first tries are lost on the way back, so the sandbox retries them)%n",
        deals.size(), PLACED, sandbox, PLACED);
    ok &= waitFor("the placements' decisions and jobs", () -> settled(runtime, hubspot, pg, connection, deals, deals.size()),
        () -> printUnfinished(runtime, pg, connection, deals));
    admin(sandbox, "PUT", "/_admin/hubspot/webhooks", json.createObjectNode().put("lost_answer_rate", 0.0));
    String again = deals.get(0);
    move(sandbox, again, Map.of("dealstage", BACK));
    move(sandbox, again, Map.of("dealstage", PLACED));
    out.printf(Locale.ROOT, "     deal %s moved back to %s and placed again%n", again, BACK);
    ok &= waitFor("the second placement's decisions", () -> settled(runtime, hubspot, pg, connection, deals, deals.size() + 2),
        () -> printUnfinished(runtime, pg, connection, deals));

    List<StageEvent> events = stageEvents(pg, connection, deals);
    List<HubSpotWebhooks.Delivery> deliveries = hubspot.webhooks().deliveries();
    deliveries = deliveries.subList(Math.min(deliveriesBefore, deliveries.size()), deliveries.size());
    long duplicates = deliveries.stream().filter(HubSpotWebhooks.Delivery::duplicate).count();
    long retried = deliveries.stream().filter(d -> d.attemptNumber() > 0).count();
    boolean storedOnce = events.size() == deals.size() + 2 && duplicates > 0 && retried > 0; // the faults happened, and changed nothing
    ok &= storedOnce;
    out.printf(Locale.ROOT, "     webhooks: %d requests (%d duplicates, %d retries after a lost answer); %d deal-stage events stored, once each  %s%n",
        deliveries.size(), duplicates, retried, events.size(), storedOnce ? "ok" : "MISMATCH");
    out.println();

    Optional<StageEvent> first = events.stream().filter(e -> e.deal().equals(again) && e.stage().equals(PLACED)).findFirst();
    if (first.isPresent()) {
      out.println("     ./sluice explain event " + first.get().id() + "   (deal " + again + " moved to " + PLACED + "):");
      new RuleReports(runtime.queue()).explainEvent(first.get().id()).orElse(List.of()).forEach(l -> out.println(l.isEmpty() ? "" : "       " + l));
      out.println();
    }
    StageEvent second = events.stream().filter(e -> e.deal().equals(again) && e.stage().equals(PLACED))
        .reduce((a, b) -> b).orElse(null);
    if (second != null && first.isPresent() && second.id() != first.get().id()) {
      out.println("     event " + second.id() + " (deal " + again + " placed again):");
      for (Decision d : runtime.rules().decisions(second.id())) {
        boolean quiet = d.outcome().equals("deduped") || d.outcome().equals("already-matching");
        ok &= quiet;
        out.println("       " + d.rule() + ": " + d.outcome().toUpperCase(Locale.ROOT) + (d.decidedBy() == null ? "" : " (" + d.decidedBy() + ")")
            + "  " + (quiet ? "ok" : "MISMATCH"));
      }
    } else {
      ok = false;
      out.println("     deal " + again + " placed again: no second event stored  MISMATCH");
    }
    out.println();

    out.println("     effects seen in the sandbox:");
    ok &= slackEffects(slack, hubspot, deals);
    ok &= taskEffects(hubspot, deals, owners);
    ok &= shadowEffects(runtime, slack, events, deals.size());
    out.printf(Locale.ROOT, "     rules step: %.1f s%n", (System.nanoTime() - start) / 1e9);
    return ok;
  }

  private boolean slackEffects(SlackSandbox slack, HubSpotSandbox hubspot, List<String> deals) {
    List<SlackMessage> messages = slack.messages("placements");
    boolean ok = messages.size() == deals.size();
    for (String deal : deals) {
      String name = hubspot.record(HubSpotObjectType.DEALS, deal).map(r -> r.property("dealname")).orElse(deal);
      ok &= messages.stream().filter(m -> m.text().startsWith(name + " placed")).count() == 1;
    }
    out.printf(Locale.ROOT, "       Slack #placements: %d messages, one per deal despite the duplicated and retried webhooks  %s%n",
        messages.size(), ok ? "ok" : "MISMATCH");
    messages.forEach(m -> out.println("         \"" + m.text() + "\""));
    return ok;
  }

  private boolean taskEffects(HubSpotSandbox hubspot, List<String> deals, Map<String, String> owners) {
    List<HubSpotRecord> tasks = hubspot.ids(HubSpotObjectType.TASKS).stream()
        .map(id -> hubspot.record(HubSpotObjectType.TASKS, id)).flatMap(Optional::stream)
        .filter(t -> t.property("sluice_dedupe_key") != null && t.property("sluice_dedupe_key").startsWith(LIVE + "#")).toList();
    boolean ok = tasks.size() == deals.size();
    for (String deal : deals) {
      List<HubSpotRecord> mine = tasks.stream().filter(t -> t.associated(HubSpotObjectType.DEALS).contains(deal)).toList();
      ok &= mine.size() == 1 && owners.get(deal).equals(mine.get(0).property("hubspot_owner_id"))
          && mine.get(0).property("sluice_dedupe_key").contains(":deal:" + deal + ":" + PLACED + ":");
    }
    out.printf(Locale.ROOT, "       HubSpot tasks: %d, one per deal, associated to it, with its owner and the job's dedupe key  %s%n",
        tasks.size(), ok ? "ok" : "MISMATCH");
    tasks.forEach(t -> out.println("         \"" + t.property("hs_task_subject") + "\" owner " + t.property("hubspot_owner_id")
        + ", sluice_dedupe_key " + t.property("sluice_dedupe_key")));
    return ok;
  }

  private boolean shadowEffects(SluiceRuntime runtime, SlackSandbox slack, List<StageEvent> events, int placed) {
    List<String> requests = new ArrayList<>();
    int decisions = 0;
    boolean ok = true;
    for (StageEvent e : events) {
      for (Decision d : runtime.rules().decisions(e.id())) {
        if (!d.rule().equals(SHADOWED) || !d.outcome().equals("shadowed")) continue;
        decisions++;
        for (JsonNode j : d.jobs()) {
          Optional<Job> job = runtime.queue().find(j.path("job_id").asLong());
          JsonNode progress = job.map(Job::progress).map(this::parse).orElse(json.nullNode());
          JsonNode sent = progress.path("would_send");
          ok &= job.isPresent() && job.get().state() == JobState.COMPLETED && progress.path("shadow").asBoolean() && sent.isObject();
          requests.add(sent.path("method").asText() + " " + sent.path("url").asText() + " " + sent.path("body"));
        }
      }
    }
    int finance = slack.messages("finance").size();
    ok &= decisions == placed && requests.size() == 2 * decisions && finance == 0;
    out.printf(Locale.ROOT, "       shadowed rule %s: %d decisions, %d requests recorded and never sent (Slack #finance: %d messages)  %s%n",
        SHADOWED, decisions, requests.size(), finance, ok ? "ok" : "MISMATCH");
    requests.forEach(r -> out.println("         would send " + r));
    return ok;
  }

  /** Prints the step's unfinished jobs (after a timeout): what they wait for. */
  private void printUnfinished(SluiceRuntime runtime, PostgresSource pg, String connection, List<String> deals) throws SQLException {
    for (StageEvent e : stageEvents(pg, connection, deals)) {
      List<Decision> decisions = runtime.rules().decisions(e.id());
      if (decisions.size() < 2) out.println("       event " + e.id() + " (deal " + e.deal() + " -> " + e.stage() + "): " + decisions.size() + " of 2 decisions");
      for (Decision d : decisions) {
        for (JsonNode j : d.jobs()) {
          runtime.queue().find(j.path("job_id").asLong()).filter(job -> !FINAL.contains(job.state().name())).ifPresent(job ->
              out.println("       job " + job.id() + " " + job.kind() + " (" + d.rule() + "): " + job.state().dbValue() + ", attempt " + job.attempt()
                  + ", run at " + job.runAt() + (job.lastError() == null ? "" : ", last error: " + job.lastError().lines().findFirst().orElse(""))));
        }
      }
    }
  }

  /** Every deal's stage events stored ({@code expected} in all), each evaluated by both rules, every job finished, no webhook pending. */
  private boolean settled(SluiceRuntime runtime, HubSpotSandbox hubspot, PostgresSource pg, String connection, List<String> deals, int expected)
      throws SQLException {
    if (hubspot.webhooks().backlog() > 0) return false;
    List<StageEvent> events = stageEvents(pg, connection, deals);
    if (events.size() < expected) return false;
    for (StageEvent e : events) {
      List<Decision> decisions = runtime.rules().decisions(e.id());
      if (decisions.size() < 2) return false;
      for (Decision d : decisions) {
        for (JsonNode j : d.jobs()) {
          if (!j.path("created").asBoolean()) continue;
          Optional<Job> job = runtime.queue().find(j.path("job_id").asLong());
          if (job.isPresent() && !FINAL.contains(job.get().state().name())) return false;
        }
      }
    }
    return true;
  }

  /** Polls {@code done} until it holds or {@value #WAIT_SECONDS} s passed; prints what timed out. */
  private boolean waitFor(String what, Callable<Boolean> done, SqlAction onTimeout) throws Exception {
    long deadline = System.nanoTime() + WAIT_SECONDS * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (done.call()) return true;
      Thread.sleep(100); // polling the database and the sandbox, not waiting for a state
    }
    out.println("     gave up waiting " + WAIT_SECONDS + " s for " + what + "  MISMATCH");
    onTimeout.run();
    return false;
  }

  /** What to print after a timeout. */
  private interface SqlAction {
    void run() throws SQLException;
  }

  private void move(URI sandbox, String deal, Map<String, String> properties) throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode();
    ObjectNode props = body.putObject("properties");
    properties.forEach(props::put);
    admin(sandbox, "PATCH", "/_admin/hubspot/objects/deals/" + deal, body);
  }

  private void admin(URI sandbox, String method, String path, JsonNode body) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(sandbox + path)).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) throw new IllegalStateException("the sandbox refused " + method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
  }

  private JsonNode parse(String text) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      return json.nullNode();
    }
  }

  private static List<StageEvent> stageEvents(PostgresSource pg, String connection, List<String> deals) throws SQLException {
    List<StageEvent> out = new ArrayList<>();
    try (Connection c = pg.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(SyncDemo.sql("demo_rules_events.sql"))) {
      ps.setString(1, connection);
      ps.setArray(2, c.createArrayOf("text", deals.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(new StageEvent(rs.getLong(1), rs.getString(2), rs.getString(3)));
      }
    }
    return out;
  }

  private static long freshRows(PostgresSource pg, String connection, Map<String, String> values) throws SQLException {
    return WebhookDemo.freshRows(pg, connection, "deals", "hubspot_owner_id", List.copyOf(values.keySet()), List.copyOf(values.values()));
  }
}
