package dev.sluice.inbound;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * HubSpot's v3 request signature: base64(HMAC-SHA256(app secret, method + URI + body + timestamp)),
 * where the URI is the one HubSpot called (so behind a reverse proxy it is rebuilt from the
 * configured public base URL, not from what the proxy forwarded) with {@code %3A %2F %3F %40 %21
 * %24 %27 %28 %29 %2A %2C %3B} decoded. Timestamps more than five minutes from now, either way, are
 * refused: a captured request cannot be replayed later.
 */
final class HubSpotSignature {
  static final Duration MAX_SKEW = Duration.ofMinutes(5);
  static final String SIGNATURE = "X-HubSpot-Signature-v3";
  static final String TIMESTAMP = "X-HubSpot-Request-Timestamp";
  private static final String[][] DECODED = {{"%3A", ":"}, {"%2F", "/"}, {"%3F", "?"}, {"%40", "@"}, {"%21", "!"},
      {"%24", "$"}, {"%27", "'"}, {"%28", "("}, {"%29", ")"}, {"%2A", "*"}, {"%2C", ","}, {"%3B", ";"}};

  private HubSpotSignature() {}

  static void verify(String appSecret, InboundRequest r, Optional<URI> publicBaseUrl, Clock clock) {
    String signature = r.header(SIGNATURE);
    String timestamp = r.header(TIMESTAMP);
    if (signature == null || signature.isBlank()) throw WebhookRejected.unauthorized("missing " + SIGNATURE + " header");
    if (timestamp == null || timestamp.isBlank()) throw WebhookRejected.unauthorized("missing " + TIMESTAMP + " header");
    long millis;
    try {
      millis = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw WebhookRejected.unauthorized(TIMESTAMP + " is not epoch milliseconds");
    }
    if (Math.abs(clock.millis() - millis) > MAX_SKEW.toMillis()) {
      throw WebhookRejected.unauthorized(TIMESTAMP + " is more than 5 minutes from now");
    }
    byte[] provided;
    try {
      provided = Base64.getDecoder().decode(signature.trim());
    } catch (IllegalArgumentException e) {
      throw WebhookRejected.unauthorized(SIGNATURE + " is not base64");
    }
    byte[] expected = sign(appSecret, r.method(), signedUri(r, publicBaseUrl), r.body(), timestamp.trim());
    if (!MessageDigest.isEqual(expected, provided)) {
      throw WebhookRejected.unauthorized(SIGNATURE + " does not match (wrong app secret, or a URL changed by a proxy: set inbound.public_base_url)");
    }
  }

  static byte[] sign(String appSecret, String method, String uri, byte[] body, String timestamp) {
    return ConstantTime.hmacSha256(appSecret.getBytes(StandardCharsets.UTF_8), new byte[][] {
        (method + decodeReserved(uri)).getBytes(StandardCharsets.UTF_8), body, timestamp.getBytes(StandardCharsets.UTF_8)});
  }

  /** The URL HubSpot called: the public base URL (or {@code http://<Host>}) + the raw path + query. */
  static String signedUri(InboundRequest r, Optional<URI> publicBaseUrl) {
    String base;
    if (publicBaseUrl.isPresent()) {
      base = publicBaseUrl.get().toString().replaceAll("/+$", "");
    } else {
      String host = r.header("Host");
      if (host == null || host.isBlank()) {
        throw WebhookRejected.unauthorized("cannot rebuild the signed URL without a Host header (set inbound.public_base_url)");
      }
      base = "http://" + host.trim();
    }
    return base + r.rawPath() + (r.rawQuery() == null || r.rawQuery().isEmpty() ? "" : "?" + r.rawQuery());
  }

  static String decodeReserved(String uri) {
    String out = uri;
    for (String[] p : DECODED) {
      out = out.replace(p[0], p[1]).replace(p[0].toLowerCase(java.util.Locale.ROOT), p[1]);
    }
    return out;
  }
}
