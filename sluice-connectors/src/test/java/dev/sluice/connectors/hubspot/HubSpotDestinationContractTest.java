package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.DestinationConnectorContract;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The destination contract for HubSpot contacts upserted by {@code email} (a unique property), plus
 * updates by record id ({@code hs_object_id}) and a full batch of 100 with one 207 error.
 */
class HubSpotDestinationContractTest extends DestinationConnectorContract {

  private static HubSpotTestPortal portal;
  private static ConnectionConfig config;

  @BeforeAll
  static void start() {
    portal = new HubSpotTestPortal("conn_hsdest", HubSpotTestPortal.fastOptions(), new HubSpotDataGenerator.Spec(7, 5, 0, 0, 0, 0, 0, false));
    config = portal.connection("hubspot-dest", List.of("contacts")).build();
  }

  @AfterAll
  static void stop() {
    portal.close();
  }

  @Override
  protected Sandbox sandbox() {
    return portal.sandbox;
  }

  @Override
  protected DestinationConnector newConnector() {
    return portal.factory.destination(config);
  }

  @Override
  protected DestinationConnector newConnectorWithBadCredentials() {
    return portal.factory.destination(portal.connection("hubspot-badtoken", List.of("contacts")).token("pat-na1-not-valid", "HUBSPOT_TOKEN").build());
  }

  @Override
  protected String objectType() {
    return "contacts";
  }

  @Override
  protected String keyField() {
    return "email";
  }

  @Override
  protected Map<String, Object> goodRecord(String key) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("email", key + "@example.test");
    m.put("firstname", "First " + key);
    m.put("lastname", "Last");
    return m;
  }

  @Override
  protected Map<String, Object> badRecord(String key) {
    Map<String, Object> m = goodRecord(key);
    m.put("email", key + "@@not-an-address"); // HubSpot: INVALID_EMAIL for this record only
    return m;
  }

  @Override
  protected boolean goneOnPlatform(String id) {
    return portal.sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).map(dev.sluice.sandbox.hubspot.HubSpotRecord::archived)
        .orElse(true);
  }

  @Override
  protected int storedCount(String key) {
    int n = 0;
    for (String id : portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS)) {
      String email = portal.sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow().property("email");
      if (email != null && email.toLowerCase().startsWith(key.toLowerCase() + "@")) {
        n++;
      }
    }
    return n;
  }

  @Override
  protected String writePath() {
    return "/crm/v3/objects/contacts/batch";
  }

  @Override
  protected Duration expectedRateLimitWait() {
    return HubSpotHttp.TEN_SECONDLY_429_WAIT;
  }

  @Test
  void aFullBatchOfOneHundredWithOneBadRecordIsOneCallWithOneFailure() throws Exception {
    String run = newKey();
    try (DestinationConnector c = newConnector()) {
      List<OutboundRecord> records = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        records.add(c.mapFields("contacts", "email", i == 57 ? badRecord(run + "-" + i) : goodRecord(run + "-" + i), "r" + i));
      }
      portal.sandbox.journal().clear();
      WriteResult r = c.uploadBatch("contacts", records, "full-" + run);
      assertThat(portal.sandbox.journal().withPathPrefix("/crm/v3/objects/contacts/batch/upsert")).hasSize(1);
      assertThat(r.failures()).isEqualTo(1);
      assertThat(r.results().get(57).traceId()).isEqualTo("r57");
      assertThat(r.results().get(57).error()).contains("INVALID_EMAIL");
      assertThat(storedCount(run + "-56")).isEqualTo(1);
    }
  }

  @Test
  void anUpdateByRecordIdChangesThatRecordAndAnUnknownIdFailsAlone() throws Exception {
    String id = portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(0);
    try (DestinationConnector c = newConnector()) {
      OutboundRecord known = c.mapFields("contacts", "hs_object_id", Map.of("hs_object_id", id, "lastname", "ById"), "known");
      OutboundRecord unknown = c.mapFields("contacts", "hs_object_id", Map.of("hs_object_id", "999999999", "lastname", "Nobody"), "unknown");
      portal.sandbox.journal().clear();
      WriteResult r = c.uploadBatch("contacts", List.of(known, unknown), null);
      assertThat(portal.sandbox.journal().withPathPrefix("/crm/v3/objects/contacts/batch/update")).as("HubSpot's update by id").hasSize(1);
      assertThat(r.results().get(0).status()).isEqualTo(WriteResult.Status.UPDATED);
      assertThat(r.results().get(0).externalId()).isEqualTo(id);
      assertThat(r.results().get(1).ok()).isFalse();
      assertThat(r.results().get(1).error()).contains("OBJECT_NOT_FOUND");
      assertThat(portal.sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow().property("lastname")).isEqualTo("ById");
    }
  }
}
