package dev.sluice.inbound;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * InboundRequest is one webhook HTTP request as the receiver got it: the raw path and query (still
 * percent-encoded, as signatures cover them), the headers and the raw body bytes. Immutable apart
 * from the body array, which callers must not change after handing it over.
 *
 * @param method e.g. {@code POST}
 * @param rawPath the path as sent, e.g. {@code /hooks/hubspot/hubspot-main}
 * @param rawQuery the query string without {@code ?}, or null
 * @param headers header values by name (looked up case-insensitively)
 * @param body the raw body
 */
public record InboundRequest(String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body) {
  public InboundRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(rawPath, "rawPath");
    TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.putAll(headers);
    headers = java.util.Collections.unmodifiableMap(h);
    body = body == null ? new byte[0] : body;
  }

  /** A header's value, or null. */
  public String header(String name) {
    return headers.get(name);
  }
}
