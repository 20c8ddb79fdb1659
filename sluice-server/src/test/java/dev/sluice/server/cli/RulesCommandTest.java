package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./sluice rules check}: every error with file, line and rule, exit 1; a good set exits 0. */
class RulesCommandTest {
  record Result(int exit, String out) {}

  static Result run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int exit = new CommandLine(new SluiceCommand()).execute(args);
      return new Result(exit, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }

  @Test
  void aBrokenFileIsReportedWithFileLineAndRuleAndExitsOne(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("deals.yaml");
    Files.writeString(file, """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            when: record.dealstage == placement
            actions:
              - sms.send: {to: ops@example.com}
        """);
    Result r = run("rules", "check", "--file", file.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains(file + ":4: rule 'deal-placed': when: CEL: ")
        .contains(file + ":6: rule 'deal-placed': unknown action 'sms.send'")
        .contains("2 error(s)");
  }

  @Test
  void theConfigsRulesAreCheckedAgainstItsSlackWorkspaces(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("deals.yaml"), """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            actions:
              - slack.post: {connection: slack-ops, channel: ops, text: "{{record.dealname}}"}
        """);
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, "rules:\n  files: [deals.yaml]\n  slack:\n    slack-ops: {bot_token: '${RULES_TEST_UNSET_TOKEN}'}\n");
    Result ok = run("rules", "check", "--config", config.toString());
    assertThat(ok.exit()).as(ok.out()).isZero();
    assertThat(ok.out()).contains("1 rule(s) in 1 file(s): OK (deal-placed)");

    Files.writeString(config, "rules:\n  files: [deals.yaml]\n");
    Result missing = run("rules", "check", "--config", config.toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.out()).contains(dir.resolve("deals.yaml") + ":5: rule 'deal-placed': slack.post: no Slack workspace 'slack-ops'");
  }

  @Test
  void segmentMailchimpAndSalesforceActionsAreCheckedAgainstTheConnectionsAndTheirArguments(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        connections:
          seg: {platform: segment, token: '${RULES_TEST_UNSET_SEGMENT}'}
          news: {platform: mailchimp, token: '${RULES_TEST_UNSET_MAILCHIMP}', settings: {list_id: a6b5da1054}}
          sf: {platform: salesforce, token: '${RULES_TEST_UNSET_SALESFORCE}'}
        rules:
          files: [vendors.yaml]
        """);
    Path rules = dir.resolve("vendors.yaml");
    Files.writeString(rules, """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            actions:
              - segment.track: {connection: seg, userId: "{{record.email}}", event: Deal Placed, properties: {deal: "{{event.object_id}}"}}
              - segment.identify: {connection: seg, anonymousId: "{{event.object_id}}", traits: {stage: "{{record.dealstage}}"}}
              - mailchimp.upsert: {connection: news, email: "{{record.email}}", status_if_new: subscribed, merge_fields: {FNAME: "{{record.firstname}}"}}
              - mailchimp.tags: {connection: news, email: "{{record.email}}", tags: {customer: active, trial: inactive}}
              - salesforce.upsert: {connection: sf, object: Contact, external_id_field: HubSpot_Id__c, external_id: "{{event.object_id}}", fields: {LastName: x}}
        """);
    Result ok = run("rules", "check", "--config", config.toString());
    assertThat(ok.exit()).as(ok.out()).isZero();

    Files.writeString(rules, """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            actions:
              - segment.track: {connection: seg, event: Deal Placed, properties: "{{record.dealname}}"}
              - segment.identify: {connection: seg, userId: "{{record.email}}", traits: [a, b]}
              - mailchimp.upsert: {connection: news, email: "{{record.email}}", status_if_new: subscribe}
              - mailchimp.tags: {connection: news, email: "{{record.email}}", tags: {customer: maybe}}
              - salesforce.upsert: {connection: sf, object: "{{record.type}}", external_id_field: Ext__c, external_id: "1", fields: {LastName: x}}
              - salesforce.upsert: {connection: sf, object: Contact, external_id: "1", fields: {Ext__c: x}}
        """);
    Result bad = run("rules", "check", "--config", config.toString());
    assertThat(bad.exit()).isEqualTo(1);
    String at = rules + ":";
    assertThat(bad.out()).contains(at + "5: rule 'deal-placed': segment.track: needs userId or anonymousId")
        .contains(at + "6: rule 'deal-placed': segment.identify: traits must be a mapping of name → value")
        .contains(at + "7: rule 'deal-placed': mailchimp.upsert: status_if_new must be one of subscribed, unsubscribed, cleaned, pending, transactional, got 'subscribe'")
        .contains(at + "8: rule 'deal-placed': mailchimp.tags: tag 'customer' must be active or inactive, got 'maybe'")
        .contains(at + "9: rule 'deal-placed': salesforce.upsert: object must be a plain Salesforce API name")
        .contains(at + "10: rule 'deal-placed': salesforce.upsert: missing argument 'external_id_field'");

    Files.writeString(rules, """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            actions:
              - segment.identify: {connection: news, userId: "{{record.email}}"}
        """);
    Result wrongConnection = run("rules", "check", "--config", config.toString());
    assertThat(wrongConnection.exit()).isEqualTo(1);
    assertThat(wrongConnection.out())
        .contains(at + "5: rule 'deal-placed': segment.identify: no Segment connection 'news' under connections in sluice.yaml (configured: seg)");
  }

  @Test
  void emailSendIsCheckedAgainstTheConfigsSmtpConnections(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("deals.yaml"), """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            actions:
              - email.send: {connection: mail, to: "{{record.email}}", subject: "{{record.dealname}} placed", text: "Hello"}
              - email.send: {connection: mail, to: "ops@agency.example", text: "no subject"}
        """);
    Path config = dir.resolve("sluice.yaml");
    String smtp = "rules:\n  files: [deals.yaml]\n  smtp:\n    mail: {host: smtp.example.com, username: '${RULES_TEST_UNSET_USER}', "
        + "password: '${RULES_TEST_UNSET_PASSWORD}', from: 'ops@agency.example'}\n";
    Files.writeString(config, smtp);
    Result r = run("rules", "check", "--config", config.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains(dir.resolve("deals.yaml") + ":6: rule 'deal-placed': email.send: missing argument 'subject'").contains("1 error(s)");

    Files.writeString(dir.resolve("deals.yaml"), """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            actions:
              - email.send: {connection: mail, to: "{{record.email}}", subject: "{{record.dealname}} placed", text: "Hello"}
        """);
    Result ok = run("rules", "check", "--config", config.toString());
    assertThat(ok.exit()).as(ok.out()).isZero();

    Files.writeString(config, "rules:\n  files: [deals.yaml]\n");
    Result missing = run("rules", "check", "--config", config.toString());
    assertThat(missing.out()).contains(dir.resolve("deals.yaml") + ":5: rule 'deal-placed': email.send: no SMTP connection 'mail' under rules.smtp");

    Files.writeString(config, smtp.replace("host: smtp.example.com", "host: smtp.example.com, tls: none"));
    Result plain = run("rules", "check", "--config", config.toString());
    assertThat(plain.exit()).isNotZero();
  }

  @Test
  void rulesTestTriesAFileOnStoredEventsAndTheShadowReportAndExplainReadTheLog(@TempDir Path dir) throws Exception {
    try (dev.sluice.postgres.TestDatabase db = dev.sluice.postgres.TestDatabase.create("rules_cli")) {
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(config, "database:\n  url: " + db.jdbcUrl() + "\n");
      Result empty = run("rules", "shadow-report", "--config", config.toString(), "--since", "7d"); // also migrates the database
      assertThat(empty.exit()).as(empty.out()).isZero();
      assertThat(empty.out()).contains("(no decisions in that period)");
      try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
        st.execute("INSERT INTO sluice.inbound_request (id, source, connection, received_at, headers, body, verification, event_count)"
            + " VALUES (1, 'hubspot', 'hs', now(), '{}', ''::bytea, 'test', 2)");
        st.execute("INSERT INTO sluice.inbound_event (request_id, source, connection, provider_event_id, type, object_type, object_id,"
            + " property_name, property_value, occurred_at, received_at, payload) VALUES"
            + " (1, 'hubspot', 'hs', '1', 'deal.propertyChange', 'deals', '77', 'dealstage', 'placement', now(), now() - interval '2 hours', '{}'),"
            + " (1, 'hubspot', 'hs', '2', 'deal.propertyChange', 'deals', '78', 'dealstage', 'closedlost', now(), now() - interval '1 hour', '{}')");
      }
      Path rules = dir.resolve("deals.yaml");
      Files.writeString(rules, """
          rules:
            deal-placed:
              on: hs/deal.propertyChange
              when: record.dealstage == "placement"
              dedupe: '"deal:" + event.object_id + ":" + isoWeek(event.occurred_at)'
              actions:
                - http.request: {url: "https://erp.example/invoices", body: {deal: "{{event.object_id}}"}}
          """);
      Result test = run("rules", "test", "--config", config.toString(), "--file", rules.toString(), "--since", "1d");
      assertThat(test.exit()).as(test.out()).isZero();
      assertThat(test.out()).contains("deal.propertyChange deals/77  deal-placed: WOULD FIRE http.request (key deal:77:")
          .doesNotContain("deals/78  deal-placed")
          .contains("2 stored event(s) since").contains("2 evaluation(s), 1 would fire")
          .containsPattern("deal-placed +\\{enqueued=1, no-match=1\\}");
      Result all = run("rules", "test", "--config", config.toString(), "--file", rules.toString(), "--since", "1d", "--all");
      assertThat(all.out()).contains("deals/78  deal-placed: no-match — record.dealstage == \"placement\"");
      Result still = run("rules", "shadow-report", "--config", config.toString(), "--json");
      assertThat(still.out()).as("a dry run logs nothing").contains("\"rules\" : [ ]");
      Result explain = run("explain", "event", "1", "--config", config.toString());
      assertThat(explain.exit()).isZero();
      assertThat(explain.out()).contains("event 1: no rule listened to it");
    }
  }
}
