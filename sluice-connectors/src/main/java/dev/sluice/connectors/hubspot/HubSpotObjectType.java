package dev.sluice.connectors.hubspot;

import java.util.List;
import java.util.Map;

/** What the connector knows about each HubSpot CRM object type it reads. */
record HubSpotObjectType(String name, String lastModifiedProperty, List<String> defaultProperties, List<String> associationTargets) {

  /** The search index's last-modified property differs for contacts (a HubSpot historical quirk). */
  static final Map<String, HubSpotObjectType> STANDARD = Map.of(
      "contacts", new HubSpotObjectType("contacts", "lastmodifieddate",
          List.of("email", "firstname", "lastname", "phone", "company", "jobtitle", "lifecyclestage", "hs_lead_status",
              "hubspot_owner_id", "createdate", "lastmodifieddate", "hs_object_id"),
          List.of("companies", "deals", "tickets")),
      "companies", new HubSpotObjectType("companies", "hs_lastmodifieddate",
          List.of("name", "domain", "industry", "phone", "city", "state", "country", "numberofemployees", "annualrevenue",
              "lifecyclestage", "hubspot_owner_id", "createdate", "hs_lastmodifieddate", "hs_object_id"),
          List.of("contacts", "deals", "tickets")),
      "deals", new HubSpotObjectType("deals", "hs_lastmodifieddate",
          List.of("dealname", "amount", "dealstage", "pipeline", "closedate", "hubspot_owner_id", "createdate",
              "hs_lastmodifieddate", "hs_object_id"),
          List.of("contacts", "companies", "tickets")),
      "tickets", new HubSpotObjectType("tickets", "hs_lastmodifieddate",
          List.of("subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority", "hubspot_owner_id",
              "createdate", "hs_lastmodifieddate", "hs_object_id"),
          List.of("contacts", "companies", "deals")));

  /** Stream order when a connection lists no objects. */
  static final List<String> ALL = List.of("contacts", "companies", "deals", "tickets");
}
