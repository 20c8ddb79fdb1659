package dev.sluice.rules;

import dev.sluice.sandbox.hubspot.HubSpotObjectType;

/**
 * {@code hubspot.update}: sets a property of the event's deal. A resend writes the same value, so
 * the effect (the deal's state) is the same once or twice.
 */
class HubSpotUpdateContractTest extends HubSpotActionContractTest {
  @Override
  protected String kind() {
    return "hubspot.update";
  }

  @Override
  protected String action(String marker) {
    return "hubspot.update: {connection: crm, properties: {invoice_status: \"drafted " + marker + "\"}}";
  }

  @Override
  protected int effects(String marker) {
    return count(HubSpotObjectType.DEALS, "invoice_status", marker);
  }
}
