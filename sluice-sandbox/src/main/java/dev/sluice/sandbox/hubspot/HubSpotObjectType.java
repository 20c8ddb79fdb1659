package dev.sluice.sandbox.hubspot;

import java.util.List;
import java.util.Locale;

/** The HubSpot CRM object types the sandbox serves, with their wire names. */
public enum HubSpotObjectType {
  CONTACTS("contacts", "contact", "0-1", "lastmodifieddate",
      List.of("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname")),
  COMPANIES("companies", "company", "0-2", "hs_lastmodifieddate",
      List.of("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name")),
  DEALS("deals", "deal", "0-3", "hs_lastmodifieddate",
      List.of("amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline")),
  TICKETS("tickets", "ticket", "0-5", "hs_lastmodifieddate",
      List.of("content", "createdate", "hs_lastmodifieddate", "hs_object_id", "hs_pipeline", "hs_pipeline_stage",
          "hs_ticket_category", "hs_ticket_priority", "subject")),
  TASKS("tasks", "task", "0-27", "hs_lastmodifieddate",
      List.of("hs_createdate", "hs_lastmodifieddate", "hs_object_id", "hs_task_priority", "hs_task_status",
          "hs_task_subject", "hs_task_type", "hs_timestamp")),
  NOTES("notes", "note", "0-46", "hs_lastmodifieddate",
      List.of("hs_createdate", "hs_lastmodifieddate", "hs_note_body", "hs_object_id", "hs_timestamp"));

  private final String plural;
  private final String singular;
  private final String objectTypeId;
  private final String lastModifiedProperty;
  private final List<String> defaultProperties;

  HubSpotObjectType(String plural, String singular, String objectTypeId, String lastModifiedProperty, List<String> defaultProperties) {
    this.plural = plural;
    this.singular = singular;
    this.objectTypeId = objectTypeId;
    this.lastModifiedProperty = lastModifiedProperty;
    this.defaultProperties = defaultProperties;
  }

  /** The name in URLs and association keys, e.g. {@code "contacts"}. */
  public String plural() {
    return plural;
  }

  /** The name in webhook subscription types and association labels, e.g. {@code "contact"}. */
  public String singular() {
    return singular;
  }

  /** HubSpot's object type id, e.g. {@code "0-1"}. */
  public String objectTypeId() {
    return objectTypeId;
  }

  /** {@code lastmodifieddate} for contacts, {@code hs_lastmodifieddate} for the others. */
  public String lastModifiedProperty() {
    return lastModifiedProperty;
  }

  /** Properties returned when a request names none. */
  public List<String> defaultProperties() {
    return defaultProperties;
  }

  /**
   * Tasks and notes are engagements (activities): {@code hs_createdate} instead of
   * {@code createdate}, {@code hs_timestamp} required on create, never merged.
   */
  public boolean engagement() {
    return this == TASKS || this == NOTES;
  }

  /** Reads a type from a URL segment: plural, singular or object type id; {@code null} if unknown. */
  public static HubSpotObjectType fromPath(String segment) {
    String s = segment.toLowerCase(Locale.ROOT);
    for (HubSpotObjectType t : values()) {
      if (t.plural.equals(s) || t.singular.equals(s) || t.objectTypeId.equals(s)) return t;
    }
    return null;
  }
}
