package dev.sluice.connectors.salesforce;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.DestinationConnectorContract;
import dev.sluice.sandbox.Sandbox;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The destination contract for Salesforce Contacts: sObject Collections upsert on External_Id__c. */
class SalesforceDestinationContractTest extends DestinationConnectorContract {

  private static SalesforceTestOrg org;
  private static ConnectionConfig config;

  @BeforeAll
  static void start() {
    org = new SalesforceTestOrg("conn_sfdest", 5);
    config = org.connection("salesforce-dest").build();
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  @Override
  protected Sandbox sandbox() {
    return org.env.sandbox;
  }

  @Override
  protected DestinationConnector newConnector() {
    return org.env.factory.destination(config);
  }

  @Override
  protected DestinationConnector newConnectorWithBadCredentials() {
    return org.env.factory.destination(org.connection("salesforce-badtoken").token("00Dnot!valid", "SF_TOKEN").build());
  }

  @Override
  protected String objectType() {
    return "Contact";
  }

  @Override
  protected String keyField() {
    return "External_Id__c";
  }

  @Override
  protected Map<String, Object> goodRecord(String key) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("External_Id__c", key);
    m.put("LastName", "Last " + key);
    m.put("Email", key + "@example.test");
    m.put("HasOptedOutOfEmail", false);
    return m;
  }

  @Override
  protected Map<String, Object> badRecord(String key) {
    Map<String, Object> m = goodRecord(key);
    m.put("LastName", "x".repeat(81)); // Contact.LastName holds 80 characters: STRING_TOO_LONG for this record only
    return m;
  }

  @Override
  protected boolean goneOnPlatform(String id) {
    return org.salesforce.record("Contact", id).isEmpty();
  }

  @Override
  protected int storedCount(String key) {
    return (int) org.salesforce.records("Contact").stream()
        .filter(r -> key.equalsIgnoreCase(String.valueOf(r.get("External_Id__c")))).count();
  }

  @Override
  protected String writePath() {
    return "/services/data/v65.0/composite/sobjects";
  }

  @Override
  protected Duration expectedRateLimitWait() {
    return SalesforceHttp.REQUEST_BURST_WAIT; // the injected refusal shows calls left in its Sforce-Limit-Info
  }
}
