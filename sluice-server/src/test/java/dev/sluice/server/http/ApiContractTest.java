package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/** {@link ApiContract} fails exchanges the document does not describe (exchanges built in memory). */
class ApiContractTest {
  private static final URI BASE = URI.create("http://127.0.0.1:8080");
  private static final String TRIGGERED = "{\"run_id\":7,\"status\":\"pending\",\"coalesced\":false,\"url\":\"/v1/sync-runs/7\"}";

  @Test
  void aDescribedExchangePasses() {
    assertThatCode(() -> check(get("/v1/sync-runs?limit=5&status=completed"), null, 200, "application/json", "{\"runs\":[],\"next_before\":null}"))
        .doesNotThrowAnyException();
    assertThatCode(() -> check(post("/v1/sync-runs", "{\"connection\":\"c\"}"), "{\"connection\":\"c\"}", 202, "application/json", TRIGGERED,
        "Location", "/v1/sync-runs/7")).doesNotThrowAnyException();
    assertThatCode(() -> check(get("/v1/nothing"), null, 404, "application/json", "{\"error\":\"no such endpoint\"}")).doesNotThrowAnyException();
  }

  @Test
  void aStatusTheOperationDoesNotDescribeFails() {
    assertThatThrownBy(() -> check(get("/v1/sync-runs"), null, 500, "application/json", "{\"error\":\"boom\"}"))
        .hasMessageContaining("validation.response.status.unknown");
    assertThatThrownBy(() -> check(get("/v1/connections"), null, 409, "application/json", "{\"error\":\"no\"}"))
        .hasMessageContaining("validation.response.status.unknown");
  }

  @Test
  void aBodyOffTheSchemaFails() {
    // wrong type, in a 3.1 type list
    assertThatThrownBy(() -> check(get("/v1/sync-runs"), null, 200, "application/json", "{\"runs\":[],\"next_before\":\"x\"}"))
        .hasMessageContaining("next_before");
    // a field the document does not have
    assertThatThrownBy(() -> check(get("/v1/sync-runs"), null, 200, "application/json", "{\"runs\":[],\"next_before\":null,\"more\":1}"))
        .hasMessageContaining("more");
    // a required field missing
    assertThatThrownBy(() -> check(get("/v1/sync-runs"), null, 200, "application/json", "{\"runs\":[]}"))
        .hasMessageContaining("next_before");
    // an enum value the document does not list
    assertThatThrownBy(() -> check(post("/v1/sync-runs", "{\"connection\":\"c\"}"), "{\"connection\":\"c\"}", 202, "application/json",
        TRIGGERED.replace("pending", "queued"), "Location", "/v1/sync-runs/7")).hasMessageContaining("queued");
  }

  @Test
  void aContentTypeOrHeaderOffTheDocumentFails() {
    assertThatThrownBy(() -> check(get("/v1/jobs/stats"), null, 200, "text/plain", "kinds"))
        .hasMessageContaining("validation.response.contentType.notAllowed");
    assertThatThrownBy(() -> check(post("/v1/sync-runs", "{\"connection\":\"c\"}"), "{\"connection\":\"c\"}", 202, "application/json", TRIGGERED))
        .hasMessageContaining("Location");
  }

  @Test
  void errorAnswersHaveTheOneErrorShape() {
    assertThatThrownBy(() -> check(get("/v1/sync-runs/9"), null, 404, "application/json", "{\"message\":\"no run 9\"}"))
        .hasMessageContaining("validation.response.body");
    assertThatThrownBy(() -> check(get("/v1/nothing"), null, 404, "text/html", "<h1>Not found</h1>"))
        .hasMessageContaining("not application/json");
    assertThatThrownBy(() -> check(get("/v1/nothing"), null, 404, "application/json", "{\"error\":\"x\",\"status\":404}"))
        .hasMessageContaining("Error shape");
    assertThatThrownBy(() -> check(get("/v1/nothing"), null, 200, "application/json", "{}"))
        .hasMessageContaining("no operation");
  }

  @Test
  void aRequestTheDocumentForbidsMustBeRefused() {
    HttpRequest noToken = HttpRequest.newBuilder(BASE.resolve("/v1/jobs/stats")).GET().build();
    assertThatCode(() -> check(noToken, null, 401, "application/json", "{\"error\":\"missing Authorization header\"}")).doesNotThrowAnyException();
    assertThatThrownBy(() -> check(noToken, null, 200, "application/json", "{\"kinds\":{},\"totals\":{},\"oldest_ready_age_ms\":null}"))
        .hasMessageContaining("forbids");
    assertThatCode(() -> check(get("/v1/sync-runs/abc"), null, 400, "application/json", "{\"error\":\"run id must be a whole number\"}"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> check(get("/v1/sync-runs?limit=abc"), null, 200, "application/json", "{\"runs\":[],\"next_before\":null}"))
        .hasMessageContaining("forbids").hasMessageContaining("limit");
    assertThatThrownBy(() -> check(get("/v1/sync-runs?limit=5000"), null, 200, "application/json", "{\"runs\":[],\"next_before\":null}"))
        .hasMessageContaining("forbids").hasMessageContaining("limit");
    assertThatThrownBy(() -> check(post("/v1/sync-runs", "{\"connection\":1}"), "{\"connection\":1}", 202, "application/json", TRIGGERED,
        "Location", "/v1/sync-runs/7")).hasMessageContaining("forbids").hasMessageContaining("connection");
  }

  private static HttpRequest get(String path) {
    return HttpRequest.newBuilder(BASE.resolve(path)).header("Authorization", "Bearer t").GET().build();
  }

  private static HttpRequest post(String path, String body) {
    return HttpRequest.newBuilder(BASE.resolve(path)).header("Authorization", "Bearer t").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static void check(HttpRequest request, String requestBody, int status, String contentType, String body, String... headers) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    h.put("Content-Type", List.of(contentType));
    for (int i = 0; i < headers.length; i += 2) h.put(headers[i], List.of(headers[i + 1]));
    ApiContract.check(request, requestBody, new Fake(request, status, HttpHeaders.of(h, (a, b) -> true), body), body);
  }

  private record Fake(HttpRequest request, int statusCode, HttpHeaders headers, String body) implements HttpResponse<String> {
    @Override
    public Optional<HttpResponse<String>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
