package dev.sluice.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mailchimp unsubscribes propagated to HubSpot as configured, against the sandbox: one pipeline sets
 * a field on the person's HubSpot contact when the member unsubscribes, another deletes the contact;
 * a member unsubscribed before any push of it is not created by the deleting one, and once handled
 * an unsubscribe sends nothing more.
 */
class UnsubscribeTest {
  static final String LIST = MailchimpOptions.DEFAULT_LIST_ID;
  static final String MAPPING = """
      fields:
        email: {from: source.email_address, type: email, required: true}
        firstname: source.FNAME
        lastname: {from: source.LNAME, default: "Unknown"}
      """;

  TestDatabase db;
  MailchimpSandbox mailchimp;
  Sandbox sandbox;
  PipelineFixture fx;

  @BeforeEach
  void start() throws Exception {
    db = TestDatabase.create("pipelines_unsubscribe", 12);
    mailchimp = new MailchimpSandbox(MailchimpOptions.builder().membersPerList(0).build());
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().customLimits(20_000, 50_000_000).searchPerSecond(200).build())
        .platform(mailchimp).start();
    for (String p : List.of("ann", "bob", "cat")) {
      mailchimp.upsertMember(LIST, p + "@example.com", "subscribed", Map.of("FNAME", p.toUpperCase(), "LNAME", "Chimp"));
    }
    fx = new PipelineFixture(db.dataSource());
    fx.hubspot("hubspot-main", sandbox.baseUrl(), sandbox.hubspot().token());
    fx.mailchimp("mailchimp-main", sandbox.baseUrl() + MailchimpSandbox.API_PREFIX, mailchimp.options().apiKey(), LIST);
    fx.pipelines(db.dataSource(),
        new Pipeline("mc-set", "mailchimp-main", "members", "hubspot-main", "contacts", "email", Mapping.parse(MAPPING, "mc-set.yaml"),
            0, null, false, Unsubscribes.setting(Map.of("hs_lead_status", "UNQUALIFIED"))),
        new Pipeline("mc-delete", "mailchimp-main", "members", "hubspot-main", "contacts", "email",
            Mapping.parse(MAPPING, "mc-delete.yaml"), 0, null, false, Unsubscribes.deleting()));
  }

  @AfterEach
  void stop() {
    if (fx != null) fx.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  @Test
  void anUnsubscribedMemberSetsTheConfiguredFieldOrDeletesTheContactOnce() {
    fx.syncToEnd("mailchimp-main", "members", SyncMode.FULL);
    assertThat(fx.runToEnd("mc-set").synced()).isEqualTo(3);
    assertThat(fx.runToEnd("mc-delete").synced()).as("the same contacts, upserted by email").isEqualTo(3);
    assertThat(sandbox.hubspot().count(HubSpotObjectType.CONTACTS)).isEqualTo(3);
    assertThat(contact("bob").orElseThrow().property("hs_lead_status")).isNullOrEmpty();

    mailchimp.upsertMember(LIST, "bob@example.com", "unsubscribed", null);
    mailchimp.upsertMember(LIST, "dan@example.com", "unsubscribed", Map.of("FNAME", "DAN", "LNAME", "Chimp"));
    fx.syncToEnd("mailchimp-main", "members", SyncMode.FULL);

    // the field rule: bob's contact gets the configured value; dan is pushed with it
    PipelineRun set = fx.runToEnd("mc-set");
    assertThat(set.status()).as("%s", set).isEqualTo(PipelineRunStatus.COMPLETED);
    assertThat(set.synced()).isEqualTo(2);
    assertThat(contact("bob").orElseThrow().property("hs_lead_status")).isEqualTo("UNQUALIFIED");
    assertThat(contact("bob").orElseThrow().property("firstname")).isEqualTo("BOB");
    assertThat(contact("dan").orElseThrow().property("hs_lead_status")).isEqualTo("UNQUALIFIED");
    assertThat(contact("ann").orElseThrow().property("hs_lead_status")).isNullOrEmpty();

    // the delete rule: bob's contact (which it pushed) is deleted; dan, never pushed by it, is not sent
    PipelineRun deleted = fx.runToEnd("mc-delete");
    assertThat(deleted.status()).as("%s", deleted).isEqualTo(PipelineRunStatus.COMPLETED);
    assertThat(fx.engine.breakdown(deleted.id()).get("synced")).containsEntry("deleted", 1L);
    assertThat(fx.engine.breakdown(deleted.id()).get("skipped")).containsEntry("unsubscribed", 1L);
    assertThat(deleted.writeCalls()).isEqualTo(1);
    assertThat(contact("bob")).as("bob's contact archived").isEmpty();
    assertThat(contact("ann")).isPresent();
    assertThat(contact("cat")).isPresent();

    // handled: nothing more is sent by either
    fx.syncToEnd("mailchimp-main", "members", SyncMode.FULL);
    assertThat(fx.runToEnd("mc-set").writeCalls()).isZero();
    assertThat(fx.runToEnd("mc-delete").writeCalls()).isZero();
  }

  /** The live (not archived) HubSpot contact of {@code person}. */
  Optional<HubSpotRecord> contact(String person) {
    String email = person + "@example.com";
    return sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).stream()
        .map(id -> sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow())
        .filter(r -> !r.archived() && email.equals(r.property("email"))).findFirst();
  }
}
