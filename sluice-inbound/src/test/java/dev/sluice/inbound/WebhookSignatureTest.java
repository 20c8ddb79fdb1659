package dev.sluice.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
  static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String SECRET = "app-secret-1";
  static final byte[] BODY = "[{\"eventId\":1}]".getBytes(StandardCharsets.UTF_8);

  /** Signs as HubSpot documents it, independently of the code under test. */
  static String hubspot(String secret, String method, String uri, byte[] body, long ts) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return Base64.getEncoder().encodeToString(mac.doFinal((method + uri + new String(body, StandardCharsets.UTF_8) + ts)
        .getBytes(StandardCharsets.UTF_8)));
  }

  static InboundRequest request(String host, String path, String query, long ts, String signature) {
    return new InboundRequest("POST", path, query, Map.of("Host", host, "X-HubSpot-Request-Timestamp", Long.toString(ts),
        "X-HubSpot-Signature-v3", signature), BODY);
  }

  @Test
  void hubspotSignatureOverTheUrlItCalled() throws Exception {
    long ts = NOW.toEpochMilli() - 1000;
    String sig = hubspot(SECRET, "POST", "http://127.0.0.1:8080/hooks/hubspot/main?x=a:b", BODY, ts);
    // the query arrives with ':' percent-encoded; HubSpot signs it decoded
    assertThatCode(() -> HubSpotSignature.verify(SECRET, request("127.0.0.1:8080", "/hooks/hubspot/main", "x=a%3Ab", ts, sig),
        Optional.empty(), CLOCK)).doesNotThrowAnyException();
  }

  @Test
  void behindAProxyThePublicBaseUrlIsWhatWasSigned() throws Exception {
    long ts = NOW.toEpochMilli();
    String sig = hubspot(SECRET, "POST", "https://hooks.example.com/hooks/hubspot/main", BODY, ts);
    InboundRequest forwarded = request("10.0.0.5:8080", "/hooks/hubspot/main", null, ts, sig);
    assertThatThrownBy(() -> HubSpotSignature.verify(SECRET, forwarded, Optional.empty(), CLOCK))
        .isInstanceOf(WebhookRejected.class).hasMessageContaining("public_base_url");
    assertThatCode(() -> HubSpotSignature.verify(SECRET, forwarded, Optional.of(URI.create("https://hooks.example.com/")), CLOCK))
        .doesNotThrowAnyException();
  }

  @Test
  void hubspotRefusesStaleFutureWrongAndMissing() throws Exception {
    String path = "/hooks/hubspot/main";
    long old = NOW.toEpochMilli() - 5 * 60_000 - 1;
    long future = NOW.toEpochMilli() + 5 * 60_000 + 1;
    for (long ts : new long[] {old, future}) {
      String sig = hubspot(SECRET, "POST", "http://h" + path, BODY, ts);
      assertThatThrownBy(() -> HubSpotSignature.verify(SECRET, request("h", path, null, ts, sig), Optional.empty(), CLOCK))
          .isInstanceOf(WebhookRejected.class).hasMessageContaining("5 minutes")
          .satisfies(e -> assertThat(((WebhookRejected) e).status()).isEqualTo(401));
    }
    long ts = NOW.toEpochMilli();
    String wrong = hubspot("other-secret", "POST", "http://h" + path, BODY, ts);
    assertThatThrownBy(() -> HubSpotSignature.verify(SECRET, request("h", path, null, ts, wrong), Optional.empty(), CLOCK))
        .isInstanceOf(WebhookRejected.class).hasMessageContaining("does not match");
    assertThatThrownBy(() -> HubSpotSignature.verify(SECRET, new InboundRequest("POST", path, null, Map.of("Host", "h"), BODY),
        Optional.empty(), CLOCK)).hasMessageContaining("missing X-HubSpot-Signature-v3");
    assertThatThrownBy(() -> HubSpotSignature.verify(SECRET, request("h", path, null, ts, "not base64!"), Optional.empty(), CLOCK))
        .hasMessageContaining("not base64");
  }

  @Test
  void standardWebhooksSpecExample() {
    // the example from the Standard Webhooks specification
    Clock at = Clock.fixed(Instant.ofEpochSecond(1614265330), ZoneOffset.UTC);
    InboundRequest r = new InboundRequest("POST", "/hooks/standard/app", null, Map.of(
        "webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp", "1614265330",
        "webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
    assertThatCode(() -> StandardWebhookVerifier.verify(List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), r, at))
        .doesNotThrowAnyException();
  }

  @Test
  void standardWebhooksRotationStalenessAndBadSignatures() {
    String oldSecret = "whsec_" + Base64.getEncoder().encodeToString("old-key-0123456789".getBytes(StandardCharsets.UTF_8));
    String newSecret = "whsec_" + Base64.getEncoder().encodeToString("new-key-0123456789".getBytes(StandardCharsets.UTF_8));
    long ts = NOW.getEpochSecond();
    byte[] body = "{\"type\":\"order.placed\"}".getBytes(StandardCharsets.UTF_8);
    String signed = StandardWebhookVerifier.sign(newSecret, "msg_1", ts, body);
    // several entries, one of them matching one configured secret
    InboundRequest ok = standard("msg_1", ts, "v1,AAAA " + signed + " v2,xyz", body);
    assertThatCode(() -> StandardWebhookVerifier.verify(List.of(oldSecret, newSecret), ok, CLOCK)).doesNotThrowAnyException();
    assertThatThrownBy(() -> StandardWebhookVerifier.verify(List.of(oldSecret), ok, CLOCK)).hasMessageContaining("no v1 entry");
    // the id is signed too
    assertThatThrownBy(() -> StandardWebhookVerifier.verify(List.of(newSecret), standard("msg_2", ts, signed, body), CLOCK))
        .isInstanceOf(WebhookRejected.class);
    long stale = ts - 301;
    assertThatThrownBy(() -> StandardWebhookVerifier.verify(List.of(newSecret),
        standard("msg_1", stale, StandardWebhookVerifier.sign(newSecret, "msg_1", stale, body), body), CLOCK))
        .hasMessageContaining("5 minutes");
    assertThatThrownBy(() -> StandardWebhookVerifier.verify(List.of(newSecret),
        new InboundRequest("POST", "/", null, Map.of("webhook-id", "m"), body), CLOCK)).hasMessageContaining("missing webhook-timestamp");
  }

  @Test
  void aWebhookIdThatCannotBeStoredIsRefusedEvenWhenSigned() {
    // Found by the hour of fuzzing: an id of NUL characters, correctly signed, became an empty dedupe key.
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    long ts = CLOCK.millis() / 1000;
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    for (String id : new String[] {"\u0000\u0000", "msg\n1", "m".repeat(StandardWebhookVerifier.MAX_ID_LENGTH + 1)}) {
      assertThatThrownBy(() -> StandardWebhookVerifier.verify(List.of(secret),
          standard(id, ts, StandardWebhookVerifier.sign(secret, id, ts, body), body), CLOCK))
          .isInstanceOfSatisfying(WebhookRejected.class, e -> assertThat(e.status()).isEqualTo(400))
          .hasMessageContaining("webhook-id must be printable");
    }
    String longest = "m".repeat(StandardWebhookVerifier.MAX_ID_LENGTH);
    assertThatCode(() -> StandardWebhookVerifier.verify(List.of(secret),
        standard(longest, ts, StandardWebhookVerifier.sign(secret, longest, ts, body), body), CLOCK)).doesNotThrowAnyException();
  }

  static InboundRequest standard(String id, long ts, String signature, byte[] body) {
    return new InboundRequest("POST", "/hooks/standard/app", null,
        Map.of("webhook-id", id, "webhook-timestamp", Long.toString(ts), "webhook-signature", signature), body);
  }

  @Test
  void constantTimeEqualityIgnoresLengthDifferencesSafely() {
    assertThat(ConstantTime.equal("abc", "abc")).isTrue();
    assertThat(ConstantTime.equal("abc", "abd")).isFalse();
    assertThat(ConstantTime.equal("abc", "abcd")).isFalse();
  }
}
