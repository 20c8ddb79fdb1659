package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.PermanentJobFailure;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code http.request}: any HTTP API (an ERP such as Exact Online, an internal service). The job's
 * dedupe key travels as {@code Idempotency-Key}, the same on every retry. With {@code sign} the
 * request carries an HMAC-SHA256 signature of {@code <timestamp>.<body>} (hex or base64) and the
 * timestamp (Unix seconds) in two headers, computed at send time with a key from sluice.yaml
 * ({@code rules.signing_keys}), so the secret is never in a rules file, a job or a decision.
 */
final class HttpRequestAction implements ActionHandler {
  static final String DEFAULT_SIGNATURE_HEADER = "X-Sluice-Signature";
  static final String DEFAULT_TIMESTAMP_HEADER = "X-Sluice-Timestamp";
  private static final Set<String> ENCODINGS = Set.of("hex", "base64");
  private static final Set<String> SIGN_KEYS = Set.of("key", "header", "timestamp_header", "encoding");

  private final Map<String, byte[]> signingKeys;
  private final ActionHttp http;

  HttpRequestAction(Map<String, byte[]> signingKeys, ActionHttp http) {
    this.signingKeys = Map.copyOf(signingKeys);
    this.http = http;
  }

  @Override
  public String kind() {
    return ActionSignature.HTTP_REQUEST;
  }

  @Override
  public Set<String> connections() {
    return Set.of();
  }

  @Override
  public String configProblem(Map<String, Object> args) {
    Object sign = args.get("sign");
    if (sign == null) return null;
    if (!(sign instanceof Map<?, ?> m)) return "http.request: sign must be a mapping {key, header, timestamp_header, encoding}";
    for (Object k : m.keySet()) {
      if (!SIGN_KEYS.contains(String.valueOf(k))) return "http.request: sign: unknown argument '" + k + "' (known: encoding, header, key, timestamp_header)";
    }
    String key = ActionHandler.plain(m.get("key"));
    if (key == null) return "http.request: sign needs a key (a name under rules.signing_keys in sluice.yaml)";
    if (!signingKeys.containsKey(key)) {
      return "http.request: no signing key '" + key + "' under rules.signing_keys in sluice.yaml"
          + (signingKeys.isEmpty() ? "" : " (configured: " + String.join(", ", new java.util.TreeSet<>(signingKeys.keySet())) + ")");
    }
    String enc = ActionHandler.plain(m.get("encoding"));
    if (enc != null && !ENCODINGS.contains(enc)) return "http.request: sign.encoding must be hex or base64, got '" + enc + "'";
    return null;
  }

  @Override
  public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
    String url = args.path("url").asText();
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("url '" + url + "' is not a URL");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) throw new IllegalArgumentException("url '" + url + "' is not http(s)");
    req.put("method", args.path("method").asText("POST").toUpperCase(Locale.ROOT));
    req.put("url", url);
    ObjectNode headers = req.putObject("headers");
    if (args.has("body")) headers.put("Content-Type", "application/json");
    args.path("headers").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asText()));
    headers.put(Actions.IDEMPOTENCY_HEADER, dedupeKey);
    JsonNode sign = args.get("sign");
    if (sign != null && sign.isObject()) {
      ObjectNode s = req.putObject("sign");
      s.put("key", sign.path("key").asText());
      s.put("header", sign.path("header").asText(DEFAULT_SIGNATURE_HEADER));
      s.put("timestamp_header", sign.path("timestamp_header").asText(DEFAULT_TIMESTAMP_HEADER));
      s.put("encoding", sign.path("encoding").asText("hex"));
      headers.put(s.path("timestamp_header").asText(), "<Unix seconds at send time>");
      headers.put(s.path("header").asText(), "<HMAC-SHA256 (" + s.path("encoding").asText() + ") of timestamp.body with key " + s.path("key").asText() + ">");
    }
    if (args.has("body")) req.set("body", args.get("body"));
  }

  @Override
  public void send(JobContext ctx, JsonNode payload) throws Exception {
    JsonNode req = payload.path("request");
    String body = ActionHttp.body(req);
    HttpResponse<String> res = http.send(req, signature(req.get("sign"), body), null, body);
    http.retryOnThrottleOrServerError(res);
    ObjectNode kept = ActionHttp.response(res, null);
    ctx.progress(kept);
    if (res.statusCode() / 100 != 2) {
      throw new PermanentJobFailure("HTTP " + res.statusCode() + " from " + req.path("method").asText() + " " + req.path("url").asText()
          + ": " + kept.path("response").path("body").asText());
    }
  }

  /** The signature and timestamp headers for {@code body}, signed now; none when the request is not signed. */
  private Map<String, String> signature(JsonNode sign, String body) {
    if (sign == null || !sign.isObject()) return Map.of();
    byte[] key = signingKeys.get(sign.path("key").asText());
    if (key == null) throw new PermanentJobFailure("no signing key '" + sign.path("key").asText() + "' in this process's config");
    String timestamp = Long.toString(http.clock().instant().getEpochSecond());
    byte[] mac = hmacSha256(key, timestamp + "." + (body == null ? "" : body));
    Map<String, String> out = new LinkedHashMap<>();
    out.put(sign.path("timestamp_header").asText(DEFAULT_TIMESTAMP_HEADER), timestamp);
    out.put(sign.path("header").asText(DEFAULT_SIGNATURE_HEADER),
        "base64".equals(sign.path("encoding").asText()) ? Base64.getEncoder().encodeToString(mac) : HexFormat.of().formatHex(mac));
    return out;
  }

  static byte[] hmacSha256(byte[] key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
