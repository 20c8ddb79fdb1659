package dev.sluice.server.http;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The API contract for tests: {@code openapi.yaml} (the very file the server serves) as a validator of
 * HTTP exchanges. {@link #check} fails the test (an {@link AssertionError} naming every difference)
 * when an exchange departs from the document:
 *
 * <ul>
 *   <li>a request the document allows must get a response the document describes for that operation:
 *       its status, content type, declared headers and body schema;
 *   <li>a request the document forbids (a missing token, a malformed id, a body that breaks the
 *       schema) must be refused with a 4xx the document describes, never served with a 2xx;
 *   <li>a request for a path or method the document does not have must be refused (404 or 405, or
 *       401/429 by the checks that run before routing) in the {@code Error} shape.
 * </ul>
 *
 * Every call made through {@link ApiCalls} is checked this way; a test that talks HTTP some other way
 * (e.g. streaming) passes its exchange to {@link #check} itself.
 */
public final class ApiContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ApiContract INSTANCE = new ApiContract(document());

  private final OpenApiInteractionValidator validator;
  private final OpenApiSchemas schemas;

  private ApiContract(String yaml) {
    this.schemas = new OpenApiSchemas(yaml);
    // Every message is an error: nothing the validator notices is waved through.
    this.validator = OpenApiInteractionValidator.createForInlineApiSpecification(yaml)
        .withLevelResolver(LevelResolver.create().withDefaultLevel(ValidationReport.Level.ERROR).build())
        .build();
  }

  /** The contract of {@code openapi.yaml} as on the test classpath (= {@code src/main/resources}). */
  public static ApiContract get() {
    return INSTANCE;
  }

  /** Every route the document describes, as {@code METHOD /path/{param}}. */
  public List<String> routes() {
    return schemas.routes();
  }

  /** The document's text, as the server serves it. */
  public static String document() {
    try (InputStream in = ApiContract.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) throw new IllegalStateException("openapi.yaml is not on the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Checks one exchange against the document. {@code requestBody} is what was sent (null for none);
   * {@code responseBody} what came back (null when the test did not read it, e.g. a long event
   * stream: then the status, content type and headers are still checked).
   */
  public static void check(HttpRequest request, String requestBody, HttpResponse<?> response, String responseBody) {
    INSTANCE.verify(request, requestBody, response, responseBody);
  }

  private void verify(HttpRequest request, String requestBody, HttpResponse<?> response, String bodyAsRead) {
    String responseBody = request.method().equals("HEAD") ? null : bodyAsRead; // a HEAD answer never has one
    URI uri = request.uri();
    String what = request.method() + " " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " → " + response.statusCode();
    int status = response.statusCode();
    Optional<OpenApiSchemas.Operation> operation = schemas.find(request.method(), uri.getRawPath());
    if (operation.isEmpty()) {
      // Refused as unknown (404, 405), or before routing as unauthenticated or throttled (401, 429).
      if (status != 404 && status != 405 && status != 401 && status != 429) {
        throw new AssertionError("openapi.yaml has no operation for " + what + ", but the server answered it: document the route");
      }
      checkErrorShape(what, response, responseBody);
      return;
    }
    // The request: OpenAPI rules (security, content type, parameters) and the 2020-12 schemas.
    List<String> requestProblems = new ArrayList<>(messages(validator.validateRequest(toRequest(request, requestBody)).getMessages()));
    requestProblems.addAll(schemas.checkRequest(operation.get(), query(uri), request.headers().map(),
        request.headers().firstValue("Content-Type").orElse(null), requestBody));
    // The response: status, content type and headers the operation declares, and the body's schema.
    Request.Method method = Request.Method.valueOf(request.method().toUpperCase(Locale.ROOT));
    List<String> responseProblems = new ArrayList<>(messages(validator.validateResponse(uri.getRawPath(), method, toResponse(response, responseBody))
        .getMessages().stream()
        .filter(m -> responseBody != null || !m.getKey().equals("validation.response.body.missing"))
        .toList()));
    responseProblems.addAll(schemas.checkResponse(operation.get(), status, response.headers().firstValue("Content-Type").orElse(null), responseBody));
    if (!responseProblems.isEmpty()) {
      throw new AssertionError("the response departs from openapi.yaml (" + operation.get().method().toUpperCase(Locale.ROOT) + " "
          + operation.get().template() + ") for " + what + ":\n  - " + String.join("\n  - ", responseProblems)
          + (responseBody == null ? "" : "\nbody: " + abbreviate(responseBody)));
    }
    if (!requestProblems.isEmpty() && (status < 400 || status >= 500)) {
      throw new AssertionError("the server accepted a request that openapi.yaml forbids (" + what + "); either the document is too strict"
          + " or the server too lenient:\n  - " + String.join("\n  - ", requestProblems));
    }
    if (status >= 400) {
      if (answersSoapFaults(operation.get())) checkSoapFault(what, response, responseBody);
      else checkErrorShape(what, response, responseBody);
    }
  }

  /**
   * The one documented exception to the Error shape: the Salesforce Outbound Message receiver
   * answers its errors as SOAP Faults (text/xml), because its sender reads SOAP, not JSON.
   */
  static final String SOAP_FAULT_ROUTE = "POST /hooks/salesforce/{connection}";

  static boolean answersSoapFaults(OpenApiSchemas.Operation op) {
    return SOAP_FAULT_ROUTE.equals(op.method().toUpperCase(Locale.ROOT) + " " + op.template());
  }

  private static void checkSoapFault(String what, HttpResponse<?> response, String body) {
    String type = response.headers().firstValue("Content-Type").orElse("");
    if (!type.startsWith("text/xml")) throw new AssertionError("error answer to " + what + " is " + type + ", not a text/xml SOAP Fault");
    if (body == null) return;
    if (!body.matches("^<soapenv:Envelope xmlns:soapenv=\"http://schemas\\.xmlsoap\\.org/soap/envelope/\"><soapenv:Body><soapenv:Fault>"
        + "<faultcode>soapenv:(Client|Server)</faultcode><faultstring>[^<\n]+</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>$")) {
      throw new AssertionError("error answer to " + what + " is not a SOAP Fault with a one-line faultstring: " + abbreviate(body));
    }
  }

  private static Map<String, List<String>> query(URI uri) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    if (uri.getRawQuery() == null) return query;
    for (String pair : uri.getRawQuery().split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return query;
  }

  private static List<String> messages(List<ValidationReport.Message> messages) {
    return messages.stream()
        .map(m -> "[" + m.getKey() + "] " + m.getMessage() + (m.getAdditionalInfo().isEmpty() ? "" : " (" + String.join("; ", m.getAdditionalInfo()) + ")"))
        .toList();
  }

  /** Every error answer is {@code {"error":"<reason>"}} as application/json, documented route or not. */
  private static void checkErrorShape(String what, HttpResponse<?> response, String body) {
    assertErrorShape(what, response.headers().firstValue("Content-Type").orElse(""), body);
  }

  /**
   * Fails unless an error answer is the one Error shape: {@code application/json}
   * {@code {"error":"<reason>"}} (for answers no operation describes, e.g. Jetty's own refusals).
   */
  public static void assertErrorShape(String what, String type, String body) {
    if (!type.startsWith("application/json")) throw new AssertionError("error answer to " + what + " is " + type + ", not application/json");
    if (body == null) return;
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("error answer to " + what + " is not JSON: " + abbreviate(body), e);
    }
    if (n == null || !n.isObject() || n.size() != 1 || !n.path("error").isTextual() || n.get("error").asText().isEmpty()) {
      throw new AssertionError("error answer to " + what + " is not the Error shape {\"error\":\"<reason>\"}: " + abbreviate(body));
    }
  }

  private static Request toRequest(HttpRequest request, String body) {
    URI uri = request.uri();
    SimpleRequest.Builder b = new SimpleRequest.Builder(request.method().toUpperCase(Locale.ROOT), uri.getRawPath());
    request.headers().map().forEach(b::withHeader);
    query(uri).forEach(b::withQueryParam);
    if (body != null) b.withBody(body);
    return b.build();
  }

  private static SimpleResponse toResponse(HttpResponse<?> response, String body) {
    SimpleResponse.Builder b = SimpleResponse.Builder.status(response.statusCode());
    response.headers().map().forEach(b::withHeader);
    if (body != null && !body.isEmpty()) b.withBody(body);
    return b.build();
  }

  private static String abbreviate(String s) {
    return s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
  }
}
