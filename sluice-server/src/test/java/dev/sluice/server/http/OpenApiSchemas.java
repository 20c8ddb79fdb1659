package dev.sluice.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schema half of {@link ApiContract}: parameters and JSON (and form) bodies checked against
 * the document's schemas in OpenAPI 3.1's dialect of JSON Schema 2020-12 ({@code type} lists
 * with {@code 'null'}, {@code const}, …), with a real 2020-12 validator. Schemas are addressed by
 * JSON pointer into the document itself, so every {@code $ref} resolves as it does for any other
 * reader of {@code openapi.yaml}.
 */
final class OpenApiSchemas {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private final JsonNode doc;
  /**
   * OpenAPI 3.1's schema dialect (JSON Schema 2020-12 plus discriminator, xml, externalDocs,
   * example); the document's top-level fields, around the schemas addressed by pointer, are not keywords.
   */
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(Dialect.builder(Dialects.getOpenApi31())
      .keywords(List.of(new NonValidationKeyword("openapi"), new NonValidationKeyword("info"), new NonValidationKeyword("servers"),
          new NonValidationKeyword("security"), new NonValidationKeyword("paths"), new NonValidationKeyword("components"),
          new NonValidationKeyword("tags"), new NonValidationKeyword("webhooks"), new NonValidationKeyword("jsonSchemaDialect")))
      .build());

  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  OpenApiSchemas(String yaml) {
    try {
      this.doc = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("openapi.yaml does not parse: " + e.getOriginalMessage(), e);
    }
  }

  /** An operation of the document: its path template, lowercase method and JSON pointer. */
  record Operation(String template, String method, String pointer, Map<String, String> pathValues) {}

  /** Every (path template, method) the document describes, e.g. {@code GET /v1/sync-runs/{id}}. */
  List<String> routes() {
    List<String> routes = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      for (String m : METHODS) {
        if (p.getValue().has(m)) routes.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
      }
    }
    return routes;
  }

  /** The operation a request goes to: the path template that matches with the most literal segments. */
  Optional<Operation> find(String method, String rawPath) {
    String m = method.toLowerCase(Locale.ROOT);
    String[] segments = rawPath.split("/", -1);
    Operation best = null;
    int bestLiterals = -1;
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      if (!p.getValue().has(m)) continue;
      String[] template = p.getKey().split("/", -1);
      if (template.length != segments.length) continue;
      Map<String, String> values = new LinkedHashMap<>();
      int literals = 0;
      boolean matches = true;
      for (int i = 0; i < template.length && matches; i++) {
        String t = template[i];
        if (t.startsWith("{") && t.endsWith("}")) {
          if (segments[i].isEmpty()) matches = false;
          else values.put(t.substring(1, t.length() - 1), URLDecoder.decode(segments[i], StandardCharsets.UTF_8));
        } else if (t.equals(segments[i])) {
          literals++;
        } else {
          matches = false;
        }
      }
      if (matches && literals > bestLiterals) {
        best = new Operation(p.getKey(), m, "/paths/" + escape(p.getKey()) + "/" + m, values);
        bestLiterals = literals;
      }
    }
    return Optional.ofNullable(best);
  }

  /** What is wrong with a request's parameters and body, by the document's schemas (empty = nothing). */
  List<String> checkRequest(Operation op, Map<String, List<String>> query, Map<String, List<String>> headers, String contentType, String body) {
    List<String> problems = new ArrayList<>(checkSecurity(op, query, headers));
    List<String> parameterPointers = new ArrayList<>();
    collectParameters(op.pointer().substring(0, op.pointer().lastIndexOf('/')) + "/parameters", parameterPointers);
    collectParameters(op.pointer() + "/parameters", parameterPointers);
    for (String pp : parameterPointers) {
      JsonNode p = doc.at(pp);
      String name = p.path("name").asText();
      String in = p.path("in").asText();
      String value = switch (in) {
        case "path" -> op.pathValues().get(name);
        case "query" -> query.getOrDefault(name, List.of()).stream().findFirst().orElse(null);
        case "header" -> first(headers, name);
        default -> null;
      };
      if (value == null) {
        if (p.path("required").asBoolean(false)) problems.add(in + " parameter '" + name + "' is required");
        continue;
      }
      for (String e : validate(pp + "/schema", coerce(schemaAt(pp + "/schema"), value))) {
        problems.add(in + " parameter '" + name + "' = '" + value + "': " + e);
      }
    }
    String bodyPointer = resolve(op.pointer() + "/requestBody");
    if (bodyPointer != null && doc.at(bodyPointer).isObject()) {
      if (body == null || body.isEmpty()) {
        if (doc.at(bodyPointer).path("required").asBoolean(false)) problems.add("the request body is required");
      } else {
        problems.addAll(checkBody(bodyPointer + "/content", contentType, body, "request"));
      }
    }
    return problems;
  }

  /** The operation's security (or the document's): one of its requirements must be met. */
  private List<String> checkSecurity(Operation op, Map<String, List<String>> query, Map<String, List<String>> headers) {
    JsonNode requirements = doc.at(op.pointer()).has("security") ? doc.at(op.pointer() + "/security") : doc.path("security");
    if (requirements.isEmpty()) return List.of();
    for (JsonNode requirement : requirements) {
      boolean met = true;
      for (Iterator<String> names = requirement.fieldNames(); names.hasNext(); ) {
        JsonNode scheme = doc.path("components").path("securitySchemes").path(names.next());
        met &= switch (scheme.path("type").asText()) {
          case "http" -> {
            String auth = first(headers, "Authorization");
            String prefix = scheme.path("scheme").asText() + " ";
            yield auth != null && auth.regionMatches(true, 0, prefix, 0, prefix.length()) && auth.length() > prefix.length();
          }
          case "apiKey" -> scheme.path("in").asText().equals("query")
              ? query.containsKey(scheme.path("name").asText())
              : first(headers, scheme.path("name").asText()) != null;
          default -> false;
        };
      }
      if (met) return List.of();
    }
    return List.of("no security requirement of the operation is met: " + requirements);
  }

  /** What is wrong with a response's body by the document's schema for its status and content type. */
  List<String> checkResponse(Operation op, int status, String contentType, String body) {
    String response = resolve(op.pointer() + "/responses/" + status);
    if (response == null || body == null || body.isEmpty()) return List.of(); // status and presence: ApiContract's other half
    return checkBody(response + "/content", contentType, body, "response");
  }

  private List<String> checkBody(String contentPointer, String contentType, String body, String what) {
    String media = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    JsonNode content = doc.at(contentPointer);
    if (!content.has(media)) return List.of(); // an undocumented content type: ApiContract's other half says so
    String schemaPointer = contentPointer + "/" + escape(media) + "/schema";
    if (!doc.at(schemaPointer).isObject()) return List.of();
    JsonNode instance;
    if (media.equals("application/json") || media.endsWith("+json")) {
      try {
        instance = JSON.readTree(body);
      } catch (JsonProcessingException e) {
        return List.of("the " + what + " body is not JSON: " + e.getOriginalMessage());
      }
    } else if (media.equals("application/x-www-form-urlencoded")) {
      instance = form(schemaAt(schemaPointer), body);
    } else if (media.endsWith("/xml")) {
      instance = JsonNodeFactory.instance.textNode(body); // XML is described as a string (with a pattern where it matters)
    } else {
      return List.of(); // text, HTML…: the document describes them as strings
    }
    return validate(schemaPointer, instance).stream().map(e -> "the " + what + " body: " + e).toList();
  }

  private ObjectNode form(JsonNode schema, String body) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (!n.has(name)) n.set(name, coerce(follow(schema.path("properties").path(name)), value));
    }
    return n;
  }

  /** A parameter's text as the JSON value its schema's type asks for (integer, number, boolean), else a string. */
  private static JsonNode coerce(JsonNode schema, String value) {
    JsonNode type = schema.path("type");
    List<String> types = new ArrayList<>();
    if (type.isTextual()) types.add(type.asText());
    type.forEach(t -> types.add(t.asText()));
    if ((types.contains("integer") || types.contains("number")) && value.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
      try {
        return JSON.readTree(value);
      } catch (JsonProcessingException e) {
        return JsonNodeFactory.instance.textNode(value);
      }
    }
    if (types.contains("boolean") && (value.equals("true") || value.equals("false"))) return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(value));
    return JsonNodeFactory.instance.textNode(value);
  }

  private List<String> validate(String schemaPointer, JsonNode instance) {
    Schema schema = schemas.computeIfAbsent(schemaPointer, p -> {
      ObjectNode root = doc.deepCopy();
      root.put("$ref", "#" + p);
      return REGISTRY.getSchema(root);
    });
    List<String> problems = new ArrayList<>();
    for (Error e : schema.validate(instance)) problems.add(e.getInstanceLocation() + " " + e.getMessage());
    return problems;
  }

  private void collectParameters(String pointer, List<String> into) {
    JsonNode list = doc.at(pointer);
    for (int i = 0; i < list.size(); i++) {
      String p = resolve(pointer + "/" + i);
      if (p != null) into.add(p);
    }
  }

  /** The pointer of the node at {@code pointer}, following a {@code $ref} there (null when there is nothing). */
  private String resolve(String pointer) {
    JsonNode n = doc.at(pointer);
    for (int hops = 0; n.has("$ref") && hops < 10; hops++) {
      pointer = n.get("$ref").asText().substring(1);
      n = doc.at(pointer);
    }
    return n.isMissingNode() ? null : pointer;
  }

  private JsonNode schemaAt(String pointer) {
    String p = resolve(pointer);
    return p == null ? JsonNodeFactory.instance.objectNode() : doc.at(p);
  }

  private JsonNode follow(JsonNode schema) {
    return schema.has("$ref") ? schemaAt(schema.get("$ref").asText().substring(1)) : schema;
  }

  private static String first(Map<String, List<String>> values, String name) {
    for (Map.Entry<String, List<String>> e : values.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return e.getValue().get(0);
    }
    return null;
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
