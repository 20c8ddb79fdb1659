package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.postgres.PostgresSource;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotSandbox;
import dev.sluice.sandbox.hubspot.HubSpotTier;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import dev.sluice.sandbox.slack.SlackSandbox;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.ApiServer;
import dev.sluice.server.runtime.SluiceRuntime;
import dev.sluice.sync.StreamCounts;
import dev.sluice.sync.SyncRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The main demo: embedded PostgreSQL, a sandbox HubSpot portal at Professional limits, the HTTP API
 * and workers, a full sync, changes made in the sandbox, an incremental sync that must pick up
 * exactly those changes, and a final check of the mirror against the sandbox.
 */
final class SyncDemo {
  /** The demo's connection name. */
  static final String CONNECTION = "hubspot-demo";
  private static final List<HubSpotObjectType> TYPES =
      List.of(HubSpotObjectType.CONTACTS, HubSpotObjectType.COMPANIES, HubSpotObjectType.DEALS, HubSpotObjectType.TICKETS);
  /** The sandbox's search index lag: a realistic few seconds, under HubSpot's default settle time (5 s). */
  static final Duration SEARCH_INDEX_LAG = Duration.ofSeconds(3);
  /** The property each type's demo edit changes. */
  private static final Map<HubSpotObjectType, String> EDITED_PROPERTY = Map.of(
      HubSpotObjectType.CONTACTS, "firstname", HubSpotObjectType.COMPANIES, "name",
      HubSpotObjectType.DEALS, "dealname", HubSpotObjectType.TICKETS, "subject");

  /** Sizes and switches from the command line. */
  record Options(int contacts, int companies, int deals, int tickets, int concurrency, int port, boolean keepRunning, Path home, int leads) {}

  /** What the demo changed in one object type, and so what the incremental run must report. */
  record Changes(int edited, int created, int archived) {}

  private final Options options;
  private final PrintStream out;
  private final ObjectMapper json = new ObjectMapper();

  /** The secrets this run used (API token, vendor token, database password), for the test that none is logged. */
  private final List<String> secrets = new ArrayList<>();

  SyncDemo(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  List<String> secrets() {
    return List.copyOf(secrets);
  }

  /** Runs the demo; returns the process exit code (0 when every check passed). */
  int run() throws Exception {
    Instant begin = Instant.now();
    out.println("Sluice demo: HubSpot (sandbox) -> PostgreSQL mirror, through the durable queue");
    out.println();
    Path pgdata = options.home().resolve("demo").resolve("pgdata");
    PostgresSource pg = PostgresSource.embedded(pgdata, options.concurrency() + 12);
    Sandbox sandbox = null;
    SluiceRuntime runtime = null;
    ApiServer server = null;
    boolean keep = false;
    try {
      execute(pg, "demo_reset.sql");
      out.println("  PostgreSQL  embedded, " + pg.displayUrl() + " (data in " + pgdata + ")");

      // Like HubSpot's, the sandbox's search index lags its writes by a few seconds: the incremental
      // run below starts right after the changes, inside that lag, and must still pick them all up.
      SalesforceSandbox salesforce = PipelineDemo.salesforce();
      MailchimpSandbox mailchimp = PipelineDemo.mailchimp();
      SlackSandbox slack = RulesDemo.slack();
      sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().tier(HubSpotTier.PROFESSIONAL).searchIndexLag(SEARCH_INDEX_LAG)
          .build()).platform(salesforce).platform(mailchimp).platform(slack).start();
      HubSpotSandbox hubspot = sandbox.hubspot();
      HubSpotDataGenerator.Result seeded = hubspot.generate(new HubSpotDataGenerator.Spec(
          42, options.contacts(), options.companies(), options.deals(), options.tickets(), 0, 0, false));
      out.printf(Locale.ROOT, "  Sandbox     HubSpot portal at %s, Professional limits (%d requests / 10 s, %,d / day),%n"
          + "              search index lagging writes by %d s%n",
          sandbox.baseUrl(), HubSpotTier.PROFESSIONAL.perTenSeconds(), HubSpotTier.PROFESSIONAL.perDay(), SEARCH_INDEX_LAG.toSeconds());
      out.printf(Locale.ROOT, "              seeded %s, %s associations in %.1f s%n", sizes(hubspot), RunProgress.count(seeded.associations()),
          seeded.millis() / 1000.0);

      SluiceConfig config = SluiceConfig.parse("""
          connections:
            %s:
              platform: hubspot
              base_url: %s
              token: ${HUBSPOT_TOKEN}
              tier: professional
              objects: [contacts, companies, deals, tickets]
              webhooks:
                app_secret: ${HUBSPOT_APP_SECRET}
          """.formatted(CONNECTION, sandbox.baseUrl()) + PipelineDemo.connections(java.net.URI.create(sandbox.baseUrl()))
          + LeadDemo.configSection(CONNECTION)
          + PipelineDemo.configSection(CONNECTION, java.net.URI.create(sandbox.baseUrl()), options.home().resolve("demo").resolve("mappings"))
          + RulesDemo.configSection(java.net.URI.create(sandbox.baseUrl()), options.home().resolve("demo").resolve("rules")),
          Map.of("HUBSPOT_TOKEN", hubspot.token(), "HUBSPOT_APP_SECRET", hubspot.appSecret(), "SLACK_BOT_TOKEN", slack.options().botToken()));
      runtime = SluiceRuntime.on(config, pg.dataSource(), Clock.systemUTC());
      runtime.startWorkers(options.concurrency());
      Secret apiToken = Secret.of(randomToken(), "generated for this demo");
      secrets.add(apiToken.reveal());
      secrets.add(hubspot.token());
      secrets.add(slack.options().botToken());
      if (pg.password() != null) secrets.add(pg.password());
      server = ApiServer.start(new ApiServer.Settings("127.0.0.1", options.port(), apiToken), config, runtime.engine(),
          runtime.queue(), runtime.dataSource(), runtime.leads(), runtime.inbound(), runtime.pipelines());
      out.println("  Server      " + server.url() + " (HTTP API + " + options.concurrency() + " workers; bearer token " + apiToken.reveal() + ")");
      out.println();

      // 1. Full sync
      out.println("1/7  Full sync: POST " + server.url() + "/v1/sync-runs {\"connection\":\"" + CONNECTION + "\",\"mode\":\"full\"}");
      long requestsBefore = sandbox.counters().requests();
      long tooManyBefore = sandbox.counters().tooManyRequestsServed();
      long fullId = trigger(server, apiToken, "full");
      SyncRun full = follow(runtime, sandbox, fullId, expectedTotals(hubspot), tooManyBefore);
      out.println("     " + outcome(full));
      out.println();
      if (!full.status().name().equals("COMPLETED")) return 1;

      // 2. Changes in the sandbox
      out.println("2/7  Changes made in the sandbox portal (as CRM users would):");
      Map<HubSpotObjectType, Changes> changes = new LinkedHashMap<>();
      for (HubSpotObjectType type : TYPES) {
        Changes c = change(hubspot, type);
        changes.put(type, c);
        out.printf(Locale.ROOT, "     %-10s %4d edited, %4d created, %4d archived%n", type.plural(), c.edited(), c.created(), c.archived());
      }
      out.println();

      // 3. Incremental sync
      out.println("3/7  Incremental sync: POST " + server.url() + "/v1/sync-runs {\"connection\":\"" + CONNECTION + "\",\"mode\":\"incremental\"}");
      out.println("     (started inside the search index lag: each stream searches again once the index has settled)");
      long incId = trigger(server, apiToken, "incremental");
      SyncRun inc = follow(runtime, sandbox, incId, Map.of(), tooManyBefore);
      out.println("     " + outcome(inc));
      boolean ok = inc.status().name().equals("COMPLETED");
      out.println("     picked up (created / updated / archived), expected vs got:");
      for (HubSpotObjectType type : TYPES) {
        Changes c = changes.get(type);
        StreamCounts got = inc.counts().getOrDefault(type.plural(), StreamCounts.ZERO);
        // An archived record was live in the mirror: archiving it is an update that sets the flag.
        long expUpdated = c.edited() + c.archived();
        boolean match = got.created() == c.created() && got.updated() == expUpdated && got.archived() >= c.archived();
        ok &= match;
        out.printf(Locale.ROOT, "     %-10s %5d / %5d / %5d   %5d / %5d / %5d  %s%n", type.plural(), c.created(), expUpdated, c.archived(),
            got.created(), got.updated(), got.archived(), match ? "ok" : "MISMATCH");
      }
      out.println();

      // Final check: the mirror equals the sandbox.
      out.println("Mirror check (sluice.record vs the sandbox portal):");
      Map<String, long[]> mirror = mirrorCounts(pg);
      for (HubSpotObjectType type : TYPES) {
        long[] m = mirror.getOrDefault(type.plural(), new long[2]);
        int live = hubspot.count(type);
        int archived = hubspot.archivedCount(type);
        boolean match = m[0] == live && m[1] == archived;
        ok &= match;
        out.printf(Locale.ROOT, "     %-10s mirror %,7d live + %,5d archived, sandbox %,7d + %,5d  %s%n", type.plural(), m[0], m[1], live, archived,
            match ? "ok" : "MISMATCH");
      }
      out.println();

      // 4. Leads: a campaign burst accepted in seconds, drained into the CRM at its limit.
      out.printf(Locale.ROOT, "4/7  Leads: %,d form posts (10%% repeats) to POST %s/v1/leads, then drained into HubSpot%n", options.leads(), server.url());
      ok &= new LeadDemo(out).run(server.url(), runtime, hubspot, options.leads());
      out.println();

      // 5. Webhooks: fresh edits reach the mirror without a sync run
      out.println("5/7  Webhooks: HubSpot app webhooks -> POST " + server.url() + "/hooks/hubspot/" + CONNECTION);
      ok &= WebhookDemo.run(out, hubspot, server.url(), CONNECTION, pg);
      out.println();

      // 6. Pipelines: HubSpot contacts to Salesforce and Mailchimp, and an edit in Salesforce back once
      out.println("6/7  Pipelines: HubSpot contacts -> Salesforce Contacts and a Mailchimp audience through the mapping files in "
          + options.home().resolve("demo").resolve("mappings") + ", then back");
      ok &= new PipelineDemo(out).run(server.url(), apiToken, runtime, CONNECTION, hubspot, salesforce, mailchimp);
      out.println();

      // 7. Rules: deal-stage webhooks (duplicated, retried) -> a live rule and a shadowed one -> Slack and HubSpot, once each
      out.println("7/7  Rules: deals moved to placement in the sandbox -> deal.propertyChange webhooks -> the rules in "
          + options.home().resolve("demo").resolve("rules").resolve("deals.yaml") + " -> Slack and HubSpot");
      ok &= new RulesDemo(out).run(server.url(), java.net.URI.create(sandbox.baseUrl()), CONNECTION, runtime, hubspot, slack, pg);
      out.println();

      long requests = sandbox.counters().requests() - requestsBefore;
      long tooMany = sandbox.counters().tooManyRequestsServed() - tooManyBefore;
      out.println("Summary");
      out.printf(Locale.ROOT, "  full sync         %s records in %s%n", RunProgress.count(full.totals().fetched()), took(full));
      out.printf(Locale.ROOT, "  incremental sync  %s records in %s (%d created, %d updated)%n", RunProgress.count(inc.totals().fetched()), took(inc),
          inc.totals().created(), inc.totals().updated());
      out.printf(Locale.ROOT, "  requests          %s to the sandbox, %d answered 429%n", RunProgress.count(requests), tooMany);
      out.printf(Locale.ROOT, "  demo duration     %s%n", RunProgress.duration(Duration.between(begin, Instant.now())));
      out.println("  result            " + (ok ? "every check passed" : "SOME CHECKS FAILED (see above)"));
      out.println();
      out.println("Where to look" + (options.keepRunning() ? " (running until Ctrl-C):" : " (rerun with --keep-running to keep everything up):"));
      out.println("  curl -H 'Authorization: Bearer " + apiToken.reveal() + "' " + server.url() + "/v1/sync-runs/" + incId);
      out.println("  curl -N -H 'Accept: text/event-stream' -H 'Authorization: Bearer " + apiToken.reveal() + "' " + server.url() + "/v1/sync-runs/" + fullId + "/events");
      out.println("  " + server.url() + "/dashboard#token=" + apiToken.reveal() + "   (the dashboard; the fragment never leaves the browser)");
      out.println("  " + pg.psqlCommand("select * from sluice.hubspot_contacts limit 5"));
      out.println("  " + server.url() + "/metrics   " + server.url() + "/openapi.yaml");
      out.flush();

      if (options.keepRunning()) {
        keep = true;
        CountDownLatch stopped = new CountDownLatch(1);
        Sandbox sb = sandbox;
        SluiceRuntime rt = runtime;
        ApiServer sv = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          sv.close();
          rt.close();
          sb.close();
          pg.close();
          stopped.countDown();
        }, "sluice-demo-shutdown"));
        stopped.await();
      }
      return ok ? 0 : 1;
    } finally {
      if (!keep) {
        if (server != null) server.close();
        if (runtime != null) runtime.close();
        if (sandbox != null) sandbox.close();
        pg.close();
      }
    }
  }

  private long trigger(ApiServer server, Secret token, String mode) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(server.url().resolve("/v1/sync-runs"))
        .header("Authorization", "Bearer " + token.reveal())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"connection\":\"" + CONNECTION + "\",\"mode\":\"" + mode + "\"}"))
        .build();
    HttpResponse<String> r;
    try (HttpClient http = HttpClient.newHttpClient()) {
      r = http.send(req, HttpResponse.BodyHandlers.ofString());
    }
    JsonNode body = json.readTree(r.body());
    if (r.statusCode() != 202 && r.statusCode() != 200) {
      throw new IllegalStateException("the API refused the sync: HTTP " + r.statusCode() + " " + body.path("error").asText());
    }
    long id = body.get("run_id").asLong();
    out.println("     -> HTTP " + r.statusCode() + " " + r.body());
    return id;
  }

  private SyncRun follow(SluiceRuntime runtime, Sandbox sandbox, long id, Map<String, Long> expected, long tooManyBefore)
      throws InterruptedException {
    RunFollower follower = new RunFollower(runtime.engine(), RunProgress.onStderr());
    return follower.follow(id, expected, snoozes -> (sandbox.counters().tooManyRequestsServed() - tooManyBefore) + " x 429");
  }

  private static Map<String, Long> expectedTotals(HubSpotSandbox hubspot) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (HubSpotObjectType t : TYPES) m.put(t.plural(), (long) hubspot.count(t) + hubspot.archivedCount(t));
    return m;
  }

  private static String sizes(HubSpotSandbox hubspot) {
    List<String> parts = new ArrayList<>();
    for (HubSpotObjectType t : TYPES) parts.add(RunProgress.count(hubspot.count(t)) + " " + t.plural());
    return String.join(", ", parts);
  }

  /**
   * Edits about 1% of the records of {@code type}, creates about 0.25% new ones and archives about
   * 0.15% (at least one of each when the type has records), touching disjoint records.
   */
  private static Changes change(HubSpotSandbox hubspot, HubSpotObjectType type) {
    List<String> ids = hubspot.ids(type);
    if (ids.isEmpty()) return new Changes(0, 0, 0);
    int edits = Math.max(1, ids.size() / 100);
    int archives = Math.max(1, ids.size() / 700);
    int creates = Math.max(1, ids.size() / 400);
    edits = Math.min(edits, Math.max(0, ids.size() - archives));
    String property = EDITED_PROPERTY.get(type);
    int stride = Math.max(1, (ids.size() - archives) / Math.max(1, edits));
    int edited = 0;
    for (int i = 0; i < ids.size() - archives && edited < edits; i += stride) {
      hubspot.updateRecord(type, ids.get(i), Map.of(property, "Edited in the demo #" + edited));
      edited++;
    }
    for (int i = 0; i < archives; i++) hubspot.archiveRecord(type, ids.get(ids.size() - 1 - i));
    for (int i = 0; i < creates; i++) hubspot.createRecord(type, newRecord(type, i));
    return new Changes(edited, creates, archives);
  }

  private static Map<String, String> newRecord(HubSpotObjectType type, int i) {
    return switch (type) {
      case CONTACTS -> Map.of("email", "new-" + i + "@demo.example", "firstname", "New", "lastname", "Contact " + i);
      case COMPANIES -> Map.of("name", "New Company " + i, "domain", "new-" + i + ".demo.example");
      case DEALS -> Map.of("dealname", "New Deal " + i, "amount", String.valueOf(1000 + i));
      case TICKETS -> Map.of("subject", "New Ticket " + i, "content", "Opened in the demo");
      default -> Map.of();
    };
  }

  private static String outcome(SyncRun run) {
    StreamCounts t = run.totals();
    return String.format(Locale.ROOT, "run %d %s in %s: %s fetched, %s created, %s updated, %s unchanged, %s archived; %s requests",
        run.id(), run.status().wire(), took(run), RunProgress.count(t.fetched()), RunProgress.count(t.created()),
        RunProgress.count(t.updated()), RunProgress.count(t.unchanged()), RunProgress.count(t.archived()), RunProgress.count(run.requests()))
        + (run.lastError() == null ? "" : "; last error: " + run.lastError());
  }

  private static String took(SyncRun run) {
    Instant start = run.startedAt() != null ? run.startedAt() : run.createdAt();
    Instant end = run.finishedAt() != null ? run.finishedAt() : Instant.now();
    return String.format(Locale.ROOT, "%.1f s", Duration.between(start, end).toMillis() / 1000.0);
  }

  private static Map<String, long[]> mirrorCounts(PostgresSource pg) throws SQLException {
    Map<String, long[]> m = new LinkedHashMap<>();
    try (Connection c = pg.dataSource().getConnection();
         PreparedStatement ps = c.prepareStatement(sql("demo_mirror_counts.sql"))) {
      ps.setString(1, CONNECTION);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) m.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
      }
    }
    return m;
  }

  private static void execute(PostgresSource pg, String resource) throws SQLException {
    try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql(resource));
    }
  }

  static String sql(String name) {
    try (InputStream in = SyncDemo.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("SQL resource " + name + " is missing from the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String randomToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
