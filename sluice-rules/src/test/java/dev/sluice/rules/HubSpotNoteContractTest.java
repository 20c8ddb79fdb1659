package dev.sluice.rules;

import dev.sluice.sandbox.hubspot.HubSpotObjectType;

/** {@code hubspot.note}: a note on the event's deal (the sandbox serves notes as HubSpot does). */
class HubSpotNoteContractTest extends HubSpotActionContractTest {
  @Override
  protected String kind() {
    return "hubspot.note";
  }

  @Override
  protected String action(String marker) {
    return "hubspot.note: {connection: crm, body: \"Placed by {{event.object_id}} " + marker + "\", owner: \"77\"}";
  }

  @Override
  protected int effects(String marker) {
    return count(HubSpotObjectType.NOTES, "hs_note_body", marker);
  }
}
