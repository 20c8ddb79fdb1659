package dev.sluice.sandbox.salesforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Salesforce's REST wire shapes shared by the handlers: API versions, record JSON (with parent
 * relationship objects), write results, the JSON-array error body.
 */
final class SalesforceWire {

  static final ObjectMapper JSON = new ObjectMapper();
  /** The newest API version served (Winter '26); every version from {@link #MIN_VERSION} on is served. */
  static final int MAX_VERSION = 65;
  /** The oldest version a real org still serves (21.0–30.0 were retired in Summer '25). */
  static final int MIN_VERSION = 31;
  private static final Pattern VERSION = Pattern.compile("v(\\d{2})\\.0");

  private SalesforceWire() {}

  /** The API version of the request's path, e.g. 50 for {@code /services/data/v50.0/…}; 404 when not served. */
  static int version(Context ctx) {
    Matcher m = VERSION.matcher(ctx.pathParam("version"));
    if (!m.matches() || Integer.parseInt(m.group(1)) < MIN_VERSION || Integer.parseInt(m.group(1)) > MAX_VERSION) {
      throw notFound();
    }
    return Integer.parseInt(m.group(1));
  }

  /** {@code /services/data/vNN.0} of the request: URLs in answers use the version asked for. */
  static String prefix(Context ctx) {
    return "/services/data/" + ctx.pathParam("version");
  }

  /** The entries of {@code GET /services/data}: every served version with its release label. */
  static List<Map<String, String>> versions() {
    List<Map<String, String>> out = new java.util.ArrayList<>();
    for (int v = MIN_VERSION; v <= MAX_VERSION; v++) {
      // Three releases a year, newest first: Winter '26 (65.0), Summer '25, Spring '25, Winter '25 …
      int back = MAX_VERSION - v;
      int year = 26 - back / 3 - (back % 3 == 0 ? 0 : 1);
      String season = switch (back % 3) {
        case 0 -> "Winter";
        case 1 -> "Summer";
        default -> "Spring";
      };
      Map<String, String> e = new LinkedHashMap<>();
      e.put("label", season + " '" + String.format("%02d", year));
      e.put("url", "/services/data/v" + v + ".0");
      e.put("version", v + ".0");
      out.add(e);
    }
    return out;
  }

  static SalesforceApiException notFound() {
    return new SalesforceApiException(404, "NOT_FOUND", "The requested resource does not exist");
  }

  /** The served object named in the path, else 404 NOT_FOUND. */
  static SObjectSchema pathSchema(Context ctx) {
    SObjectSchema s = SObjectSchema.of(ctx.pathParam("object"));
    if (s == null) {
      throw notFound();
    }
    return s;
  }

  /**
   * A record with {@code fields}; a field named {@code Relationship.Field} (see {@link SoqlParser})
   * becomes a nested parent object ({@code "Account":{"attributes":…,"Name":…}}), or null when the
   * record has no parent.
   */
  static ObjectNode recordJson(SObjectRecord r, List<SObjectSchema.Field> fields, String prefix) {
    ObjectNode node = JSON.createObjectNode();
    ObjectNode attributes = node.putObject("attributes");
    attributes.put("type", r.type());
    attributes.put("url", prefix + "/sobjects/" + r.type() + "/" + r.id());
    for (SObjectSchema.Field f : fields) {
      int dot = f.name().indexOf('.');
      if (dot < 0) {
        node.set(f.name(), JSON.valueToTree(SObjectSchema.toJson(r.get(f.name()))));
        continue;
      }
      String relationship = f.name().substring(0, dot);
      Object parentId = r.get(relationship);
      if (parentId == null) {
        node.putNull(relationship);
        continue;
      }
      JsonNode parent = node.get(relationship);
      if (!(parent instanceof ObjectNode)) {
        ObjectNode p = node.putObject(relationship);
        ObjectNode pa = p.putObject("attributes");
        pa.put("type", "Account");
        pa.put("url", prefix + "/sobjects/Account/" + parentId);
        parent = p;
      }
      ((ObjectNode) parent).set(f.name().substring(dot + 1), JSON.valueToTree(SObjectSchema.toJson(r.get(f.name()))));
    }
    return node;
  }

  /** The per-record result of a collection call; {@code withCreated} adds {@code created} (create/upsert). */
  static ObjectNode resultJson(SalesforceStore.WriteOutcome o, boolean withCreated) {
    ObjectNode node = JSON.createObjectNode();
    if (o.success()) {
      node.put("id", o.id());
      node.put("success", true);
      node.putArray("errors");
      if (withCreated) {
        node.put("created", o.created());
      }
    } else {
      if (o.id() != null) {
        node.put("id", o.id());
      }
      node.put("success", false);
      node.set("errors", JSON.valueToTree(o.errors()));
    }
    return node;
  }

  /** A failed single-record write as a request-level error (404 for NOT_FOUND / ENTITY_IS_DELETED). */
  static SalesforceApiException asException(SalesforceStore.WriteOutcome o) {
    Map<String, Object> e = o.errors().get(0);
    String code = (String) e.get("statusCode");
    @SuppressWarnings("unchecked")
    List<String> fields = (List<String>) e.get("fields");
    int status = code.equals("NOT_FOUND") || code.equals("ENTITY_IS_DELETED") ? 404 : 400;
    return new SalesforceApiException(status, code, (String) e.get("message"), fields);
  }

  static void error(Context ctx, SalesforceApiException e) throws JsonProcessingException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", e.getMessage());
    body.put("errorCode", e.errorCode);
    body.put("fields", e.fields);
    ctx.status(e.status).contentType("application/json;charset=UTF-8").result(JSON.writeValueAsString(List.of(body)));
  }

  static void json(Context ctx, int status, JsonNode body) throws JsonProcessingException {
    ctx.status(status).contentType("application/json;charset=UTF-8").result(JSON.writeValueAsString(body));
  }

  /** A request body that must be a JSON object (an empty body reads as {@code {}}). */
  static JsonNode objectBody(Context ctx) throws JsonProcessingException {
    JsonNode body = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
    if (!body.isObject()) {
      throw new SalesforceApiException(400, "JSON_PARSER_ERROR", "The request body must be a JSON object");
    }
    return body;
  }

  /** An ISO 8601 time parameter ({@code start}, {@code end}), seconds ignored as Salesforce does. */
  static Instant timeParam(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      throw new SalesforceApiException(400, "MISSING_ARGUMENT", "Missing parameter: " + name);
    }
    try {
      return OffsetDateTime.parse(v.trim().replace(' ', '+')).toInstant().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    } catch (DateTimeParseException e) {
      throw new SalesforceApiException(400, "INVALID_DATE_FORMAT",
          "Invalid date/time format for " + name + ": " + v + " (expected ISO 8601, e.g. 2026-01-01T00:00:00+00:00)");
    }
  }

  static String restTime(Instant i) {
    return SObjectSchema.REST_DATETIME.format(i);
  }
}
