package dev.sluice.pipelines;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A sandbox with HubSpot and Salesforce, described live through the real connectors, and sample HubSpot contacts. */
final class SandboxSchemas implements AutoCloseable {
  final Sandbox sandbox;
  final ObjectSchema hubspotContacts;
  final ObjectSchema salesforceContact;

  SandboxSchemas() throws Exception {
    sandbox = Sandbox.builder()
        .hubspot(HubSpotOptions.builder().initialData(new HubSpotDataGenerator.Spec(3, 60, 1, 0, 0, 0, 0, false)).build())
        .platform(new SalesforceSandbox(SalesforceOptions.builder().counts(1, 1, 1, 1).build()))
        .start();
    ConnectorFactory f = new ConnectorFactory(RateLimitGate.unlimited(), Clock.systemUTC());
    hubspotContacts = f.hubspot(ConnectionConfig.builder("hubspot-main", "hubspot").baseUrl(sandbox.baseUrl())
        .token(sandbox.hubspot().token(), "HUBSPOT_TOKEN").objects(List.of("contacts")).build()).describe("contacts");
    salesforceContact = f.salesforce(ConnectionConfig.builder("salesforce-main", "salesforce").baseUrl(sandbox.baseUrl())
        .token(SalesforceOptions.DEFAULT_ACCESS_TOKEN, "SALESFORCE_TOKEN").build()).describe("Contact");
  }

  /** The sandbox's HubSpot contacts as mirror records (their real generated values). */
  List<MirrorSample.MirrorRecord> contacts(int n) {
    List<MirrorSample.MirrorRecord> out = new ArrayList<>();
    for (String id : sandbox.hubspot().ids(HubSpotObjectType.CONTACTS)) {
      if (out.size() == n) break;
      Map<String, String> props = new LinkedHashMap<>(sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow().properties());
      out.add(new MirrorSample.MirrorRecord(id, props));
    }
    return out;
  }

  @Override
  public void close() {
    sandbox.close();
  }
}
