package dev.sluice.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzz targets for every webhook body parser (docs/fuzzing.md). The contract: a body is either
 * refused with {@link WebhookRejected} (a 4xx with a clear reason) or parsed into events that
 * PostgreSQL can store (no NUL character in any text, timestamps inside timestamptz's range), so
 * that a sender's bad input never turns into a 500 or an endless 503. In a normal build each target
 * replays its saved inputs ({@code src/test/resources/dev/sluice/inbound/WebhookParsersFuzzTestInputs/<method>/}).
 */
class WebhookParsersFuzzTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  @FuzzTest(maxDuration = "30s")
  void hubSpotEvents(byte[] body) {
    try {
      HubSpotEvents.parse(body).forEach(WebhookParsersFuzzTest::assertStorable);
    } catch (WebhookRejected expected) {
      assertRefusal(expected);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void salesforceOutboundMessage(byte[] body) {
    try {
      SalesforceOutboundMessage.Parsed parsed = SalesforceOutboundMessage.parse(body);
      SalesforceOutboundMessage.sameOrganization("00D000000000001", parsed.organizationId());
      SalesforceOutboundMessage.events(parsed).forEach(WebhookParsersFuzzTest::assertStorable);
    } catch (WebhookRejected expected) {
      assertRefusal(expected);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void mailchimpForm(byte[] body) {
    try {
      assertStorable(MailchimpForm.event(MailchimpForm.parse(body)));
    } catch (WebhookRejected expected) {
      assertRefusal(expected);
    }
  }

  /**
   * Standard Webhooks: fuzzed headers against the verifier, and (signed with the configured secret,
   * as the sender would) fuzzed bodies against the event parser.
   */
  @FuzzTest(maxDuration = "30s")
  void standardWebhook(FuzzedDataProvider data) {
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    String id = data.consumeString(80);
    boolean sign = data.consumeBoolean();
    String timestamp = sign ? Long.toString(NOW.getEpochSecond()) : data.consumeString(24);
    String signature = sign ? null : data.consumeString(200);
    byte[] body = data.consumeRemainingAsBytes();
    if (sign) {
      signature = StandardWebhookVerifier.sign(secret, id, NOW.getEpochSecond(), body);
    }
    Map<String, String> headers = new HashMap<>();
    headers.put("webhook-id", id);
    headers.put("webhook-timestamp", timestamp);
    headers.put("webhook-signature", signature);
    headers.put("Content-Type", "application/json");
    InboundRequest request = new InboundRequest("POST", "/hooks/standard/shop", null, headers, body);
    try {
      StandardWebhookVerifier.verify(List.of(secret), request, Clock.fixed(NOW, ZoneOffset.UTC));
      assertStorable(InboundEvents.standardEvent(request));
    } catch (WebhookRejected expected) {
      assertRefusal(expected);
    }
  }

  private static void assertRefusal(WebhookRejected e) {
    assertThat(e.status()).isBetween(400, 499);
    assertThat(e.getMessage()).isNotBlank().doesNotContain("\n\tat ");
  }

  /** What inbound_event's columns accept: text without NUL, jsonb without \u0000, timestamptz in range. */
  static void assertStorable(NewEvent e) {
    assertThat(e.providerEventId()).isNotBlank();
    for (String s : new String[] {e.providerEventId(), e.type(), e.objectType(), e.objectId(), e.propertyName(), e.propertyValue()}) {
      if (s != null) assertThat(s).doesNotContain("\u0000");
    }
    // jsonb refuses the escape of U+0000, not the text backslash-u-0-0-0-0: walk the values themselves
    noNul(e.payload());
    if (e.occurredAt() != null) {
      assertThat(e.occurredAt()).isBetween(StoredValues.EARLIEST, StoredValues.LATEST);
    }
  }

  private static void noNul(JsonNode n) {
    if (n.isTextual()) assertThat(n.asText()).doesNotContain("\u0000");
    n.fieldNames().forEachRemaining(f -> assertThat(f).doesNotContain("\u0000"));
    n.forEach(WebhookParsersFuzzTest::noNul);
  }
}
