package dev.sluice.inbound;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The Standard Webhooks scheme (standardwebhooks.com): {@code webhook-signature} holds
 * space-separated {@code v1,<base64>} entries, each an HMAC-SHA256 over
 * {@code <webhook-id>.<webhook-timestamp>.<raw body>} keyed with the base64-decoded secret (its
 * {@code whsec_} prefix removed). One matching entry against one configured secret suffices, so
 * secrets can be rotated; timestamps (Unix seconds) more than five minutes from now are refused.
 */
final class StandardWebhookVerifier {
  static final Duration MAX_SKEW = Duration.ofMinutes(5);
  private static final String PREFIX = "whsec_";

  private StandardWebhookVerifier() {}

  /** The HMAC key of a secret; IllegalArgumentException when it is not base64. */
  /** Longest {@code webhook-id} accepted (the spec's ids are short, e.g. {@code msg_2KWPBgLlAfxdpx2AI54pPJ85f4W}). */
  static final int MAX_ID_LENGTH = 256;

  static byte[] key(String secret) {
    String s = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a Standard Webhooks secret is base64 after its whsec_ prefix");
    }
  }

  static void verify(List<String> secrets, InboundRequest r, Clock clock) {
    String id = required(r, "webhook-id");
    if (id.length() > MAX_ID_LENGTH || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      // The id is the dedupe key: stored as text, so it must be printable (PostgreSQL refuses NUL).
      throw WebhookRejected.badRequest("webhook-id must be printable text of at most " + MAX_ID_LENGTH + " characters");
    }
    String timestamp = required(r, "webhook-timestamp");
    String signatures = required(r, "webhook-signature");
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw WebhookRejected.unauthorized("webhook-timestamp is not Unix seconds");
    }
    if (Math.abs(clock.millis() / 1000 - seconds) > MAX_SKEW.toSeconds()) {
      throw WebhookRejected.unauthorized("webhook-timestamp is more than 5 minutes from now");
    }
    byte[] signed = signedContent(id, timestamp.trim(), r.body());
    for (String secret : secrets) {
      byte[] expected = ConstantTime.hmacSha256(key(secret), signed);
      for (String entry : signatures.trim().split(" +")) {
        int comma = entry.indexOf(',');
        if (comma < 0 || !entry.substring(0, comma).equals("v1")) continue;
        byte[] provided;
        try {
          provided = Base64.getDecoder().decode(entry.substring(comma + 1));
        } catch (IllegalArgumentException e) {
          continue;
        }
        if (MessageDigest.isEqual(expected, provided)) return;
      }
    }
    throw WebhookRejected.unauthorized("no v1 entry of webhook-signature matches");
  }

  static byte[] signedContent(String id, String timestamp, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64);
    out.writeBytes((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** {@code v1,<base64>} for {@code body} signed with {@code secret} (for senders in tests and the bench). */
  static String sign(String secret, String id, long timestampSeconds, byte[] body) {
    return "v1," + Base64.getEncoder().encodeToString(
        ConstantTime.hmacSha256(key(secret), signedContent(id, Long.toString(timestampSeconds), body)));
  }

  private static String required(InboundRequest r, String header) {
    String v = r.header(header);
    if (v == null || v.isBlank()) throw WebhookRejected.unauthorized("missing " + header + " header");
    return v;
  }
}
