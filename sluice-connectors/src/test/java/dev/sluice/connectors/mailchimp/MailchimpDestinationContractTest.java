package dev.sluice.connectors.mailchimp;

import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.DestinationConnectorContract;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The destination contract for Mailchimp members: batch subscribe with update_existing, by email. */
class MailchimpDestinationContractTest extends DestinationConnectorContract {

  private static MailchimpTestAudience audience;

  @BeforeAll
  static void start() {
    audience = new MailchimpTestAudience("conn_mcdest", MailchimpOptions.builder().membersPerList(5).build());
  }

  @AfterAll
  static void stop() {
    audience.close();
  }

  @Override
  protected Sandbox sandbox() {
    return audience.env.sandbox;
  }

  @Override
  protected DestinationConnector newConnector() {
    return audience.env.factory.destination(audience.connection("mailchimp-dest").build());
  }

  @Override
  protected DestinationConnector newConnectorWithBadCredentials() {
    return audience.env.factory.destination(audience.connection("mailchimp-badkey")
        .token("ffffffffffffffffffffffffffffffff-us21", "MAILCHIMP_API_KEY").build());
  }

  @Override
  protected String objectType() {
    return MailchimpConnector.MEMBERS;
  }

  @Override
  protected String keyField() {
    return "email_address";
  }

  @Override
  protected Map<String, Object> goodRecord(String key) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("email_address", key + "@example.test");
    m.put("FNAME", "First " + key);
    m.put("LNAME", "Last");
    return m;
  }

  @Override
  protected Map<String, Object> badRecord(String key) {
    Map<String, Object> m = goodRecord(key);
    m.put("email_address", key + "@not-an-address"); // Mailchimp: "looks fake or invalid" for this member only
    return m;
  }

  @Override
  protected int storedCount(String key) {
    return (int) audience.members().stream().filter(m -> m.emailAddress().toLowerCase().startsWith(key.toLowerCase() + "@")).count();
  }

  @Override
  protected String writePath() {
    return "/3.0/lists/" + MailchimpTestAudience.LIST;
  }

  @Override
  protected Duration expectedRateLimitWait() {
    return MailchimpHttp.TOO_MANY_CONNECTIONS_WAIT;
  }
}
