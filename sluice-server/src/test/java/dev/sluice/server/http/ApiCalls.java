package dev.sluice.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Calls to a running {@link ApiServer} over loopback HTTP, for the server's tests. Every call is
 * checked against {@code openapi.yaml} by {@link ApiContract}: a test whose request or response
 * departs from the document fails, whatever it asserts itself.
 *
 * <pre>{@code
 * Answer a = ApiCalls.call(base, "POST", "/v1/sync-runs", "{\"connection\":\"x\"}", token);   // JSON body
 * Answer b = ApiCalls.to(base, "POST", "/hooks/acme/contacts")                                 // anything else
 *     .header("X-Signature", sig).body("application/x-www-form-urlencoded", "a=1&b=2").send();
 * }</pre>
 */
public final class ApiCalls {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ApiCalls() {}

  /** One answer: status, the body parsed when it is JSON (else null), and the raw response. */
  public record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    /** A response header's first value. */
    public Optional<String> header(String name) {
      return raw.headers().firstValue(name);
    }
  }

  /** {@code method path} against {@code base}, with {@code body} as JSON when not null and the bearer token when not null. */
  public static Answer call(URI base, String method, String path, String body, String token) throws IOException, InterruptedException {
    Call c = to(base, method, path).bearer(token);
    if (body != null) c.body("application/json", body);
    return c.send();
  }

  /** A call to build: headers, a body of any content type, then {@link Call#send()}. */
  public static Call to(URI base, String method, String path) {
    return new Call(base, method, path);
  }

  /** A request under construction. */
  public static final class Call {
    private final HttpRequest.Builder builder;
    private final String method;
    private String body;

    private Call(URI base, String method, String path) {
      this.builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
      this.method = method;
    }

    /** Adds a request header. */
    public Call header(String name, String value) {
      builder.header(name, value);
      return this;
    }

    /** {@code Authorization: Bearer <token>}; nothing when {@code token} is null. */
    public Call bearer(String token) {
      return token == null ? this : header("Authorization", "Bearer " + token);
    }

    /** The body, sent with {@code Content-Type: contentType}. */
    public Call body(String contentType, String body) {
      this.body = body;
      return header("Content-Type", contentType);
    }

    /**
     * Sends {@code Expect: 100-continue} and the body only once the server asks for it: a server that
     * refuses on the headers alone (e.g. a declared length over the limit) answers before the upload.
     */
    public Call expectContinue() {
      builder.expectContinue(true);
      return this;
    }

    /** Sends the request, checks the exchange against {@code openapi.yaml}, and returns the answer. */
    public Answer send() throws IOException, InterruptedException {
      builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      HttpRequest request = builder.build();
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      ApiContract.check(request, body, r, r.body());
      JsonNode json = null;
      if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) json = JSON.readTree(r.body());
      return new Answer(r.statusCode(), json, r);
    }
  }
}
