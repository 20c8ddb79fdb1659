package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code mailchimp.tags} against the sandbox audience: tags set active on the event's member, so the
 * resend after a lost response sets the same tags again (a tag is there once).
 */
class MailchimpTagsContractTest extends MailchimpActionContractTest {
  @Override
  protected String kind() {
    return "mailchimp.tags";
  }

  @Override
  protected String objectId(long eventId) {
    String local = "m" + eventId;
    mailchimp().upsertMember(LIST, local + "@example.com", "subscribed", Map.of());
    return local;
  }

  @Override
  protected String action(String marker) {
    return "mailchimp.tags: {connection: vendor, email: \"{{event.object_id}}@example.com\", tags: [\"{{event.value}}\", placed]}";
  }

  @Override
  protected int effects(String marker) {
    return (int) mailchimp().members(LIST).stream().filter(m -> mailchimp().tags(LIST, m.emailAddress()).contains(marker)).count();
  }

  @Test
  void theTagsAreSetOnTheEventsMember() throws Exception {
    String marker = "wired-" + System.nanoTime();
    Job job = fire(marker, false);
    awaitState(job, JobState.COMPLETED);
    String email = json(job.payload()).path("object_id").asText() + "@example.com";
    assertThat(mailchimp().tags(LIST, email)).containsExactly(marker, "placed");
  }
}
