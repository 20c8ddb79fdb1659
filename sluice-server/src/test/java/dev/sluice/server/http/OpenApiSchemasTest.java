package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link OpenApiSchemas} on a small document shaped like a webhook route: header parameter, form body, open security. */
class OpenApiSchemasTest {
  private static final OpenApiSchemas DOC = new OpenApiSchemas("""
      openapi: 3.1.0
      info:
        title: t
        version: '1'
      security:
        - bearer: []
      paths:
        /hooks/{platform}/{connection}:
          post:
            operationId: hook
            security: []
            parameters:
              - name: platform
                in: path
                required: true
                schema:
                  type: string
                  enum: [mailchimp, hubspot]
              - name: connection
                in: path
                required: true
                schema:
                  type: string
              - name: X-Signature
                in: header
                required: true
                schema:
                  type: string
                  pattern: '^v1=[0-9a-f]{64}$'
            requestBody:
              required: true
              content:
                application/x-www-form-urlencoded:
                  schema:
                    type: object
                    required: [type]
                    properties:
                      type:
                        type: string
                      count:
                        type: [integer, 'null']
            responses:
              '204':
                description: taken
        /hooks/mailchimp/ping:
          get:
            operationId: ping
            responses:
              '200':
                description: ok
      components:
        securitySchemes:
          bearer:
            type: http
            scheme: bearer
      """);
  private static final String SIG = "v1=" + "ab".repeat(32);

  @Test
  void theMostLiteralTemplateWinsAndPathValuesAreExtracted() {
    assertThat(DOC.find("GET", "/hooks/mailchimp/ping")).get().extracting(OpenApiSchemas.Operation::template).isEqualTo("/hooks/mailchimp/ping");
    OpenApiSchemas.Operation op = DOC.find("POST", "/hooks/mailchimp/list%20one").orElseThrow();
    assertThat(op.template()).isEqualTo("/hooks/{platform}/{connection}");
    assertThat(op.pathValues()).containsEntry("platform", "mailchimp").containsEntry("connection", "list one");
    assertThat(DOC.find("DELETE", "/hooks/mailchimp/x")).isEmpty();
    assertThat(DOC.routes()).containsExactly("POST /hooks/{platform}/{connection}", "GET /hooks/mailchimp/ping");
  }

  @Test
  void headerParametersFormBodiesAndPathEnumsAreChecked() {
    OpenApiSchemas.Operation op = DOC.find("POST", "/hooks/mailchimp/main").orElseThrow();
    String form = "application/x-www-form-urlencoded";
    assertThat(DOC.checkRequest(op, Map.of(), Map.of("x-signature", List.of(SIG)), form, "type=subscribe&count=3")).isEmpty();
    assertThat(DOC.checkRequest(op, Map.of(), Map.of(), form, "type=subscribe")).anyMatch(p -> p.contains("X-Signature"));
    assertThat(DOC.checkRequest(op, Map.of(), Map.of("X-Signature", List.of("v1=zz")), form, "type=subscribe"))
        .anyMatch(p -> p.contains("X-Signature"));
    assertThat(DOC.checkRequest(op, Map.of(), Map.of("X-Signature", List.of(SIG)), form, "count=three"))
        .anyMatch(p -> p.contains("type")).anyMatch(p -> p.contains("count"));
    assertThat(DOC.checkRequest(op, Map.of(), Map.of("X-Signature", List.of(SIG)), form, "")).anyMatch(p -> p.contains("body is required"));
    OpenApiSchemas.Operation other = DOC.find("POST", "/hooks/segment/main").orElseThrow();
    assertThat(DOC.checkRequest(other, Map.of(), Map.of("X-Signature", List.of(SIG)), form, "type=x")).anyMatch(p -> p.contains("platform"));
  }

  @Test
  void securityFallsBackToTheDocumentsAndAnOperationCanOpenIt() {
    OpenApiSchemas.Operation ping = DOC.find("GET", "/hooks/mailchimp/ping").orElseThrow();
    assertThat(DOC.checkRequest(ping, Map.of(), Map.of(), null, null)).anyMatch(p -> p.contains("security"));
    assertThat(DOC.checkRequest(ping, Map.of(), Map.of("Authorization", List.of("Bearer t")), null, null)).isEmpty();
    assertThat(DOC.checkRequest(ping, Map.of(), Map.of("Authorization", List.of("Basic dDp0")), null, null)).anyMatch(p -> p.contains("security"));
  }
}
