package dev.sluice.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls to a running {@link ApiServer} over loopback HTTP, for the server's tests. */
final class ApiCalls {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ApiCalls() {}

  /** One answer: status, the body parsed when it is JSON (else null), and the raw response. */
  record Answer(int status, JsonNode body, HttpResponse<String> raw) {}

  /** {@code method path} against {@code base}, with {@code body} as JSON when not null and the bearer token when not null. */
  static Answer call(URI base, String method, String path, String body, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    if (token != null) b.header("Authorization", "Bearer " + token);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) json = JSON.readTree(r.body());
    return new Answer(r.statusCode(), json, r);
  }
}
