package dev.sluice.sandbox.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * HubSpot's wire shapes shared by the sandbox's routes: records as reads and writes answer them,
 * error and per-input error bodies, the JSON body and query-parameter readers.
 */
final class HubSpotWire {
  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private HubSpotWire() {}

  /** A record as list, get and batch read show it. */
  static ObjectNode recordJson(PortalStore.Table t, PortalStore.Rec r, List<String> properties,
      List<HubSpotObjectType> associations, boolean archived) {
    return recordJson(t, r, r.values, r.updatedAt, properties, associations, archived);
  }

  static ObjectNode recordJson(PortalStore.Table t, PortalStore.Rec r, String[] values, long updatedAt,
      List<String> properties, List<HubSpotObjectType> associations, boolean archived) {
    ObjectNode o = NODES.objectNode();
    o.put("id", Long.toString(r.id));
    ObjectNode props = o.putObject("properties");
    TreeSet<String> names = new TreeSet<>(properties == null || properties.isEmpty() ? t.type.defaultProperties() : properties);
    names.add("hs_object_id");
    names.add(t.type.engagement() ? "hs_createdate" : "createdate");
    names.add(t.type.lastModifiedProperty());
    for (String name : names) {
      String v = PortalStore.value(t, r, values, updatedAt, name);
      if (v == null) props.putNull(name);
      else props.put(name, v);
    }
    o.put("createdAt", PortalStore.iso(r.createdAt));
    o.put("updatedAt", PortalStore.iso(updatedAt));
    o.put("archived", archived);
    if (archived) o.put("archivedAt", PortalStore.iso(r.archivedAt));
    if (associations != null && !associations.isEmpty()) {
      ObjectNode assoc = null;
      for (HubSpotObjectType other : associations) {
        long[] ids = r.links(other);
        if (ids.length == 0) continue;
        if (assoc == null) assoc = o.putObject("associations");
        ArrayNode arr = assoc.putObject(other.plural()).putArray("results");
        String label = t.type.singular() + "_to_" + other.singular();
        for (long id : ids) {
          ObjectNode a = arr.addObject();
          a.put("id", Long.toString(id));
          a.put("type", label);
        }
      }
    }
    return o;
  }

  /** A record as write calls answer: the written properties plus the computed ones. */
  static ObjectNode writtenJson(PortalStore.Table t, PortalStore.Rec r, java.util.Collection<String> written, Boolean isNew) {
    ObjectNode o = NODES.objectNode();
    o.put("id", Long.toString(r.id));
    if (isNew != null) o.put("new", isNew);
    ObjectNode props = o.putObject("properties");
    TreeSet<String> names = new TreeSet<>(written);
    names.add("hs_object_id");
    names.add(t.type.engagement() ? "hs_createdate" : "createdate");
    names.add(t.type.lastModifiedProperty());
    for (String name : names) {
      String v = PortalStore.value(t, r, name);
      if (v == null) props.putNull(name);
      else props.put(name, v);
    }
    o.put("createdAt", PortalStore.iso(r.createdAt));
    o.put("updatedAt", PortalStore.iso(r.updatedAt));
    o.put("archived", false);
    return o;
  }

  /** A list query parameter, given repeated ({@code a=x&a=y}) or comma-separated ({@code a=x,y}). */
  static List<String> listParam(Context ctx, String name) {
    List<String> out = new ArrayList<>();
    for (String v : ctx.queryParams(name)) {
      for (String part : v.split(",")) {
        String p = part.trim();
        if (!p.isEmpty() && !out.contains(p)) out.add(p);
      }
    }
    return out;
  }

  static Long parseId(String s) {
    if (s == null) return null;
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static JsonNode bodyObject(Context ctx) {
    String text = ctx.body();
    try {
      JsonNode n = JSON.readTree(text.isBlank() ? "{}" : text);
      if (n != null && n.isObject()) return n;
    } catch (Exception e) {
      error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: " + firstLine(e.getMessage()));
      return null;
    }
    error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: the body must be a JSON object");
    return null;
  }

  private static String firstLine(String s) {
    if (s == null) return "unreadable";
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }

  static String baseUrl(Context ctx) {
    return ctx.scheme() + "://" + ctx.host();
  }

  /** HubSpot's error body: {@code status}, {@code message}, {@code correlationId}, {@code category}. */
  static void error(Context ctx, int status, String category, String message) {
    send(ctx, status, errorBody(category, message));
  }

  static ObjectNode errorBody(String category, String message) {
    ObjectNode body = NODES.objectNode();
    body.put("status", "error");
    body.put("message", message);
    body.put("correlationId", UUID.randomUUID().toString());
    body.put("category", category);
    return body;
  }

  /** One per-input error of a batch call. */
  static ObjectNode batchError(String category, String message, String traceId, List<String> ids) {
    ObjectNode e = NODES.objectNode();
    e.put("status", "error");
    e.put("category", category);
    e.put("message", message);
    ObjectNode context = e.putObject("context");
    if (traceId != null) context.putArray("objectWriteTraceId").add(traceId);
    if (ids != null && !ids.isEmpty()) {
      ArrayNode arr = context.putArray("ids");
      ids.forEach(arr::add);
    }
    return e;
  }

  static void send(Context ctx, int status, JsonNode body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> ordered() {
    return new LinkedHashMap<>();
  }
}
