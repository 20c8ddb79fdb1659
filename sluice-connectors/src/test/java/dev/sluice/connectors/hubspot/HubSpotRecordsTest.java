package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing of answers shaped exactly like the reference's HubSpot examples. */
class HubSpotRecordsTest {

  private static JsonNode json(String s) throws Exception {
    return HubSpotHttp.JSON.readTree(s);
  }

  @Test
  void listPageWithNullsAndCursor() throws Exception {
    JsonNode body = json("""
        {"results":[{"id":"512","properties":{"email":"a@b.com","hs_object_id":"512","lastmodifieddate":"2024-09-11T13:27:39.356Z","phone":null},
          "createdAt":"2024-01-02T10:00:00.000Z","updatedAt":"2024-09-11T13:27:39.356Z","archived":false,
          "associations":{"companies":{"results":[{"id":"88","type":"contact_to_company"}]}}}],
         "paging":{"next":{"after":"513","link":"https://api.hubapi.com/crm/v3/objects/contacts?after=513"}}}""");
    List<JsonNode> results = HubSpotRecords.results(body);
    HubSpotRecords.RawRecord r = HubSpotRecords.record(results.get(0));
    assertThat(r.id()).isEqualTo("512");
    assertThat(r.properties()).containsEntry("email", "a@b.com").containsEntry("phone", null);
    assertThat(r.updatedAt()).isEqualTo(Instant.parse("2024-09-11T13:27:39.356Z"));
    assertThat(HubSpotRecords.nextAfter(body)).isEqualTo("513");
    assertThat(HubSpotRecords.nextAfter(json("{\"results\":[]}"))).isNull();
  }

  @Test
  void opaqueCursorIsKeptVerbatim() throws Exception {
    assertThat(HubSpotRecords.nextAfter(json("{\"results\":[],\"paging\":{\"next\":{\"after\":\"NTI1Cg%3D%3D\"}}}")))
        .isEqualTo("NTI1Cg%3D%3D");
  }

  @Test
  void idsBeyondTwoToTheThirtyTwoAsNumbersOrStrings() throws Exception {
    assertThat(HubSpotRecords.id(json("98765432109"))).isEqualTo("98765432109");
    assertThat(HubSpotRecords.id(json("18446744073709551617"))).isEqualTo("18446744073709551617");
    assertThat(HubSpotRecords.id(json("\"98765432109\""))).isEqualTo("98765432109");
  }

  @Test
  void v4BatchReadWith207NoAssociationsAndNumericOrStringTargets() throws Exception {
    JsonNode body = json("""
        {"status":"COMPLETE","results":[
           {"from":{"id":"1"},"to":[{"toObjectId":98765432109,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]},
                                    {"toObjectId":"2","associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":1,"label":null}]}]},
           {"from":{"id":"3"},"to":[{"toObjectId":4,"associationTypes":[]}],"paging":{"next":{"after":"MTA%3D"}}}],
         "numErrors":1,
         "errors":[{"status":"error","category":"OBJECT_NOT_FOUND","subCategory":"crm.associations.NO_ASSOCIATIONS_FOUND",
                    "message":"No contacts is associated to company 5.","context":{"fromObjectId":["5"]}}],
         "startedAt":"2024-01-01T00:00:00Z","completedAt":"2024-01-01T00:00:01Z"}""");
    assertThat(HubSpotRecords.onlyMissingAssociations(body)).isTrue();
    Map<String, String> paged = new LinkedHashMap<>();
    Map<String, List<String>> assoc = HubSpotRecords.associations(body, paged);
    assertThat(assoc).containsEntry("1", List.of("98765432109", "2")).containsEntry("3", List.of("4")).doesNotContainKey("5");
    assertThat(paged).containsExactly(Map.entry("3", "MTA%3D"));
  }

  @Test
  void otherPartialErrorsAreNotTakenAsNone() throws Exception {
    JsonNode body = json("{\"results\":[],\"errors\":[{\"status\":\"error\",\"category\":\"INTERNAL_ERROR\",\"message\":\"x\"}]}");
    assertThat(HubSpotRecords.onlyMissingAssociations(body)).isFalse();
  }

  @Test
  void missingResultsIsAShapeError() throws Exception {
    assertThatThrownBy(() -> HubSpotRecords.results(json("{\"status\":\"ok\"}")))
        .isInstanceOf(HubSpotRecords.ShapeException.class).hasMessageContaining("results");
  }

  @Test
  void datetimesAsIsoOrEpochMillis() {
    assertThat(HubSpotRecords.instant("1718000000000")).isEqualTo(Instant.ofEpochMilli(1_718_000_000_000L));
    assertThat(HubSpotRecords.instant("2024-09-11T13:27:39.356Z")).isEqualTo(Instant.parse("2024-09-11T13:27:39.356Z"));
    assertThat(HubSpotRecords.instant("2024-09-11T13:27:39.356+02:00")).isEqualTo(Instant.parse("2024-09-11T11:27:39.356Z"));
    assertThat(HubSpotRecords.instant("yesterday")).isNull();
  }
}
