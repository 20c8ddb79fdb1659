package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.SyncMode;
import dev.sluice.pipelines.PipelineEngine;
import dev.sluice.pipelines.PipelineRun;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotSandbox;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import dev.sluice.sandbox.salesforce.SObjectRecord;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import dev.sluice.server.config.Secret;
import dev.sluice.server.runtime.SluiceRuntime;
import dev.sluice.sync.RunStatus;
import dev.sluice.sync.SyncRequest;
import dev.sluice.sync.SyncRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo's pipeline step: HubSpot contacts pushed to Salesforce Contacts and to a Mailchimp
 * audience through mapping files, Salesforce synced back into the mirror (every record is Sluice's
 * own echo: nothing goes back), then one contact edited in Salesforce flows back to HubSpot once and
 * stops there (the next runs in both directions write nothing).
 */
final class PipelineDemo {
  static final String SALESFORCE = "salesforce-demo";
  static final String MAILCHIMP = "mailchimp-demo";
  static final String TO_SALESFORCE = "contacts-to-salesforce";
  static final String FROM_SALESFORCE = "contacts-from-salesforce";
  static final String TO_MAILCHIMP = "contacts-to-mailchimp";
  static final String EDIT = "Edited in Salesforce";
  private static final Duration RUN_LIMIT = Duration.ofMinutes(10);

  private final PrintStream out;
  private final ObjectMapper json = new ObjectMapper();

  PipelineDemo(PrintStream out) {
    this.out = out;
  }

  /** The sandbox platforms the step needs: an empty Salesforce org and an empty Mailchimp audience. */
  static SalesforceSandbox salesforce() {
    return new SalesforceSandbox(SalesforceOptions.builder().counts(0, 0, 0, 0).build());
  }

  static MailchimpSandbox mailchimp() {
    return new MailchimpSandbox(MailchimpOptions.builder().membersPerList(0).build());
  }

  /**
   * The connections and pipelines of the step, for the demo's sluice.yaml; writes the mapping files
   * (shipped in the jar) to {@code dir}.
   */
  static String configSection(String hubspot, URI sandbox, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : List.of(TO_SALESFORCE, FROM_SALESFORCE, TO_MAILCHIMP)) {
      try (InputStream in = PipelineDemo.class.getResourceAsStream("demo-mappings/" + name + ".yaml")) {
        if (in == null) throw new IllegalStateException("demo mapping " + name + " is missing from the jar");
        Files.write(dir.resolve(name + ".yaml"), in.readAllBytes());
      }
    }
    return """
        pipelines:
          %s:
            from: %s/contacts
            to: %s/Contact
            mapping: %s
          %s:
            from: %s/Contact
            to: %s/contacts
            mapping: %s
          %s:
            from: %s/contacts
            to: %s/members
            mapping: %s
        """.formatted(TO_SALESFORCE, hubspot, SALESFORCE, dir.resolve(TO_SALESFORCE + ".yaml").toAbsolutePath(),
        FROM_SALESFORCE, SALESFORCE, hubspot, dir.resolve(FROM_SALESFORCE + ".yaml").toAbsolutePath(),
        TO_MAILCHIMP, hubspot, MAILCHIMP, dir.resolve(TO_MAILCHIMP + ".yaml").toAbsolutePath());
  }

  /** The two connections, to go under the demo config's {@code connections:}. */
  static String connections(URI sandbox) {
    return """
          %s:
            platform: salesforce
            base_url: %s
            token: %s
            objects: [Contact]
          %s:
            platform: mailchimp
            base_url: %s%s
            token: %s
            objects: [members]
            settings:
              list_id: %s
        """.formatted(SALESFORCE, sandbox, SalesforceOptions.DEFAULT_ACCESS_TOKEN, MAILCHIMP, sandbox, MailchimpSandbox.API_PREFIX, MailchimpOptions.DEFAULT_API_KEY,
        MailchimpOptions.DEFAULT_LIST_ID);
  }

  /** Runs the step; true when every check passed. */
  boolean run(URI server, Secret token, SluiceRuntime runtime, String hubspotConnection, HubSpotSandbox hubspot,
      SalesforceSandbox salesforce, MailchimpSandbox mailchimp) throws Exception {
    PipelineEngine engine = runtime.pipelines();
    boolean ok = true;
    // the lead step created contacts in HubSpot since the full sync: the mirror catches up first
    sync(runtime, hubspotConnection, "contacts", SyncMode.INCREMENTAL);

    PipelineRun toSf = run(server, token, engine, TO_SALESFORCE);
    Set<String> emails = new HashSet<>();
    List<SObjectRecord> contacts = salesforce.records("Contact");
    contacts.forEach(r -> emails.add(String.valueOf(r.get("Email")).toLowerCase(Locale.ROOT)));
    boolean once = !contacts.isEmpty() && contacts.size() == toSf.synced() && emails.size() == contacts.size();
    ok &= once;
    out.printf(Locale.ROOT, "     Salesforce now holds %,d contacts, one per email address  %s%n", contacts.size(), once ? "ok" : "MISMATCH");

    PipelineRun toMc = run(server, token, engine, TO_MAILCHIMP);
    int members = mailchimp.members(MailchimpOptions.DEFAULT_LIST_ID).size();
    boolean inAudience = members > 0 && members == toMc.synced();
    ok &= inAudience;
    out.printf(Locale.ROOT, "     the Mailchimp audience now holds %,d members  %s%n", members, inAudience ? "ok" : "MISMATCH");

    // Salesforce into the mirror: every contact there is what Sluice wrote, so nothing goes back
    sync(runtime, SALESFORCE, "Contact", SyncMode.FULL);
    PipelineRun back = run(server, token, engine, FROM_SALESFORCE);
    boolean quiet = back.writeCalls() == 0 && back.synced() == 0;
    ok &= quiet;
    out.printf(Locale.ROOT, "     nothing sent back to HubSpot: Sluice's own writes were recognised as echoes  %s%n", quiet ? "ok" : "MISMATCH");

    // one edit in Salesforce flows back to HubSpot once
    SObjectRecord edited = contacts.get(contacts.size() / 2);
    String email = String.valueOf(edited.get("Email"));
    salesforce.updateRecord("Contact", edited.id(), Map.of("FirstName", EDIT));
    out.printf(Locale.ROOT, "     edited in Salesforce: contact %s (%s) FirstName = \"%s\"%n", edited.id(), email, EDIT);
    sync(runtime, SALESFORCE, "Contact", SyncMode.INCREMENTAL);
    PipelineRun flowed = run(server, token, engine, FROM_SALESFORCE);
    String inHubspot = hubspot.ids(HubSpotObjectType.CONTACTS).stream()
        .map(id -> hubspot.record(HubSpotObjectType.CONTACTS, id).orElseThrow())
        .filter(r -> email.equalsIgnoreCase(r.property("email"))).map(r -> r.property("firstname")).findFirst().orElse(null);
    boolean once1 = flowed.synced() == 1 && flowed.writeCalls() == 1 && EDIT.equals(inHubspot);
    ok &= once1;
    out.printf(Locale.ROOT, "     HubSpot's contact %s now has firstname \"%s\" (1 record, 1 write call)  %s%n", email, inHubspot,
        once1 ? "ok" : "MISMATCH");

    // ...and stops: HubSpot's changed contact is Sluice's own echo, and Salesforce has nothing new
    sync(runtime, hubspotConnection, "contacts", SyncMode.INCREMENTAL);
    PipelineRun forward = run(server, token, engine, TO_SALESFORCE);
    sync(runtime, SALESFORCE, "Contact", SyncMode.INCREMENTAL);
    PipelineRun backAgain = run(server, token, engine, FROM_SALESFORCE);
    boolean stopped = forward.writeCalls() == 0 && backAgain.writeCalls() == 0;
    ok &= stopped;
    out.printf(Locale.ROOT, "     the edit stopped there: the next runs both ways wrote nothing  %s%n", stopped ? "ok" : "MISMATCH");
    return ok;
  }

  private PipelineRun run(URI server, Secret token, PipelineEngine engine, String pipeline) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(server.resolve("/v1/pipeline-runs"))
        .header("Authorization", "Bearer " + token.reveal()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"pipeline\":\"" + pipeline + "\"}")).build();
    HttpResponse<String> r;
    try (HttpClient http = HttpClient.newHttpClient()) {
      r = http.send(req, HttpResponse.BodyHandlers.ofString());
    }
    JsonNode body = json.readTree(r.body());
    if (r.statusCode() != 202 && r.statusCode() != 200) {
      throw new IllegalStateException("the API refused the pipeline run: HTTP " + r.statusCode() + " " + body.path("error").asText());
    }
    long id = body.get("run_id").asLong();
    long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
    PipelineRun run = engine.find(id).orElseThrow();
    while (run.status().active() && System.nanoTime() < deadline) {
      Thread.sleep(RunFollower.POLL_INTERVAL.toMillis()); // following a run for the operator, as RunFollower does
      run = engine.find(id).orElseThrow();
    }
    Map<String, Map<String, Long>> why = engine.breakdown(id);
    long echoes = why.getOrDefault("skipped", Map.of()).getOrDefault("echo", 0L);
    out.printf(Locale.ROOT, "     POST /v1/pipeline-runs {\"pipeline\":\"%s\"} -> run %d %s in %s: %,d selected, %,d sent in %,d write call%s,"
        + " %,d failed, %,d skipped (%,d echoes)%n", pipeline, id, run.status().wire(), took(run), run.selected(), run.synced(),
        run.writeCalls(), run.writeCalls() == 1 ? "" : "s", run.failed(), run.skipped(), echoes);
    if (run.failed() > 0) {
      var first = engine.results(id, "failed", null, 1).get(0);
      out.printf(Locale.ROOT, "     first failure: source record %s, %s: %s%n", first.sourceId(), first.reason(), first.error());
    }
    return run;
  }

  private void sync(SluiceRuntime runtime, String connection, String object, SyncMode mode) throws InterruptedException {
    SyncRun run = runtime.engine().trigger(new SyncRequest(connection, List.of(object), mode));
    long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
    while (runtime.engine().find(run.id()).orElseThrow().status().active() && System.nanoTime() < deadline) {
      Thread.sleep(RunFollower.POLL_INTERVAL.toMillis());
    }
    SyncRun done = runtime.engine().find(run.id()).orElseThrow();
    out.printf(Locale.ROOT, "     %s sync of %s/%s: run %d %s, %,d fetched%n", mode.name().toLowerCase(Locale.ROOT), connection, object,
        done.id(), done.status().wire(), done.totals().fetched());
    if (done.status() != RunStatus.COMPLETED) throw new IllegalStateException("the sync of " + connection + " did not complete: " + done.lastError());
  }

  private static String took(PipelineRun run) {
    if (run.startedAt() == null || run.finishedAt() == null) return "-";
    return String.format(Locale.ROOT, "%.1f s", Duration.between(run.startedAt(), run.finishedAt()).toMillis() / 1000.0);
  }
}
