package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;

/**
 * {@code openapi.yaml} is valid OpenAPI 3.1, written so it stays so, with one error shape (and one
 * documented exception: the Salesforce receiver's SOAP Faults, {@link ApiContract#SOAP_FAULT_ROUTE}).
 */
class OpenApiDocumentTest {
  private static final String DOCUMENT = document();
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /** The document as on the test classpath (= {@code src/main/resources}, what the server serves). */
  static String document() {
    try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theValidatorFindsNothingToSay() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setValidateInternalRefs(true);
    SwaggerParseResult result = new OpenAPIParser().readContents(DOCUMENT, null, options);
    assertThat(result.getMessages()).as("swagger-parser's messages about openapi.yaml").isEmpty();
    assertThat(result.getOpenAPI()).isNotNull();
    assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
    assertThat(result.getOpenAPI().getPaths()).isNotEmpty();
  }

  @Test
  void theValidatorCatchesTheCommaTrapThisDocumentAvoids() {
    // The bug this document had: a flow mapping whose text holds a comma splits into extra keys.
    String broken = """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /x:
            get:
              responses:
                '413': {description: Body larger than 1,000,000 bytes}
        """;
    SwaggerParseResult result = new OpenAPIParser().readContents(broken, null, new ParseOptions());
    assertThat(result.getMessages()).anyMatch(m -> m.contains("413") && m.contains("unexpected"));
  }

  @Test
  void noFlowMappingsAndNoDuplicateKeys() {
    LoaderOptions strict = new LoaderOptions();
    strict.setAllowDuplicateKeys(false);
    new Yaml(strict).load(DOCUMENT); // throws on a duplicate key
    List<String> flows = new ArrayList<>();
    for (Event e : new Yaml().parse(new StringReader(DOCUMENT))) {
      if (e instanceof MappingStartEvent m && ((CollectionStartEvent) m).isFlow()) {
        flows.add("line " + (e.getStartMark().getLine() + 1));
      }
    }
    assertThat(flows).as("flow mappings {…} in openapi.yaml: write them in block style").isEmpty();
  }

  @Test
  void everyOperationHasAUniqueOperationIdAndEveryErrorAnswerIsTheErrorSchema() throws Exception {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(DOCUMENT);
    Map<String, String> ids = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (String method : METHODS) {
        JsonNode op = path.getValue().get(method);
        if (op == null) continue;
        String where = method.toUpperCase() + " " + path.getKey();
        String id = op.path("operationId").asText("");
        if (id.isEmpty()) problems.add(where + " has no operationId");
        else if (ids.putIfAbsent(id, where) != null) problems.add(where + " reuses operationId " + id + " of " + ids.get(id));
        if (op.path("responses").has("default")) problems.add(where + " has a 'default' response: it would let any status pass");
        for (Iterator<Map.Entry<String, JsonNode>> rs = op.path("responses").fields(); rs.hasNext(); ) {
          Map.Entry<String, JsonNode> r = rs.next();
          if (r.getKey().compareTo("400") < 0) continue;
          JsonNode response = r.getValue();
          if (response.has("$ref")) response = doc.at(response.get("$ref").asText().substring(1));
          JsonNode content = response.path("content");
          if (ApiContract.SOAP_FAULT_ROUTE.equals(where)) {
            // the one documented exception: the Salesforce receiver's sender reads SOAP Faults, not JSON
            if (content.size() != 1 || !"#/components/schemas/SoapFault".equals(content.path("text/xml").path("schema").path("$ref").asText())) {
              problems.add(where + " answers " + r.getKey() + " with something other than a text/xml SoapFault");
            }
            continue;
          }
          if (content.size() != 1 || !"#/components/schemas/Error".equals(content.path("application/json").path("schema").path("$ref").asText())) {
            problems.add(where + " answers " + r.getKey() + " with something other than application/json Error");
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }
}
