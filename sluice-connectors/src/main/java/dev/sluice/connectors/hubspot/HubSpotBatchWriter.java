package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import dev.sluice.connectors.WriteResult.RecordResult;
import dev.sluice.connectors.WriteResult.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Batch upsert (by a unique property), update (by record id, {@code hs_object_id}: HubSpot's
 * documented {@code batch/update}, which never creates) or create, with per-record results from
 * HubSpot's 200, 201 and 207 answers.
 */
final class HubSpotBatchWriter {

  /** Error categories that are the record's own fault: retrying the same data cannot succeed. */
  static final Set<String> RECORD_FAULTS = Set.of("VALIDATION_ERROR", "CONFLICT", "OBJECT_NOT_FOUND", "INVALID_EMAIL",
      "PROPERTY_DOESNT_EXIST", "INVALID_OPTION", "DUPLICATE_VALUE");

  private final HubSpotHttp http;

  HubSpotBatchWriter(HubSpotHttp http) {
    this.http = http;
  }

  WriteResult write(String objectType, List<OutboundRecord> records, String idempotencyKey) throws ConnectorException {
    if (records.isEmpty()) {
      return new WriteResult(List.of());
    }
    if (records.size() > HubSpotConnector.MAX_BATCH) {
      throw new IllegalArgumentException("HubSpot batches hold at most " + HubSpotConnector.MAX_BATCH + " records, got " + records.size());
    }
    long keyed = records.stream().filter(r -> r.idProperty() != null).count();
    if (keyed != 0 && keyed != records.size()) {
      throw new IllegalArgumentException("a HubSpot batch is either all upserts (idProperty set) or all creates");
    }
    boolean byId = keyed > 0 && records.stream().allMatch(r -> ID_PROPERTY.equals(r.idProperty()));
    Mode mode = keyed == 0 ? Mode.CREATE : byId ? Mode.UPDATE : Mode.UPSERT;
    List<String> traceIds = new ArrayList<>();
    ObjectNode body = HubSpotHttp.JSON.createObjectNode();
    ArrayNode inputs = body.putArray("inputs");
    for (int i = 0; i < records.size(); i++) {
      OutboundRecord r = records.get(i);
      String trace = r.traceId() != null ? r.traceId() : Integer.toString(i);
      traceIds.add(trace);
      ObjectNode in = inputs.addObject();
      if (mode == Mode.UPSERT) {
        in.put("idProperty", r.idProperty()).put("id", r.id());
      } else if (mode == Mode.UPDATE) {
        in.put("id", r.id());
      }
      ObjectNode props = in.putObject("properties");
      r.properties().forEach((k, v) -> {
        if (!(mode == Mode.UPDATE && ID_PROPERTY.equals(k))) {
          props.put(k, v);
        }
      });
      in.put("objectWriteTraceId", trace);
    }
    String verb = mode.name().toLowerCase(java.util.Locale.ROOT);
    String position = objectType + " batch/" + verb + " of " + records.size();
    HubSpotHttp.Response resp = http.send("write", "POST", "/crm/v3/objects/" + objectType + "/batch/" + verb,
        body, HubSpotConnector.idempotency(idempotencyKey), position);
    return results(records, traceIds, resp.body(), mode, position);
  }

  /** The record id as an upsert key: such records are updated by id ({@code batch/update}). */
  static final String ID_PROPERTY = "hs_object_id";

  /** Which batch call a batch takes. */
  enum Mode {
    CREATE,
    UPSERT,
    UPDATE
  }

  /** {@link #results(List, List, JsonNode, Mode, String)} for an upsert ({@code true}) or a create. */
  static WriteResult results(List<OutboundRecord> records, List<String> traceIds, JsonNode body, boolean upsert, String position)
      throws ConnectorException {
    return results(records, traceIds, body, upsert ? Mode.UPSERT : Mode.CREATE, position);
  }

  /** Maps HubSpot's results (unordered, without trace ids) and errors (with trace ids) back to the inputs. */
  static WriteResult results(List<OutboundRecord> records, List<String> traceIds, JsonNode body, Mode mode, String position)
      throws ConnectorException {
    boolean upsert = mode != Mode.CREATE;
    if (body == null || !body.path("results").isArray()) {
      throw ConnectorException.malformed("HubSpot answered " + position + " without \"results\"", null);
    }
    RecordResult[] out = new RecordResult[records.size()];
    Map<String, Integer> byTrace = new HashMap<>();
    for (int i = 0; i < traceIds.size(); i++) {
      byTrace.put(traceIds.get(i), i);
    }
    for (JsonNode e : body.path("errors")) {
      String category = e.path("category").asText("");
      String message = (category.isEmpty() ? "" : category + ": ") + e.path("message").asText("");
      ConnectorException.Kind kind = RECORD_FAULTS.contains(category) ? ConnectorException.Kind.PERMANENT_RECORD
          : ConnectorException.Kind.RETRYABLE;
      for (JsonNode t : e.path("context").path("objectWriteTraceId")) {
        Integer i = byTrace.get(t.asText());
        if (i != null && out[i] == null) {
          out[i] = new RecordResult(traceIds.get(i), Status.FAILED, null, kind, message);
        }
      }
      if (mode == Mode.UPDATE && !e.path("context").has("objectWriteTraceId")) {
        // batch/update names the records it did not find by their ids
        for (JsonNode id : e.path("context").path("ids")) {
          for (int i = 0; i < records.size(); i++) {
            if (out[i] == null && records.get(i).id().equals(id.asText())) {
              out[i] = new RecordResult(traceIds.get(i), Status.FAILED, null, kind, message);
            }
          }
        }
      }
    }
    Map<String, Integer> byKey = new HashMap<>();
    if (upsert) {
      for (int i = 0; i < records.size(); i++) {
        if (out[i] == null) {
          byKey.putIfAbsent(records.get(i).idProperty() + "\u0000" + normal(records.get(i).id()), i);
        }
      }
    }
    List<JsonNode> unmatched = new ArrayList<>();
    for (JsonNode r : body.path("results")) {
      Integer i = null;
      String trace = r.path("objectWriteTraceId").asText(null);
      if (trace != null) {
        i = byTrace.get(trace);
      }
      if (i == null && upsert) {
        for (Map.Entry<String, Integer> k : byKey.entrySet()) {
          String prop = k.getKey().substring(0, k.getKey().indexOf('\u0000'));
          JsonNode v = ID_PROPERTY.equals(prop) ? r.get("id") : r.path("properties").get(prop);
          if (v != null && !v.isNull() && k.getKey().equals(prop + "\u0000" + normal(v.asText()))) {
            i = k.getValue();
            break;
          }
        }
      }
      if (i == null || out[i] != null) {
        unmatched.add(r);
        continue;
      }
      byKey.values().remove(i);
      out[i] = success(traceIds.get(i), r, mode);
    }
    // Results HubSpot did not let us attribute fill the remaining inputs in order.
    int u = 0;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == null && u < unmatched.size()) {
        out[i] = success(traceIds.get(i), unmatched.get(u++), mode);
      } else if (out[i] == null) {
        out[i] = new RecordResult(traceIds.get(i), Status.FAILED, null, ConnectorException.Kind.RETRYABLE,
            "HubSpot reported no result for this record");
      }
    }
    return new WriteResult(List.of(out));
  }

  private static RecordResult success(String trace, JsonNode r, Mode mode) {
    boolean created = mode == Mode.CREATE || (mode == Mode.UPSERT && r.path("new").asBoolean(false));
    return new RecordResult(trace, created ? Status.CREATED : Status.UPDATED, HubSpotRecords.id(r.get("id")), null, null);
  }

  private static String normal(String v) {
    return v.trim().toLowerCase(Locale.ROOT);
  }
}
