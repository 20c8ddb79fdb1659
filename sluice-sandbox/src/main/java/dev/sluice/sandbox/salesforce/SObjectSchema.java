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
   * One field. {@code system} fields (Id, CreatedDate, LastModifiedDate, IsDeleted) are maintained by
   * the sandbox and refused on writes; {@code required} fields must be present on create.
   * {@code externalId} and {@code idLookup} are the describe attributes that make a field usable as
   * an upsert key; {@code picklist} lists a picklist's values; {@code referenceTo} and
   * {@code relationshipName} are set on lookups ({@code AccountId} → {@code Account}).
   */
  record Field(String name, FieldType type, boolean system, boolean required, int length, boolean externalId,
               boolean idLookup, List<String> picklist, String referenceTo, String relationshipName) {
    Field(String name, FieldType type, boolean system, boolean required, int length) {
      this(name, type, system, required, length, false, false, List.of(), null, null);
    }

    boolean isText() {
      return switch (type) {
        case ID, REFERENCE, STRING, EMAIL, PHONE, URL, PICKLIST -> true;
        default -> false;
      };
    }

    /** A field the upsert calls accept as the key: an External ID, or an idLookup field of a standard object. */
    boolean upsertKey() {
      return externalId || idLookup;
    }

    Field lookup() {
      return new Field(name, type, system, required, length, externalId, true, picklist, referenceTo, relationshipName);
    }
  }

  static final List<String> INDUSTRIES = List.of("Technology", "Finance", "Healthcare", "Retail", "Manufacturing",
      "Education");
  static final List<String> LEAD_SOURCES = List.of("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other");
  static final List<String> LEAD_STATUSES = List.of("Open - Not Contacted", "Working - Contacted",
      "Closed - Converted", "Closed - Not Converted");
  static final List<String> STAGES = List.of("Prospecting", "Qualification", "Needs Analysis",
      "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost");

  /** Salesforce's REST JSON datetime form, e.g. {@code 2026-01-15T10:30:00.000+0000}. */
  static final DateTimeFormatter REST_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(ZoneOffset.UTC);
  /** The SOAP (xsd:dateTime) form used in outbound messages. */
  static final DateTimeFormatter SOAP_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Fields whose values must be unique (case-insensitive), like a unique external id. */
  static final String EXTERNAL_ID = "External_Id__c";
  /** Set by every change, a delete included (LastModifiedDate is not set by system changes). */
  static final String SYSTEM_MODSTAMP = "SystemModstamp";
  /** The flag queryAll shows as true on deleted records (false everywhere else). */
  static final String IS_DELETED = "IsDeleted";

  final String name;
  final String keyPrefix;
  final String labelPlural;
  private final Map<String, Field> byLowerName = new LinkedHashMap<>();

  private SObjectSchema(String name, String keyPrefix, String labelPlural, List<Field> fields) {
    this.name = name;
    this.keyPrefix = keyPrefix;
    this.labelPlural = labelPlural;
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

  /** The lookup field whose relationship is {@code relationship} (any case), e.g. Account → AccountId; or null. */
  Field relationship(String relationship) {
    for (Field f : byLowerName.values()) {
      if (f.relationshipName() != null && f.relationshipName().equalsIgnoreCase(relationship)) {
        return f;
      }
    }
    return null;
  }

  static final Map<String, SObjectSchema> TYPES = new LinkedHashMap<>();

  static {
    register(new SObjectSchema("Account", "001", "Accounts", withSystem(
        text("Name", FieldType.STRING, true, 255),
        picklist("Industry", false, INDUSTRIES),
        text("Website", FieldType.URL, false, 255),
        text("Phone", FieldType.PHONE, false, 40),
        text("BillingCity", FieldType.STRING, false, 40),
        text("BillingCountry", FieldType.STRING, false, 80),
        plain("NumberOfEmployees", FieldType.INT),
        plain("AnnualRevenue", FieldType.CURRENCY))));
    register(new SObjectSchema("Contact", "003", "Contacts", withSystem(
        text("FirstName", FieldType.STRING, false, 40),
        text("LastName", FieldType.STRING, true, 80),
        text("Email", FieldType.EMAIL, false, 80).lookup(),
        text("Phone", FieldType.PHONE, false, 40),
        text("Title", FieldType.STRING, false, 128),
        accountLookup(),
        picklist("LeadSource", false, LEAD_SOURCES),
        plain("HasOptedOutOfEmail", FieldType.BOOLEAN),
        plain("Birthdate", FieldType.DATE))));
    register(new SObjectSchema("Lead", "00Q", "Leads", withSystem(
        text("FirstName", FieldType.STRING, false, 40),
        text("LastName", FieldType.STRING, true, 80),
        text("Email", FieldType.EMAIL, false, 80).lookup(),
        text("Company", FieldType.STRING, true, 255),
        picklist("Status", false, LEAD_STATUSES),
        picklist("LeadSource", false, LEAD_SOURCES),
        plain("IsConverted", FieldType.BOOLEAN))));
    register(new SObjectSchema("Opportunity", "006", "Opportunities", withSystem(
        text("Name", FieldType.STRING, true, 120),
        picklist("StageName", true, STAGES),
        plain("Amount", FieldType.CURRENCY),
        new Field("CloseDate", FieldType.DATE, false, true, 0),
        accountLookup(),
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
    all.add(new Field("Id", FieldType.ID, true, false, 18).lookup());
    all.add(new Field(IS_DELETED, FieldType.BOOLEAN, true, false, 0));
    all.addAll(List.of(own));
    // A custom text field marked External ID and Unique (case-insensitive), as integrations add them.
    all.add(new Field(EXTERNAL_ID, FieldType.STRING, false, false, 255, true, true, List.of(), null, null));
    all.add(new Field("CreatedDate", FieldType.DATETIME, true, false, 0));
    all.add(new Field("LastModifiedDate", FieldType.DATETIME, true, false, 0));
    // Changed by every write, by the user or the system, and by a delete: the field replication reads by.
    all.add(new Field(SYSTEM_MODSTAMP, FieldType.DATETIME, true, false, 0));
    return all;
  }

  private static Field text(String name, FieldType type, boolean required, int length) {
    return new Field(name, type, false, required, length);
  }

  private static Field picklist(String name, boolean required, List<String> values) {
    return new Field(name, FieldType.PICKLIST, false, required, 255, false, false, values, null, null);
  }

  private static Field accountLookup() {
    return new Field("AccountId", FieldType.REFERENCE, false, false, 18, false, false, List.of(), "Account", "Account");
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
