package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.salesforce.SObjectRecord;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code salesforce.upsert} against the sandbox org: a Contact upserted by {@code External_Id__c}, so
 * the resend after a lost response updates the record the first request created.
 */
class SalesforceUpsertContractTest extends ConnectorActionContractTest {
  private String token = SalesforceOptions.DEFAULT_ACCESS_TOKEN;

  @Override
  protected String kind() {
    return "salesforce.upsert";
  }

  @Override
  protected void startDestination() {
    sandbox = Sandbox.builder().port(0).clock(clock).platform(new SalesforceSandbox(SalesforceOptions.builder().counts(1, 1, 1, 1).build())).start();
  }

  @Override
  protected ConnectionConfig.Builder connection(URI base) {
    // The daily allocation as a bucket of 30 a minute: a spent bucket means a wait longer than the limiter's 2 s.
    return ConnectionConfig.builder(CONNECTION, "salesforce").baseUrl(base).token(token, "SALESFORCE_TOKEN")
        .limit("daily", RateLimitSpec.of(30, Duration.ofMinutes(1)));
  }

  @Override
  protected AutoCloseable spendTheSharedBudget(ConnectorFactory pipelineSide, ConnectionConfig config) {
    return spendBucket(pipelineSide, config, "daily");
  }

  @Override
  protected String action(String marker) {
    return "salesforce.upsert: {connection: vendor, object: Contact, external_id_field: External_Id__c, external_id: \"{{event.value}}\","
        + " fields: {LastName: \"Owner of deal {{event.object_id}}\", Email: \"{{event.value}}@example.com\"}}";
  }

  SalesforceSandbox salesforce() {
    return sandbox.platform(SalesforceSandbox.class);
  }

  @Override
  protected int effects(String marker) {
    return (int) salesforce().records("Contact").stream().filter(r -> marker.equals(r.get("External_Id__c"))).count();
  }

  @Override
  protected FaultProxy.Answer rejection() {
    return new FaultProxy.Answer(400, Map.of("Content-Type", "application/json"),
        "[{\"message\":\"contract_rejected: Email: invalid email address\",\"errorCode\":\"INVALID_EMAIL_ADDRESS\",\"fields\":[\"Email\"]}]");
  }

  @Test
  void theRecordHasTheTemplatedFields() throws Exception {
    String marker = "wired-" + System.nanoTime();
    Job job = fire(marker, false);
    awaitState(job, JobState.COMPLETED);
    JsonNode result = json(queue.find(job.id()).orElseThrow().progress()).path("result");
    SObjectRecord r = salesforce().record("Contact", result.path("id").asText()).orElseThrow();
    assertThat(r.get("LastName")).isEqualTo("Owner of deal " + json(job.payload()).path("object_id").asText());
    assertThat(r.get("Email")).isEqualTo(marker + "@example.com");
    assertThat(result.path("created").asBoolean()).isTrue();
  }

  @Test
  void aRecordWithTheExternalIdIsUpdatedNotDuplicated() throws Exception {
    String marker = "existing-" + System.nanoTime();
    SObjectRecord existing = salesforce().createRecord("Contact", Map.of("LastName", "Before", "External_Id__c", marker));
    Job job = fire(marker, false);
    awaitState(job, JobState.COMPLETED);
    JsonNode result = json(queue.find(job.id()).orElseThrow().progress()).path("result");
    assertThat(result.path("created").asBoolean()).isFalse();
    assertThat(salesforce().record("Contact", existing.id()).orElseThrow().get("LastName")).asString().startsWith("Owner of deal ");
    assertThat(effects(marker)).isEqualTo(1);
  }

  @Test
  void anExpiredSessionIsDeadAtOnceWithAClearError() throws Exception {
    token = "00DSx0000000001!expired";
    try {
      String marker = "session-" + System.nanoTime();
      Job job = fire(marker, false);
      awaitState(job, JobState.DEAD);
      Job dead = queue.find(job.id()).orElseThrow();
      assertThat(dead.attempt()).isEqualTo(1);
      assertThat(dead.lastError()).contains("INVALID_SESSION_ID").contains("expired or was revoked").contains("SALESFORCE_TOKEN");
      assertThat(json(dead.progress()).path("response").path("status").asInt()).isEqualTo(401);
      assertThat(effects(marker)).isZero();
    } finally {
      token = SalesforceOptions.DEFAULT_ACCESS_TOKEN;
    }
  }
}
