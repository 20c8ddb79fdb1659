package dev.sluice.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.ObjectSchema.Field;
import dev.sluice.connectors.ObjectSchema.FieldType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A mapping checked against both sides' schemas: names, types, writability, the match key and required fields. */
class MappingCheckTest {
  static final ObjectSchema HUBSPOT = new ObjectSchema("contacts", List.of(
      Field.of("email", "Email", FieldType.STRING), Field.of("firstname", "First Name", FieldType.STRING),
      Field.of("lastname", "Last Name", FieldType.STRING), Field.of("city", "City", FieldType.STRING),
      Field.of("numberofemployees", "Number of Employees", FieldType.NUMBER),
      Field.of("lastmodifieddate", "Last Modified Date", FieldType.DATETIME)), false);
  static final ObjectSchema SALESFORCE = new ObjectSchema("Contact", List.of(
      new Field("Id", "Contact ID", FieldType.ID, false, true, false, List.of()),
      new Field("Email", "Email", FieldType.STRING, false, true, true, List.of()),
      Field.of("FirstName", "First Name", FieldType.STRING),
      new Field("LastName", "Last Name", FieldType.STRING, true, false, true, List.of()),
      Field.of("Title", "Title", FieldType.STRING),
      Field.of("NumberOfEmployees__c", "Employees", FieldType.NUMBER),
      Field.of("Birthdate", "Birthdate", FieldType.DATE),
      new Field("LeadSource", "Lead Source", FieldType.ENUMERATION, false, false, true, List.of("Web", "Phone Inquiry")),
      new Field("CreatedDate", "Created Date", FieldType.DATETIME, false, false, false, List.of())), false);

  @Test
  void aFittingMappingHasNoErrors() throws Exception {
    Mapping m = Mapping.parse("""
        fields:
          Email: {from: source.email, type: email, required: true}
          LastName: {from: source.lastname, default: Unknown}
          NumberOfEmployees__c: source.numberofemployees
          Birthdate: source.lastmodifieddate
          LeadSource: {from: '"Web"', default: web}
        """, "ok.yaml");
    assertThat(MappingCheck.check(m, "hubspot-main/contacts", HUBSPOT, null, "salesforce-main/Contact", SALESFORCE, "Email"))
        .isEmpty();
  }

  @Test
  void everyMisfitIsReportedWithItsLineAndField() throws Exception {
    Mapping m = Mapping.parse("""
        fields:
          email: source.email
          FirstName: source.first_name
          NumberOfEmployees__c: source.city
          Birthdate: {from: source.city, type: boolean}
          CreatedDate: source.lastmodifieddate
          LeadSource: {from: source.city, default: Billboard}
          Title: source.city
        """, "contact.yaml");
    List<MappingError> errors = MappingCheck.check(m, "hubspot-main/contacts", HUBSPOT, List.of("email", "first_name", "city"),
        "salesforce-main/Contact", SALESFORCE, "email");
    assertThat(errors).extracting(e -> e.at("contact.yaml")).containsExactly(
        "contact.yaml:1: LastName: salesforce-main/Contact requires 'LastName' (Last Name) to create a record; the mapping does not set it",
        "contact.yaml:2: email: salesforce-main/Contact has no field 'email' (did you mean 'Email'?)",
        "contact.yaml:3: FirstName: reads source.first_name: hubspot-main/contacts has no field 'first_name' (did you mean 'firstname'?)",
        "contact.yaml:4: NumberOfEmployees__c: copies source.city (a text field) into a number field; convert it in the expression or declare a type",
        "contact.yaml:5: Birthdate: declared type boolean, but the destination field is a date field",
        "contact.yaml:6: CreatedDate: reads source.lastmodifieddate, which hubspot-main/contacts has but the mirror does not sync (add it to the connection's properties)",
        "contact.yaml:6: CreatedDate: salesforce-main/Contact field 'CreatedDate' is read-only",
        "contact.yaml:7: LeadSource (value 'Billboard'): default is not one of salesforce-main/Contact's options [Web, Phone Inquiry]");
  }

  @Test
  void theMatchFieldMustBeUniqueOnTheDestination() throws Exception {
    Mapping m = Mapping.parse("""
        fields:
          Email: source.email
          LastName: source.lastname
          Title: source.city
        """, "m.yaml");
    Pipeline p = new Pipeline("p", "hubspot-main", "contacts", "salesforce-main", "Contact", "Title", m, 0, null);
    assertThat(MappingCheck.check(m, "a", HUBSPOT, null, "salesforce-main/Contact", SALESFORCE, p.matchField()))
        .extracting(e -> e.at("m.yaml"))
        .containsExactly("m.yaml:4: Title: is the pipeline's match field, but salesforce-main/Contact does not keep its values unique, so it cannot upsert by it");
  }

  @Test
  void validateThrowsEveryErrorAsOneException() throws Exception {
    Mapping m = Mapping.parse("fields:\n  Email: source.mail\n  LastName: source.lastname\n", "v.yaml");
    Pipeline p = new Pipeline("p", "hubspot-main", "contacts", "salesforce-main", "Contact", "Email", m, 0, null);
    assertThatThrownBy(() -> MappingCheck.validate(p, new SchemaOnly(HUBSPOT), new SchemaOnly(SALESFORCE), null))
        .isInstanceOf(MappingException.class)
        .hasMessage("v.yaml:2: Email: reads source.mail: hubspot-main/contacts has no field 'mail' (did you mean 'email'?)");
  }

  /** A connector that only describes: enough for a check that reads no records. */
  record SchemaOnly(ObjectSchema schema) implements dev.sluice.connectors.Connector {
    @Override public String connection() { return "test"; }
    @Override public String platform() { return "test"; }
    @Override public ObjectSchema describe(String objectType) { return schema; }
    @Override public void close() { }
  }
}
