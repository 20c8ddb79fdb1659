package dev.sluice.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One request the sandbox received, as the journal keeps it.
 *
 * @param at when it arrived (sandbox clock)
 * @param method HTTP method
 * @param path the path without the query
 * @param query the raw query string, or {@code ""}
 * @param headers header names in lower case, each with all its values
 * @param body the raw request body as UTF-8 text ({@code ""} if none)
 * @param status the status answered, or {@code -1} when the connection was dropped on purpose
 * @param fault the injected fault applied, or {@code null}
 */
public record RecordedRequest(
    Instant at, String method, String path, String query, Map<String, List<String>> headers,
    String body, int status, String fault) {

  /** The first value of a header (name case-insensitive), or {@code null}. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
