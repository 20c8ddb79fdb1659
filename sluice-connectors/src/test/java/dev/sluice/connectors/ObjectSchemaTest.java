package dev.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.ObjectSchema.Field;
import dev.sluice.connectors.ObjectSchema.FieldType;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Values checked and converted against a schema; the default error policy. */
class ObjectSchemaTest {

  static final ObjectSchema CONTACT = new ObjectSchema("Contact", List.of(
      new Field("LastName", "Last Name", FieldType.STRING, true, false, true, List.of()),
      Field.of("Email", "Email", FieldType.STRING),
      Field.of("NumberOfEmployees", "Employees", FieldType.NUMBER),
      Field.of("HasOptedOutOfEmail", "Email Opt Out", FieldType.BOOLEAN),
      Field.of("Birthdate", "Birthdate", FieldType.DATE),
      Field.of("Last_Seen__c", "Last Seen", FieldType.DATETIME),
      new Field("LeadSource", "Lead Source", FieldType.ENUMERATION, false, false, true, List.of("Web", "Marketing Site")),
      new Field("Id", "Contact ID", FieldType.ID, false, true, false, List.of())), false);

  @Test
  void valuesAreConvertedToTheFieldsTypes() throws Exception {
    Map<String, Object> in = new HashMap<>();
    in.put("LastName", "Ada");
    in.put("NumberOfEmployees", 12.0);
    in.put("HasOptedOutOfEmail", "yes");
    in.put("Birthdate", "1815-12-10T00:00:00Z");
    in.put("Last_Seen__c", 1767225600000L);
    in.put("LeadSource", "marketing site");
    in.put("Email", null);
    Map<String, String> out = CONTACT.check(in, true);
    assertThat(out).containsEntry("LastName", "Ada").containsEntry("NumberOfEmployees", "12")
        .containsEntry("HasOptedOutOfEmail", "true").containsEntry("Birthdate", "1815-12-10")
        .containsEntry("Last_Seen__c", "2026-01-01T00:00:00Z").containsEntry("LeadSource", "Marketing Site")
        .containsEntry("Email", null);
    assertThat(CONTACT.check(Map.of("NumberOfEmployees", new BigDecimal("1.50")), false)).containsEntry("NumberOfEmployees", "1.5");
    assertThat(CONTACT.check(Map.of("Last_Seen__c", "2026-01-15T10:30:00.000+0000"), false))
        .containsEntry("Last_Seen__c", "2026-01-15T10:30:00Z");
  }

  @Test
  void everyBadFieldIsReportedWithItsValueAndNothingIsReturned() {
    Map<String, Object> in = new HashMap<>();
    in.put("NumberOfEmployees", "many");
    in.put("LeadSource", "Fax");
    in.put("Nope__c", "x");
    in.put("Id", "003000000000001AAA");
    assertThatThrownBy(() -> CONTACT.check(in, true)).isInstanceOfSatisfying(FieldMappingException.class, e -> {
      assertThat(e.errors()).extracting(FieldMappingException.FieldError::field)
          .containsExactlyInAnyOrder("NumberOfEmployees", "LeadSource", "Nope__c", "Id", "LastName");
      assertThat(e.errors()).anySatisfy(x -> {
        assertThat(x.field()).isEqualTo("NumberOfEmployees");
        assertThat(x.value()).isEqualTo("many");
        assertThat(x.reason()).isEqualTo("is not a number");
      });
      assertThat(e.getMessage()).contains("LeadSource = 'Fax': is not one of Web, Marketing Site");
    });
  }

  @Test
  void requiredFieldsAreCheckedOnlyWhenTheRecordMayBeCreated() throws Exception {
    assertThat(CONTACT.check(Map.of("Email", "a@b.test"), false)).containsEntry("Email", "a@b.test");
    assertThatThrownBy(() -> CONTACT.check(Map.of("Email", "a@b.test"), true)).isInstanceOf(FieldMappingException.class)
        .hasMessageContaining("LastName = null: is required");
  }

  @Test
  void anOpenEndedSchemaTakesUnknownFieldsAsText() throws Exception {
    ObjectSchema traits = new ObjectSchema("identify", List.of(Field.of("email", "Email", FieldType.STRING)), true);
    assertThat(traits.check(Map.of("plan", "pro", "seats", 3), true)).containsEntry("plan", "pro").containsEntry("seats", "3");
  }

  @Test
  void theDefaultErrorPolicyFollowsTheKind() {
    assertThat(ErrorAction.byKind(ConnectorException.rateLimited("429", Duration.ofSeconds(7), 429), 1))
        .isEqualTo(new ErrorAction(ErrorAction.Decision.SNOOZE, Duration.ofSeconds(7), "429"));
    ErrorAction retry = ErrorAction.byKind(ConnectorException.retryable("503", 503, null), 3);
    assertThat(retry.decision()).isEqualTo(ErrorAction.Decision.RETRY);
    assertThat(retry.delay()).isEqualTo(Duration.ofSeconds(4));
    assertThat(ErrorAction.byKind(ConnectorException.retryable("503", 503, null), ErrorAction.MAX_ATTEMPTS).decision())
        .isEqualTo(ErrorAction.Decision.FAIL_BATCH);
    assertThat(ErrorAction.byKind(ConnectorException.malformed("junk", null), ErrorAction.MAX_MALFORMED_ATTEMPTS).decision())
        .isEqualTo(ErrorAction.Decision.FAIL_BATCH);
    assertThat(ErrorAction.byKind(ConnectorException.auth("401", 401), 1).decision()).isEqualTo(ErrorAction.Decision.STOP);
    assertThat(ErrorAction.byKind(ConnectorException.permanentBatch("400", 400), 1).decision()).isEqualTo(ErrorAction.Decision.FAIL_BATCH);
    assertThat(ErrorAction.backoff(30)).isEqualTo(ErrorAction.MAX_BACKOFF);
  }
}
