package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The write side against the sandbox: batch upsert, tasks, default associations. */
class HubSpotWriteTest {

  private static HubSpotTestPortal portal;
  private static ConnectionConfig config;

  @BeforeAll
  static void start() {
    portal = new HubSpotTestPortal("conn_write", HubSpotTestPortal.fastOptions(),
        new HubSpotDataGenerator.Spec(11, 20, 5, 0, 0, 0, 0, false));
    config = portal.connection("hubspot-write", List.of("contacts", "companies")).build();
  }

  @AfterAll
  static void stop() {
    portal.close();
  }

  @Test
  void batchUpsertByEmailReportsCreatedAndUpdatedPerRecord() throws Exception {
    HubSpotRecord existing = portal.sandbox.hubspot().record(HubSpotObjectType.CONTACTS,
        portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(0)).orElseThrow();
    String email = existing.property("email");
    portal.sandbox.journal().clear();
    try (DestinationConnector dst = portal.factory.destination(config)) {
      assertThat(dst.maxBatchSize()).isEqualTo(100);
      WriteResult r = dst.uploadBatch("contacts", List.of(
          OutboundRecord.upsert("email", "new.person@example.test", Map.of("firstname", "New")),
          OutboundRecord.upsert("email", email, Map.of("lastname", "Upserted"))), "lead-batch-1");
      assertThat(r.results()).extracting(WriteResult.RecordResult::status)
          .containsExactly(WriteResult.Status.CREATED, WriteResult.Status.UPDATED);
      assertThat(r.results().get(1).externalId()).isEqualTo(existing.id());
      String newId = r.results().get(0).externalId();
      assertThat(portal.sandbox.hubspot().record(HubSpotObjectType.CONTACTS, newId).orElseThrow().property("firstname")).isEqualTo("New");
      assertThat(portal.sandbox.hubspot().record(HubSpotObjectType.CONTACTS, existing.id()).orElseThrow().property("lastname"))
          .isEqualTo("Upserted");
    }
    List<RecordedRequest> upserts = portal.sandbox.journal().withPathPrefix("/crm/v3/objects/contacts/batch/upsert");
    assertThat(upserts).hasSize(1);
    assertThat(upserts.get(0).header("Idempotency-Key")).isEqualTo("lead-batch-1");
  }

  @Test
  void anInvalidEmailFailsThatRecordOnlyAndStoresNoContact() throws Exception {
    int before = portal.sandbox.hubspot().count(HubSpotObjectType.CONTACTS);
    try (DestinationConnector dst = portal.factory.destination(config)) {
      WriteResult r = dst.uploadBatch("contacts", List.of(
          OutboundRecord.upsert("email", "valid.person@example.test", Map.of("firstname", "Valid")),
          OutboundRecord.upsert("email", "not-an-address", Map.of("firstname", "Invalid"))), "lead-batch-2");
      assertThat(r.results()).extracting(WriteResult.RecordResult::status)
          .containsExactly(WriteResult.Status.CREATED, WriteResult.Status.FAILED);
      WriteResult.RecordResult failed = r.results().get(1);
      assertThat(failed.errorKind()).isEqualTo(dev.sluice.connectors.ConnectorException.Kind.PERMANENT_RECORD);
      assertThat(failed.error()).contains("INVALID_EMAIL");
    }
    assertThat(portal.sandbox.hubspot().count(HubSpotObjectType.CONTACTS)).isEqualTo(before + 1);
  }

  @Test
  void batchesAboveTheMaximumAreRefusedBeforeAnyCall() {
    List<OutboundRecord> many = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      many.add(OutboundRecord.upsert("email", "p" + i + "@example.test", Map.of()));
    }
    try (DestinationConnector dst = portal.factory.destination(config)) {
      assertThatThrownBy(() -> dst.uploadBatch("contacts", many, null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at most 100");
    }
  }

  @Test
  void taskIsCreatedAssociatedToItsContact() throws Exception {
    String contact = portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(3);
    HubSpotConnector hs = portal.factory.hubspot(config);
    String taskId = hs.createTask(contact, "Call back", Instant.parse("2026-07-01T09:00:00Z"),
        Map.of("hs_task_priority", "HIGH", "hs_task_type", "CALL"), "task-key-1");
    HubSpotRecord task = portal.sandbox.hubspot().record(HubSpotObjectType.TASKS, taskId).orElseThrow();
    assertThat(task.property("hs_task_subject")).isEqualTo("Call back");
    assertThat(task.property("hs_task_priority")).isEqualTo("HIGH");
    assertThat(task.associated(HubSpotObjectType.CONTACTS)).containsExactly(contact);
  }

  @Test
  void defaultAssociationIsCreated() throws Exception {
    String contact = portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(7);
    String company = portal.sandbox.hubspot().ids(HubSpotObjectType.COMPANIES).get(4);
    portal.factory.hubspot(config).associateDefault("contacts", contact, "companies", company);
    assertThat(portal.sandbox.hubspot().record(HubSpotObjectType.CONTACTS, contact).orElseThrow()
        .associated(HubSpotObjectType.COMPANIES)).contains(company);
  }
}
