package dev.sluice.sandbox.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoqlParserTest {

  /** A Wednesday; the org's weeks start on Sunday 2026-03-08. */
  private static final Instant NOW = Instant.parse("2026-03-11T15:00:00Z");

  private static SoqlQuery parse(String soql) {
    return SoqlParser.parse(soql, NOW);
  }

  private static boolean modifiedMatches(String condition, String modified) {
    return parse("SELECT Id FROM Contact WHERE LastModifiedDate " + condition).where()
        .test(contact("1", "a@b.com", "Smith", Instant.parse(modified)));
  }

  @Test
  void dateLiteralsAreDayRangesInUtcComparedAsSalesforceDoes() {
    assertThat(modifiedMatches("= TODAY", "2026-03-11T00:00:00Z")).isTrue();
    assertThat(modifiedMatches("= TODAY", "2026-03-10T23:59:59Z")).isFalse();
    assertThat(modifiedMatches("= YESTERDAY", "2026-03-10T23:59:59Z")).isTrue();
    assertThat(modifiedMatches("< TODAY", "2026-03-10T23:59:59Z")).isTrue();
    assertThat(modifiedMatches("> TODAY", "2026-03-11T23:59:59Z")).isFalse();
    assertThat(modifiedMatches("> TODAY", "2026-03-12T00:00:00Z")).isTrue();
    assertThat(modifiedMatches("<= TODAY", "2026-03-11T23:00:00Z")).isTrue();
    // LAST_N_DAYS:n includes today and the n days before it.
    assertThat(modifiedMatches("= LAST_N_DAYS:1", "2026-03-10T00:00:00Z")).isTrue();
    assertThat(modifiedMatches("= LAST_N_DAYS:1", "2026-03-09T23:59:59Z")).isFalse();
    assertThat(modifiedMatches(">= LAST_N_DAYS:30", "2026-02-09T00:00:00Z")).isTrue();
    assertThat(modifiedMatches(">= LAST_N_DAYS:30", "2026-02-08T23:59:59Z")).isFalse();
    assertThat(modifiedMatches("= NEXT_N_DAYS:2", "2026-03-11T12:00:00Z")).isFalse();
    assertThat(modifiedMatches("= NEXT_N_DAYS:2", "2026-03-13T12:00:00Z")).isTrue();
    assertThat(modifiedMatches("= THIS_WEEK", "2026-03-08T00:00:00Z")).isTrue();
    assertThat(modifiedMatches("= LAST_WEEK", "2026-03-07T23:00:00Z")).isTrue();
    assertThat(modifiedMatches("= THIS_MONTH", "2026-03-01T00:00:00Z")).isTrue();
    assertThat(modifiedMatches("= LAST_MONTH", "2026-02-28T00:00:00Z")).isTrue();
    assertThat(modifiedMatches("= THIS_QUARTER", "2026-01-01T00:00:00Z")).isTrue();
    assertThat(modifiedMatches("= LAST_YEAR", "2025-06-01T00:00:00Z")).isTrue();
    assertThat(modifiedMatches("IN (TODAY, YESTERDAY)", "2026-03-10T05:00:00Z")).isTrue();
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("Birthdate", LocalDate.parse("2026-03-10"));
    SObjectRecord born = new SObjectRecord("Contact", "2", f);
    assertThat(parse("SELECT Id FROM Contact WHERE Birthdate = YESTERDAY").where().test(born)).isTrue();
    assertThatThrownBy(() -> parse("SELECT Id FROM Contact WHERE LastModifiedDate > LAST_FORTNIGHT"))
        .hasFieldOrPropertyWithValue("errorCode", "MALFORMED_QUERY");
    assertThatThrownBy(() -> parse("SELECT Id FROM Contact WHERE Email = TODAY"))
        .hasFieldOrPropertyWithValue("errorCode", "INVALID_FIELD");
  }

  @Test
  void parentRelationshipFieldsReadTheJoinedParent() {
    SoqlQuery q = parse("SELECT Id, Account.Name FROM Contact WHERE Account.Industry = 'Retail' ORDER BY Account.Name");
    assertThat(q.joinsParents()).isTrue();
    assertThat(q.select()).extracting(SObjectSchema.Field::name).containsExactly("Id", "Account.Name");
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("Account.Industry", "retail");
    assertThat(q.where().test(new SObjectRecord("Contact", "1", f))).isTrue();
    assertThat(parse("SELECT Id FROM Contact").joinsParents()).isFalse();
    assertThatThrownBy(() -> parse("SELECT Owner.Name FROM Contact"))
        .hasFieldOrPropertyWithValue("errorCode", "INVALID_FIELD")
        .hasMessageContaining("Didn't understand relationship 'Owner'");
    assertThatThrownBy(() -> parse("SELECT Account.Nope FROM Contact"))
        .hasMessageContaining("No such column 'Nope' on entity 'Account'");
    assertThatThrownBy(() -> parse("SELECT Account.Name FROM Lead"))
        .hasFieldOrPropertyWithValue("errorCode", "INVALID_FIELD");
  }

  private static SObjectRecord contact(String id, String email, String lastName, Instant modified) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("Id", id);
    f.put("Email", email);
    f.put("LastName", lastName);
    f.put("LastModifiedDate", modified);
    return new SObjectRecord("Contact", id, f);
  }

  @Test
  void parsesFieldsObjectConditionsOrderAndLimit() {
    SoqlQuery q = parse(
        "select id, EMAIL from contact where (LastName = 'Smith' or LastName LIKE 'Mül%') "
            + "and LastModifiedDate >= 2026-01-01T00:00:00Z order by LastModifiedDate desc, Id limit 5");
    assertThat(q.object().name).isEqualTo("Contact");
    assertThat(q.select()).extracting(SObjectSchema.Field::name).containsExactly("Id", "Email");
    assertThat(q.orderBy()).hasSize(2);
    assertThat(q.orderBy().get(0).descending()).isTrue();
    assertThat(q.limit()).isEqualTo(5);

    Instant jan2 = Instant.parse("2026-01-02T00:00:00Z");
    assertThat(q.where().test(contact("1", "a@b.com", "smith", jan2))).isTrue(); // = is case-insensitive
    assertThat(q.where().test(contact("2", "a@b.com", "Müller", jan2))).isTrue();
    assertThat(q.where().test(contact("3", "a@b.com", "Jones", jan2))).isFalse();
    assertThat(q.where().test(contact("4", "a@b.com", "Smith", Instant.parse("2025-12-31T23:59:59Z")))).isFalse();
  }

  @Test
  void datetimeLiteralsAcceptOffsetsAndFractions() {
    Instant t = Instant.parse("2026-01-01T10:00:00Z");
    SObjectRecord r = contact("1", null, "X", t);
    assertThat(parse("SELECT Id FROM Contact WHERE LastModifiedDate = 2026-01-01T11:00:00+01:00").where().test(r)).isTrue();
    assertThat(parse("SELECT Id FROM Contact WHERE LastModifiedDate = 2026-01-01T10:00:00.000+0000").where().test(r)).isTrue();
    assertThat(parse("SELECT Id FROM Contact WHERE LastModifiedDate < 2026-01-01T10:00:00.001Z").where().test(r)).isTrue();
  }

  @Test
  void nullComparisonsFollowSoql() {
    SObjectRecord noEmail = contact("1", null, "X", Instant.EPOCH);
    assertThat(parse("SELECT Id FROM Contact WHERE Email = null").where().test(noEmail)).isTrue();
    assertThat(parse("SELECT Id FROM Contact WHERE Email != null").where().test(noEmail)).isFalse();
    assertThat(parse("SELECT Id FROM Contact WHERE Email > 'a'").where().test(noEmail)).isFalse();
    assertThat(parse("SELECT Id FROM Contact WHERE Email != 'a@b.com'").where().test(noEmail)).isTrue();
  }

  @Test
  void inNotInAndNot() {
    SObjectRecord r = contact("1", "a@b.com", "Smith", Instant.EPOCH);
    assertThat(parse("SELECT Id FROM Contact WHERE LastName IN ('Jones', 'SMITH')").where().test(r)).isTrue();
    assertThat(parse("SELECT Id FROM Contact WHERE LastName NOT IN ('Smith')").where().test(r)).isFalse();
    assertThat(parse("SELECT Id FROM Contact WHERE NOT LastName = 'Smith'").where().test(r)).isFalse();
  }

  @Test
  void typedLiteralsForNumbersDatesAndBooleans() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("Amount", 1500.0);
    f.put("CloseDate", LocalDate.parse("2026-03-01"));
    f.put("IsClosed", false);
    SObjectRecord opp = new SObjectRecord("Opportunity", "006", f);
    assertThat(parse("SELECT Id FROM Opportunity WHERE Amount >= 1500 AND CloseDate < 2026-03-02 AND IsClosed = false")
        .where().test(opp)).isTrue();
  }

  @Test
  void errorsCarrySalesforceCodes() {
    assertThatThrownBy(() -> parse("SELECT FROM Contact"))
        .isInstanceOfSatisfying(SalesforceApiException.class, e -> assertThat(e.errorCode).isEqualTo("MALFORMED_QUERY"));
    assertThatThrownBy(() -> parse("SELECT Id, Nope__c FROM Contact"))
        .isInstanceOfSatisfying(SalesforceApiException.class, e -> {
          assertThat(e.errorCode).isEqualTo("INVALID_FIELD");
          assertThat(e.getMessage()).contains("No such column 'Nope__c' on entity 'Contact'");
        });
    assertThatThrownBy(() -> parse("SELECT Id FROM Widget"))
        .isInstanceOfSatisfying(SalesforceApiException.class, e -> assertThat(e.errorCode).isEqualTo("INVALID_TYPE"));
    assertThatThrownBy(() -> parse("SELECT Id FROM Contact WHERE LastModifiedDate > '2026-01-01T00:00:00Z'"))
        .isInstanceOfSatisfying(SalesforceApiException.class, e -> {
          assertThat(e.errorCode).isEqualTo("INVALID_FIELD");
          assertThat(e.getMessage()).contains("should not be enclosed in quotes");
        });
    assertThatThrownBy(() -> parse("SELECT Id FROM Contact WHERE Email = 5"))
        .isInstanceOfSatisfying(SalesforceApiException.class, e -> assertThat(e.errorCode).isEqualTo("INVALID_FIELD"));
    assertThatThrownBy(() -> parse("SELECT Id FROM Contact WHERE Email = 'open"))
        .isInstanceOfSatisfying(SalesforceApiException.class, e -> assertThat(e.errorCode).isEqualTo("MALFORMED_QUERY"));
  }

  @Test
  void orderByPutsNullsFirstAscendingAndLastDescending() {
    List<SObjectRecord> rows = new java.util.ArrayList<>(List.of(
        contact("1", "b@x.com", "A", Instant.EPOCH), contact("2", null, "B", Instant.EPOCH),
        contact("3", "a@x.com", "C", Instant.EPOCH)));
    rows.sort(parse("SELECT Id FROM Contact ORDER BY Email").comparator());
    assertThat(rows).extracting(SObjectRecord::id).containsExactly("2", "3", "1");
    rows.sort(parse("SELECT Id FROM Contact ORDER BY Email DESC").comparator());
    assertThat(rows).extracting(SObjectRecord::id).containsExactly("1", "3", "2");
  }

  @Test
  void idsCarryTheCaseSafeSuffix() {
    // The documented example: 001A0000006Vm9r → 001A0000006Vm9rIAC.
    assertThat(SalesforceIds.caseSafeSuffix("001A0000006Vm9r")).isEqualTo("IAC");
    assertThat(SalesforceIds.of("003", 1)).hasSize(18).startsWith("003");
  }
}
