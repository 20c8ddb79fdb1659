package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.salesforce.SalesforceConnector;
import dev.sluice.queue.JobContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code salesforce.upsert}: one record upserted by an External ID field, {@code PATCH
 * /sobjects/{object}/{external_id_field}/{external_id}}, through the Salesforce connection's
 * connector (its shared {@code daily} bucket, the same as syncs and pipelines). Idempotent by the
 * external id: a resend updates the record it created. An expired or revoked session (401
 * {@code INVALID_SESSION_ID}) is dead at once with the connector's message naming the token to renew.
 */
final class SalesforceActions {
  private SalesforceActions() {}

  static ActionHandler upsert(Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
    return new Upsert(connections, http);
  }

  /** Why a {@code salesforce.upsert} action's arguments as written cannot work, or null (checked when the file loads). */
  static String argumentProblem(String kind, Map<String, Object> args) {
    for (String name : new String[] {"object", "external_id_field"}) {
      String v = ConnectorActions.literal(args.get(name));
      if (v == null || !v.matches(ConnectorActions.SALESFORCE_NAME)) {
        return kind + ": " + name + " must be a plain Salesforce API name (e.g. Contact, External_Id__c), got '" + ActionHandler.plain(args.get(name)) + "'";
      }
    }
    String mapping = ConnectorActions.mapping(kind, args, "fields");
    if (mapping != null) return mapping;
    Map<?, ?> fields = (Map<?, ?>) args.get("fields");
    if (fields.isEmpty()) return kind + ": fields is empty";
    String key = ActionHandler.plain(args.get("external_id_field"));
    for (Object f : fields.keySet()) {
      if (String.valueOf(f).equalsIgnoreCase(key)) return kind + ": fields must not set " + key + " (it is external_id)";
      if (!String.valueOf(f).matches(ConnectorActions.SALESFORCE_NAME)) return kind + ": field '" + f + "' is not a Salesforce API name";
    }
    return null;
  }

  private static final class Upsert extends ConnectorActions.Base {
    Upsert(Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
      super(ActionSignature.SALESFORCE_UPSERT, "salesforce", "Salesforce", connections, http);
    }

    @Override
    public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
      ConnectionConfig c = connectionOf(args, payload);
      String object = ConnectorActions.text(args, "object");
      String field = ConnectorActions.text(args, "external_id_field");
      String value = ConnectorActions.text(args, "external_id");
      if (!object.matches(ConnectorActions.SALESFORCE_NAME) || !field.matches(ConnectorActions.SALESFORCE_NAME)) {
        throw new IllegalArgumentException("object '" + object + "' and external_id_field '" + field + "' must be Salesforce API names");
      }
      if (value.isEmpty()) throw new IllegalArgumentException("external_id is empty (the value of " + field + " to upsert by)");
      JsonNode fields = args.path("fields");
      if (!fields.isObject() || fields.isEmpty()) throw new IllegalArgumentException("fields must be a mapping of field → value");
      payload.put("sobject", object).put("external_id_field", field).put("external_id", value);
      req.put("method", "PATCH");
      req.put("url", SalesforceConnector.apiBase(c) + "/sobjects/" + object + "/" + field + "/"
          + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
      req.putObject("headers").put("Authorization", "Bearer <access token of " + c.name() + ">").put("Content-Type", "application/json");
      req.set("body", fields);
    }

    @Override
    public void send(JobContext ctx, JsonNode payload) {
      SalesforceConnector salesforce = connector(payload, SalesforceConnector.class);
      JsonNode answer;
      try {
        answer = salesforce.upsert(payload.path("sobject").asText(), payload.path("external_id_field").asText(), payload.path("external_id").asText(),
            payload.path("request").path("body"));
      } catch (ConnectorException e) {
        throw ConnectorActions.outcome(ctx, e);
      }
      ObjectNode p = ActionHttp.JSON.createObjectNode();
      ObjectNode r = p.putObject("result");
      if (answer.hasNonNull("id")) r.put("id", answer.get("id").asText());
      r.put("created", answer.path("created").asBoolean()).put(payload.path("external_id_field").asText(), payload.path("external_id").asText());
      ctx.progress(p);
    }
  }
}
