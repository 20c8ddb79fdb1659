package dev.sluice.connectors.mailchimp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.DestinationConnectorContract;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
  protected boolean goneOnPlatform(String id) {
    return audience.byHash(id).map(m -> "archived".equals(m.status())).orElse(true);
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

  @Test
  void fiveHundredMembersAreOneCallAndMoreAreRefusedBeforeAnyCall() throws Exception {
    String run = newKey();
    try (DestinationConnector c = newConnector()) {
      assertThat(c.maxBatchSize()).isEqualTo(500);
      List<OutboundRecord> records = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        records.add(c.mapFields(objectType(), keyField(), i == 321 ? badRecord(run + "-" + i) : goodRecord(run + "-" + i), "r" + i));
      }
      audience.env.sandbox.journal().clear();
      WriteResult r = c.uploadBatch(objectType(), records, null);
      assertThat(audience.env.sandbox.journal().withPathPrefix("/3.0/lists/" + MailchimpTestAudience.LIST)).hasSize(1);
      assertThat(r.failures()).isEqualTo(1);
      assertThat(r.results().get(321).traceId()).isEqualTo("r321");
      assertThat(r.results().get(0).status()).isEqualTo(WriteResult.Status.CREATED);
      assertThat(r.results().get(0).externalId()).isEqualTo(MailchimpConnector.subscriberHash(run + "-0@example.test"));
      records.add(records.get(0));
      assertThatThrownBy(() -> c.uploadBatch(objectType(), records, null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at most 500");
    }
  }

  @Test
  void theSameMemberTwiceInABatchIsSentOnceAndTheSecondIsReported() throws Exception {
    String k = newKey();
    try (DestinationConnector c = newConnector()) {
      Map<String, Object> upper = goodRecord(k);
      upper.put("email_address", k.toUpperCase() + "@EXAMPLE.TEST");
      WriteResult r = c.uploadBatch(objectType(), List.of(c.mapFields(objectType(), keyField(), goodRecord(k), "a"),
          c.mapFields(objectType(), keyField(), upper, "b")), null);
      assertThat(r.results().get(0).ok()).isTrue();
      assertThat(r.results().get(1).ok()).isFalse();
      assertThat(r.results().get(1).error()).contains("same member");
      assertThat(storedCount(k)).isEqualTo(1);
    }
  }

  @Test
  void anUnsubscribedMemberStaysUnsubscribedWhenItsStatusIsMappedAndMergeFieldsAreDescribed() throws Exception {
    String k = newKey();
    try (DestinationConnector c = newConnector()) {
      ObjectSchema schema = c.describe(objectType());
      assertThat(schema.field("FNAME").orElseThrow().label()).isEqualTo("First Name");
      assertThat(schema.field("status").orElseThrow().options()).contains("subscribed", "unsubscribed");
      Map<String, Object> v = goodRecord(k);
      v.put("status", "unsubscribed");
      assertThat(c.uploadBatch(objectType(), List.of(c.mapFields(objectType(), keyField(), v, null)), null).failures()).isZero();
      v.put("LNAME", "Changed");
      WriteResult again = c.uploadBatch(objectType(), List.of(c.mapFields(objectType(), keyField(), v, null)), null);
      assertThat(again.results().get(0).status()).isEqualTo(WriteResult.Status.UPDATED);
      var member = audience.members().stream().filter(m -> m.emailAddress().startsWith(k + "@")).findFirst().orElseThrow();
      assertThat(member.status()).isEqualTo("unsubscribed");
      assertThat(member.mergeFields()).containsEntry("LNAME", "Changed");
      v.put("status", "maybe");
      assertThatThrownBy(() -> c.mapFields(objectType(), keyField(), v, null)).isInstanceOf(dev.sluice.connectors.FieldMappingException.class)
          .hasMessageContaining("status");
    }
  }

  @Test
  void membersAreArchivedByHashAndAnUnknownOrRepeatedOneCountsAsDeleted() throws Exception {
    String k = newKey();
    try (DestinationConnector c = newConnector()) {
      WriteResult w = c.uploadBatch(objectType(), List.of(c.mapFields(objectType(), keyField(), goodRecord(k), null)), null);
      String hash = w.results().get(0).externalId();
      String unknown = MailchimpConnector.subscriberHash("nobody-" + k + "@example.test");
      WriteResult d = c.deleteBatch(objectType(), List.of(hash, unknown, "not-a-hash"));
      assertThat(d.results()).extracting(WriteResult.RecordResult::status)
          .containsExactly(WriteResult.Status.DELETED, WriteResult.Status.DELETED, WriteResult.Status.FAILED);
      assertThat(audience.members().stream().filter(m -> m.id().equals(hash)).findFirst().orElseThrow().status()).isEqualTo("archived");
      assertThat(c.deleteBatch(objectType(), List.of(hash)).failures()).isZero();
    }
  }
}
