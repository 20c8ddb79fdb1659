package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.sandbox.mailchimp.MailchimpMember;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code mailchimp.upsert} against the sandbox audience: a member upserted by email (its subscriber
 * hash), so the resend after a lost response writes the same member again.
 */
class MailchimpUpsertContractTest extends MailchimpActionContractTest {
  @Override
  protected String kind() {
    return "mailchimp.upsert";
  }

  @Override
  protected String action(String marker) {
    return "mailchimp.upsert: {connection: vendor, email: \"{{event.value}}@example.com\", status_if_new: subscribed,"
        + " merge_fields: {FNAME: \"Owner\", LNAME: \"of deal {{event.object_id}}\"}}";
  }

  @Override
  protected int effects(String marker) {
    return (int) mailchimp().members(LIST).stream().filter(m -> m.emailAddress().equalsIgnoreCase(marker + "@example.com")).count();
  }

  @Test
  void theMemberHasTheTemplatedMergeFieldsAndKeepsItsStatusWhenItExists() throws Exception {
    String marker = "wired-" + System.nanoTime();
    mailchimp().upsertMember(LIST, marker + "@example.com", "unsubscribed", Map.of("FNAME", "Before"));
    Job job = fire(marker, false);
    awaitState(job, JobState.COMPLETED);
    MailchimpMember m = mailchimp().member(LIST, marker + "@example.com").orElseThrow();
    assertThat(m.status()).isEqualTo("unsubscribed"); // status_if_new applies to new members only
    assertThat(m.mergeFields()).containsEntry("FNAME", "Owner").containsEntry("LNAME", "of deal " + json(job.payload()).path("object_id").asText());
    assertThat(json(queue.find(job.id()).orElseThrow().progress()).path("result").path("id").asText()).isEqualTo(m.id());
    assertThat(effects(marker)).isEqualTo(1);
  }
}
