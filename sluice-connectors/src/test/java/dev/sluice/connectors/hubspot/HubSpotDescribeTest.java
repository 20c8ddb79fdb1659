package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.FieldMappingException;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** describe() from the properties API, mapFields() against it, upsert by email and by record id. */
class HubSpotDescribeTest {

  private static HubSpotTestPortal portal;
  private static ConnectionConfig config;

  @BeforeAll
  static void start() {
    portal = new HubSpotTestPortal("conn_hsdescribe", HubSpotTestPortal.fastOptions(),
        new HubSpotDataGenerator.Spec(12, 5, 0, 0, 0, 0, 0, false));
    config = portal.connection("hubspot-describe", List.of("contacts")).build();
  }

  @AfterAll
  static void stop() {
    portal.close();
  }

  @Test
  void describeReadsThePropertiesApiOnce() throws Exception {
    portal.sandbox.journal().clear();
    try (DestinationConnector dst = portal.factory.destination(config)) {
      ObjectSchema s = dst.describe("contacts");
      assertThat(s.openEnded()).isFalse();
      assertThat(s.field("email").orElseThrow().type()).isEqualTo(ObjectSchema.FieldType.STRING);
      assertThat(s.field("email").orElseThrow().label()).isEqualTo("Email");
      assertThat(s.field("hs_object_id").orElseThrow().type()).isEqualTo(ObjectSchema.FieldType.ID);
      assertThat(s.field("hs_object_id").orElseThrow().writable()).isFalse();
      assertThat(s.field("createdate").orElseThrow().type()).isEqualTo(ObjectSchema.FieldType.DATETIME);
      assertThat(s.field("lifecyclestage").orElseThrow().options()).contains("lead", "customer");
      dst.describe("contacts");
    }
    assertThat(portal.sandbox.journal().withPathPrefix("/crm/v3/properties/contacts")).hasSize(1);
  }

  @Test
  void mapFieldsChecksEveryFieldAndUpsertsByEmailOrById() throws Exception {
    try (DestinationConnector dst = portal.factory.destination(config)) {
      Map<String, Object> bad = new LinkedHashMap<>();
      bad.put("email", "mapped.one@example.test");
      bad.put("lifecyclestage", "astronaut");
      bad.put("hs_object_id", "1");
      assertThatThrownBy(() -> dst.mapFields("contacts", "email", bad, "t0")).isInstanceOfSatisfying(FieldMappingException.class,
          e -> assertThat(e.errors()).extracting(FieldMappingException.FieldError::field).containsExactly("lifecyclestage", "hs_object_id"));
      assertThatThrownBy(() -> dst.mapFields("contacts", "firstname", Map.of("firstname", "A"), null))
          .isInstanceOf(FieldMappingException.class).hasMessageContaining("not a unique property");

      OutboundRecord byEmail = dst.mapFields("contacts", "email",
          Map.of("email", "mapped.one@example.test", "firstname", "Mapped", "lifecyclestage", "LEAD"), "t1");
      assertThat(byEmail.idProperty()).isEqualTo("email");
      assertThat(byEmail.properties()).containsEntry("lifecyclestage", "lead");
      WriteResult r = dst.uploadBatch("contacts", List.of(byEmail), null);
      assertThat(r.results().get(0).status()).isEqualTo(WriteResult.Status.CREATED);
      String id = r.results().get(0).externalId();

      OutboundRecord byId = dst.mapFields("contacts", "hs_object_id", Map.of("hs_object_id", Long.parseLong(id), "lastname", "ById"), "t2");
      assertThat(byId.properties()).doesNotContainKey("hs_object_id");
      WriteResult again = dst.uploadBatch("contacts", List.of(byId), null);
      assertThat(again.results().get(0).status()).isEqualTo(WriteResult.Status.UPDATED);
      assertThat(portal.sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow().property("lastname")).isEqualTo("ById");
    }
  }
}
