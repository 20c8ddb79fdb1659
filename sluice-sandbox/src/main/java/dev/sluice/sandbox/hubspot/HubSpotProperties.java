package dev.sluice.sandbox.hubspot;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The property definitions a sandbox portal serves at {@code GET /crm/v3/properties/{objectType}}:
 * per object type the HubSpot-defined properties its records carry (plus the few standard ones every
 * real portal has and Sluice's connector reads by default, such as {@code hubspot_owner_id}), then
 * every other property a record of that type has been given (the generator's
 * {@code sluice_custom_N}, or any name written through the API, since the sandbox accepts any) as
 * a custom single-line text property. Kept small on purpose: a real portal has hundreds, but the
 * point is the wire shape and that a client reads what the portal defines.
 */
final class HubSpotProperties {
  /** {@code createdAt}/{@code updatedAt} of the HubSpot-defined properties: fixed, as in a real portal. */
  static final long DEFINED_AT = java.time.Instant.parse("2019-08-06T02:41:52.208Z").toEpochMilli();

  /** One definition. {@code options} are value → label (enumerations only). */
  record Definition(String name, String label, String type, String fieldType, String groupName, String description,
      Map<String, String> options, boolean readOnlyValue, boolean calculated, boolean externalOptions,
      boolean hasUniqueValue, boolean hubspotDefined, long createdAt) {}

  private static final Map<HubSpotObjectType, List<Definition>> DEFINED = new EnumMap<>(HubSpotObjectType.class);

  static {
    Map<String, String> lifecycle = options("subscriber", "Subscriber", "lead", "Lead", "marketingqualifiedlead",
        "Marketing Qualified Lead", "salesqualifiedlead", "Sales Qualified Lead", "opportunity", "Opportunity",
        "customer", "Customer", "evangelist", "Evangelist", "other", "Other");
    Map<String, String> priorities = options("LOW", "Low", "MEDIUM", "Medium", "HIGH", "High");

    String g = "contactinformation";
    DEFINED.put(HubSpotObjectType.CONTACTS, List.of(
        text(g, "email", "Email", "A contact's email address"),
        text(g, "firstname", "First Name", "A contact's first name"),
        text(g, "lastname", "Last Name", "A contact's last name"),
        field(g, "phone", "Phone Number", "string", "phonenumber", "A contact's primary phone number"),
        text(g, "company", "Company Name", "Name of the contact's company, as the contact entered it"),
        text(g, "jobtitle", "Job Title", "A contact's job title"),
        text(g, "city", "City", "A contact's city of residence"),
        enumeration(g, "lifecyclestage", "Lifecycle Stage", "radio", "The qualification of contacts to sales readiness", lifecycle),
        enumeration(g, "hs_lead_status", "Lead Status", "radio", "The contact's sales, prospecting or outreach status",
            options("NEW", "New", "OPEN", "Open", "IN_PROGRESS", "In Progress", "OPEN_DEAL", "Open Deal",
                "UNQUALIFIED", "Unqualified", "ATTEMPTED_TO_CONTACT", "Attempted to Contact", "CONNECTED", "Connected",
                "BAD_TIMING", "Bad Timing")),
        owner(g),
        createDate(g, "createdate"),
        lastModified(g, "lastmodifieddate"),
        objectId(g)));

    g = "companyinformation";
    DEFINED.put(HubSpotObjectType.COMPANIES, List.of(
        text(g, "name", "Company name", "The name of the company or organization"),
        text(g, "domain", "Company Domain Name", "The domain name of the company or organization"),
        enumeration(g, "industry", "Industry", "select", "The type of business the company performs",
            options("COMPUTER_SOFTWARE", "Computer Software", "RETAIL", "Retail", "FINANCIAL_SERVICES", "Financial Services",
                "HOSPITAL_HEALTH_CARE", "Hospital & Health Care", "MARKETING_AND_ADVERTISING", "Marketing & Advertising")),
        text(g, "city", "City", "City where the company is located"),
        text(g, "state", "State/Region", "State or region in which the company is located"),
        text(g, "country", "Country/Region", "Country or region in which the company is located"),
        field(g, "phone", "Phone Number", "string", "phonenumber", "A company's primary phone number"),
        field(g, "numberofemployees", "Number of Employees", "number", "number", "The total number of employees"),
        field(g, "annualrevenue", "Annual Revenue", "number", "number", "The actual or estimated annual revenue"),
        enumeration(g, "lifecyclestage", "Lifecycle Stage", "radio", "The qualification of companies to sales readiness", lifecycle),
        owner(g),
        createDate(g, "createdate"),
        lastModified(g, "hs_lastmodifieddate"),
        objectId(g)));

    g = "dealinformation";
    DEFINED.put(HubSpotObjectType.DEALS, List.of(
        text(g, "dealname", "Deal Name", "The name given to this deal"),
        field(g, "amount", "Amount", "number", "number", "The total amount of the deal"),
        enumeration(g, "dealstage", "Deal Stage", "radio", "The stage of the deal in its pipeline",
            options("appointmentscheduled", "Appointment Scheduled", "qualifiedtobuy", "Qualified To Buy",
                "presentationscheduled", "Presentation Scheduled", "decisionmakerboughtin", "Decision Maker Bought-In",
                "contractsent", "Contract Sent", "closedwon", "Closed Won", "closedlost", "Closed Lost")),
        enumeration(g, "pipeline", "Pipeline", "select", "The pipeline the deal is in", options("default", "Sales Pipeline")),
        field(g, "closedate", "Close Date", "datetime", "date", "Date the deal was closed, or is expected to close"),
        owner(g),
        createDate(g, "createdate"),
        lastModified(g, "hs_lastmodifieddate"),
        objectId(g)));

    g = "ticketinformation";
    DEFINED.put(HubSpotObjectType.TICKETS, List.of(
        text(g, "subject", "Ticket name", "Short summary of the ticket"),
        field(g, "content", "Ticket description", "string", "textarea", "Text in the ticket"),
        enumeration(g, "hs_pipeline", "Pipeline", "select", "The pipeline the ticket is in", options("0", "Support Pipeline")),
        enumeration(g, "hs_pipeline_stage", "Ticket status", "select", "The pipeline stage of the ticket",
            options("1", "New", "2", "Waiting on contact", "3", "Waiting on us", "4", "Closed")),
        enumeration(g, "hs_ticket_priority", "Priority", "select", "The level of attention needed on the ticket", priorities),
        enumeration(g, "hs_ticket_category", "Category", "checkbox", "The main reason the customer reached out",
            options("PRODUCT_ISSUE", "Product issue", "BILLING_ISSUE", "Billing issue", "FEATURE_REQUEST", "Feature request",
                "GENERAL_INQUIRY", "General inquiry")),
        owner(g),
        createDate(g, "createdate"),
        lastModified(g, "hs_lastmodifieddate"),
        objectId(g)));

    g = "task";
    DEFINED.put(HubSpotObjectType.TASKS, List.of(
        field(g, "hs_timestamp", "Due date", "datetime", "date", "The task's due date"),
        text(g, "hs_task_subject", "Task Title", "The title of the task"),
        enumeration(g, "hs_task_status", "Task Status", "select", "The status of the task",
            options("NOT_STARTED", "Not started", "IN_PROGRESS", "In progress", "COMPLETED", "Completed", "WAITING", "Waiting",
                "DEFERRED", "Deferred")),
        enumeration(g, "hs_task_priority", "Priority", "select", "The priority of the task", priorities),
        enumeration(g, "hs_task_type", "Task Type", "select", "The type of the task",
            options("CALL", "Call", "EMAIL", "Email", "TODO", "To-do")),
        owner(g),
        createDate(g, "hs_createdate"),
        lastModified(g, "hs_lastmodifieddate"),
        objectId(g)));

    g = "note";
    DEFINED.put(HubSpotObjectType.NOTES, List.of(
        field(g, "hs_timestamp", "Activity date", "datetime", "date", "The note's activity date (required)"),
        field(g, "hs_note_body", "Note body", "string", "html", "The note's text, up to 65,536 characters"),
        owner(g),
        createDate(g, "hs_createdate"),
        lastModified(g, "hs_lastmodifieddate"),
        objectId(g)));
  }

  private HubSpotProperties() {}

  /** The HubSpot-defined properties of a type, in the order the API lists them. */
  static List<Definition> defined(HubSpotObjectType type) {
    return DEFINED.get(type);
  }

  /** Every live property of a type: the defined ones, then the custom ones records carry; read lock held. */
  static List<Definition> all(PortalStore.Table table) {
    List<Definition> defined = DEFINED.get(table.type);
    List<Definition> out = new ArrayList<>(defined);
    java.util.Set<String> known = new java.util.HashSet<>();
    defined.forEach(d -> known.add(d.name()));
    List<String> stored = table.propertyNames();
    for (int slot = 0; slot < stored.size(); slot++) {
      String name = stored.get(slot);
      if (known.add(name)) out.add(custom(table.type, name, table.propertyFirstSeen(slot)));
    }
    return out;
  }

  /** The wire form of one property, as HubSpot's "read all properties" answers it. */
  static ObjectNode json(Definition d, int displayOrder) {
    ObjectNode o = HubSpotWire.NODES.objectNode();
    o.put("updatedAt", PortalStore.iso(d.createdAt()));
    o.put("createdAt", PortalStore.iso(d.createdAt()));
    o.put("name", d.name());
    o.put("label", d.label());
    o.put("type", d.type());
    o.put("fieldType", d.fieldType());
    o.put("description", d.description());
    o.put("groupName", d.groupName());
    ArrayNode options = o.putArray("options");
    int order = 0;
    for (Map.Entry<String, String> e : d.options().entrySet()) {
      ObjectNode opt = options.addObject();
      opt.put("label", e.getValue());
      opt.put("value", e.getKey());
      opt.put("displayOrder", order++);
      opt.put("hidden", false);
    }
    o.put("displayOrder", d.hubspotDefined() ? displayOrder : -1);
    o.put("calculated", d.calculated());
    o.put("externalOptions", d.externalOptions());
    o.put("hasUniqueValue", d.hasUniqueValue());
    o.put("hidden", false);
    if (d.hubspotDefined()) o.put("hubspotDefined", true);
    if (d.name().equals("amount")) o.put("showCurrencySymbol", true);
    ObjectNode meta = o.putObject("modificationMetadata");
    meta.put("archivable", !d.hubspotDefined());
    meta.put("readOnlyDefinition", d.hubspotDefined());
    meta.put("readOnlyValue", d.readOnlyValue());
    o.put("formField", !d.readOnlyValue());
    o.put("dataSensitivity", "non_sensitive");
    o.put("archived", false);
    return o;
  }

  private static Definition custom(HubSpotObjectType type, String name, long firstSeen) {
    String group = DEFINED.get(type).get(0).groupName();
    String label = Character.toUpperCase(name.charAt(0)) + name.substring(1).replace('_', ' ');
    return new Definition(name, label, "string", "text", group, "", Map.of(), false, false, false, false, false, firstSeen);
  }

  private static Definition field(String group, String name, String label, String type, String fieldType, String description) {
    return new Definition(name, label, type, fieldType, group, description, Map.of(), false, false, false, false, true, DEFINED_AT);
  }

  private static Definition text(String group, String name, String label, String description) {
    return field(group, name, label, "string", "text", description);
  }

  private static Definition enumeration(String group, String name, String label, String fieldType, String description,
      Map<String, String> options) {
    return new Definition(name, label, "enumeration", fieldType, group, description, options, false, false, false, false, true, DEFINED_AT);
  }

  private static Definition owner(String group) {
    // Owners live outside the property (the owners API): the options are external.
    return new Definition("hubspot_owner_id", "Owner", "enumeration", "select", group, "The owner of the record",
        Map.of(), false, false, true, false, true, DEFINED_AT);
  }

  private static Definition createDate(String group, String name) {
    return new Definition(name, "Create Date", "datetime", "date", group, "The date the record was created",
        Map.of(), true, false, false, false, true, DEFINED_AT);
  }

  private static Definition lastModified(String group, String name) {
    return new Definition(name, "Last Modified Date", "datetime", "date", group,
        "Most recent timestamp of any property update for this record", Map.of(), true, true, false, false, true, DEFINED_AT);
  }

  private static Definition objectId(String group) {
    return new Definition("hs_object_id", "Record ID", "number", "number", group,
        "The unique ID for this record. This value is set automatically by HubSpot.", Map.of(), true, false, false, true, true,
        DEFINED_AT);
  }

  private static Map<String, String> options(String... valueLabel) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < valueLabel.length; i += 2) out.put(valueLabel[i], valueLabel[i + 1]);
    return out;
  }
}
