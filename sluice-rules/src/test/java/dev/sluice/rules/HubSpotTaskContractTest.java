package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import org.junit.jupiter.api.Test;

/** {@code hubspot.task}: a task with owner and an association to the event's deal. */
class HubSpotTaskContractTest extends HubSpotActionContractTest {
  @Override
  protected String kind() {
    return "hubspot.task";
  }

  @Override
  protected String action(String marker) {
    return "hubspot.task: {connection: crm, subject: \"Invoice deal {{event.object_id}} " + marker + "\", owner: \"77\", associate: deal,"
        + " priority: HIGH, due: \"2026-12-10T09:00:00Z\"}";
  }

  @Override
  protected int effects(String marker) {
    return count(HubSpotObjectType.TASKS, "hs_task_subject", marker);
  }

  @Test
  void theTaskHasItsOwnerItsDueDateAndIsAssociatedToTheDeal() throws Exception {
    Job job = fire("wired-1", false);
    awaitState(job, JobState.COMPLETED);
    String taskId = json(queue.find(job.id()).orElseThrow().progress()).path("result").path("id").asText();
    HubSpotRecord task = sandbox.hubspot().record(HubSpotObjectType.TASKS, taskId).orElseThrow();
    String deal = json(job.payload()).path("object_id").asText();
    assertThat(task.property("hubspot_owner_id")).isEqualTo("77");
    assertThat(task.property("hs_task_priority")).isEqualTo("HIGH");
    assertThat(task.property("hs_timestamp")).startsWith("2026-12-10T09:00:00");
    assertThat(task.property(HubSpotActions.DEDUPE_PROPERTY)).isEqualTo(json(job.payload()).path("dedupe_key").asText());
    assertThat(task.associated(HubSpotObjectType.DEALS)).containsExactly(deal);
  }
}
