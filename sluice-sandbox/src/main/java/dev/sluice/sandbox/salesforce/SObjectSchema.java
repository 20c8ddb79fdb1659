package dev.sluice.sandbox.salesforce;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The four object types the sandbox serves, with the fields (and their types) each one has. */
final class SObjectSchema {

  enum FieldType { ID, REFERENCE, STRING, EMAIL, PHONE, URL, PICKLIST, INT, DOUBLE, CURRENCY, DATE, DATETIME, BOOLEAN }

  /**
   * One field. {@code system} fields (Id, CreatedDate, LastModifiedDate) are maintained by the
   * sandbox and refused on writes; {@code required} fields must be present on create.
   */
  record Field(String name, FieldType type, boolean system, boolean required, int length) {
    boolean isText() {
      return switch (type) {
        case ID, REFERENCE, STRING, EMAIL, PHONE, URL, PICKLIST -> true;
        default -> false;
      };
    }
  }

  /** Salesforce's REST JSON datetime form, e.g. {@code 2026-01-15T10:30:00.000+0000}. */
  static final DateTimeFormatter REST_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(ZoneOffset.UTC);
  /** The SOAP (xsd:dateTime) form used in outbound messages. */
  static final DateTimeFormatter SOAP_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Fields whose values must be unique (case-insensitive), like a unique external id. */
  static final String EXTERNAL_ID = "External_Id__c";

  final String name;
  final String keyPrefix;
  private final Map<String, Field> byLowerName = new LinkedHashMap<>();

  private SObjectSchema(String name, String keyPrefix, List<Field> fields) {
    this.name = name;
    this.keyPrefix = keyPrefix;
    for (Field f : fields) {
      byLowerName.put(f.name().toLowerCase(Locale.ROOT), f);
    }
  }

  Field field(String anyCase) {
    return byLowerName.get(anyCase.toLowerCase(Locale.ROOT));
  }

  List<Field> fields() {
    return new ArrayList<>(byLowerName.values());
  }

  static final Map<String, SObjectSchema> TYPES = new LinkedHashMap<>();

  static {
    register(new SObjectSchema("Account", "001", withSystem(
        text("Name", FieldType.STRING, true, 255),
        text("Industry", FieldType.PICKLIST, false, 255),
        text("Website", FieldType.URL, false, 255),
        text("Phone", FieldType.PHONE, false, 40),
        text("BillingCity", FieldType.STRING, false, 40),
        text("BillingCountry", FieldType.STRING, false, 80),
        plain("NumberOfEmployees", FieldType.INT),
        plain("AnnualRevenue", FieldType.CURRENCY))));
    register(new SObjectSchema("Contact", "003", withSystem(
        text("FirstName", FieldType.STRING, false, 40),
        text("LastName", FieldType.STRING, true, 80),
        text("Email", FieldType.EMAIL, false, 80),
        text("Phone", FieldType.PHONE, false, 40),
        text("Title", FieldType.STRING, false, 128),
        text("AccountId", FieldType.REFERENCE, false, 18),
        text("LeadSource", FieldType.PICKLIST, false, 255),
        plain("HasOptedOutOfEmail", FieldType.BOOLEAN),
        plain("Birthdate", FieldType.DATE))));
    register(new SObjectSchema("Lead", "00Q", withSystem(
        text("FirstName", FieldType.STRING, false, 40),
        text("LastName", FieldType.STRING, true, 80),
        text("Email", FieldType.EMAIL, false, 80),
        text("Company", FieldType.STRING, true, 255),
        text("Status", FieldType.PICKLIST, false, 255),
        text("LeadSource", FieldType.PICKLIST, false, 255),
        plain("IsConverted", FieldType.BOOLEAN))));
    register(new SObjectSchema("Opportunity", "006", withSystem(
        text("Name", FieldType.STRING, true, 120),
        text("StageName", FieldType.PICKLIST, true, 255),
        plain("Amount", FieldType.CURRENCY),
        new Field("CloseDate", FieldType.DATE, false, true, 0),
        text("AccountId", FieldType.REFERENCE, false, 18),
        plain("Probability", FieldType.DOUBLE),
        plain("IsClosed", FieldType.BOOLEAN))));
  }

  private static void register(SObjectSchema s) {
    TYPES.put(s.name.toLowerCase(Locale.ROOT), s);
  }

  /** The type named {@code anyCase}, or null when the sandbox does not serve it. */
  static SObjectSchema of(String anyCase) {
    return anyCase == null ? null : TYPES.get(anyCase.toLowerCase(Locale.ROOT));
  }

  private static List<Field> withSystem(Field... own) {
    List<Field> all = new ArrayList<>();
    all.add(new Field("Id", FieldType.ID, true, false, 18));
    all.addAll(List.of(own));
    all.add(text(EXTERNAL_ID, FieldType.STRING, false, 255));
    all.add(new Field("CreatedDate", FieldType.DATETIME, true, false, 0));
    all.add(new Field("LastModifiedDate", FieldType.DATETIME, true, false, 0));
    return all;
  }

  private static Field text(String name, FieldType type, boolean required, int length) {
    return new Field(name, type, false, required, length);
  }

  private static Field plain(String name, FieldType type) {
    return new Field(name, type, false, false, 0);
  }

  /** Renders a stored value for REST JSON. */
  static Object toJson(Object value) {
    if (value instanceof Instant i) {
      return REST_DATETIME.format(i);
    }
    if (value instanceof LocalDate d) {
      return d.toString();
    }
    return value;
  }

  /** Renders a stored value for a SOAP outbound message. */
  static String toSoap(Object value) {
    if (value instanceof Instant i) {
      return SOAP_DATETIME.format(i);
    }
    if (value instanceof Double d) {
      return BigDecimal.valueOf(d).toPlainString();
    }
    return String.valueOf(value);
  }
}
