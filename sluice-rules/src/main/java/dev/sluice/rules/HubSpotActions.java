package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.hubspot.HubSpotConnector;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.PermanentJobFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * HubSpot actions through the connection's connector, so they take their permits from the same
 * shared rate-limit buckets as the connection's syncs:
 * <ul>
 *   <li>{@code hubspot.task} and {@code hubspot.note} create an engagement associated to a record.
 *       HubSpot has no idempotency key for creates, so the engagement carries the job's dedupe key
 *       in the property {@value #DEDUPE_PROPERTY}; the result is stored in the job before it
 *       completes; and a job that sent before without an answer (a lost response, a killed worker)
 *       first waits out the connection's search-index settle time, then searches for that key and
 *       sends again only when nothing carries it;
 *   <li>{@code hubspot.update} sets properties of a record by id ({@code PATCH}) or by a unique
 *       property ({@code batch/upsert} with {@code idProperty}): writing the same values again has
 *       no further effect, so a resend is harmless.
 * </ul>
 */
final class HubSpotActions {
  /** The task/note property holding the job's dedupe key (a custom single-line text property). */
  static final String DEDUPE_PROPERTY = "sluice_dedupe_key";
  private static final Map<String, String> PLURAL = Map.of("deal", "deals", "deals", "deals", "contact", "contacts", "contacts", "contacts",
      "company", "companies", "companies", "companies", "ticket", "tickets", "tickets", "tickets");
  /** HubSpot-defined association type ids from a task / a note to a record. */
  private static final Map<String, Integer> TASK_TO = Map.of("deals", 216, "contacts", 204, "companies", 192, "tickets", 230);
  private static final Map<String, Integer> NOTE_TO = Map.of("deals", 214, "contacts", 202, "companies", 190, "tickets", 228);

  /** One HubSpot connection actions may name (its connector made on first use; null: named for checks only), with its search-index settle time. */
  record Connection(Lazy lazy, Duration searchIndexSettle) {
    HubSpotConnector connector() {
      return lazy == null ? null : lazy.get();
    }
  }

  /** A connector made once, on first use (a runtime defines its rate-limit buckets only after migrating). */
  static final class Lazy {
    private final java.util.function.Supplier<HubSpotConnector> make;
    private volatile HubSpotConnector made;

    Lazy(java.util.function.Supplier<HubSpotConnector> make) {
      this.make = java.util.Objects.requireNonNull(make);
    }

    HubSpotConnector get() {
      HubSpotConnector c = made;
      if (c == null) {
        synchronized (this) {
          if (made == null) made = make.get();
          c = made;
        }
      }
      return c;
    }
  }

  private HubSpotActions() {}

  static ActionHandler task(Map<String, Connection> hubspot, ActionHttp http) {
    return new Engagement(ActionSignature.HUBSPOT_TASK, "tasks", TASK_TO, hubspot, http);
  }

  static ActionHandler note(Map<String, Connection> hubspot, ActionHttp http) {
    return new Engagement(ActionSignature.HUBSPOT_NOTE, "notes", NOTE_TO, hubspot, http);
  }

  static ActionHandler update(Map<String, Connection> hubspot, ActionHttp http) {
    return new Update(hubspot, http);
  }

  private static String connectionOf(Map<String, Connection> hubspot, JsonNode args, ObjectNode payload) {
    String name = args.path("connection").asText();
    if (!hubspot.containsKey(name)) throw new IllegalArgumentException("no HubSpot connection '" + name + "' (configured: " + hubspot.keySet() + ")");
    payload.put("connection", name);
    return name;
  }

  private static Connection configured(Map<String, Connection> hubspot, JsonNode payload) {
    Connection c = hubspot.get(payload.path("connection").asText());
    if (c == null || c.connector() == null) throw new PermanentJobFailure("no HubSpot connection '" + payload.path("connection").asText() + "' in this process's config");
    return c;
  }

  private static String plural(String type, String what) {
    String p = type == null ? null : PLURAL.get(type.toLowerCase(Locale.ROOT));
    if (p == null) throw new IllegalArgumentException(what + " '" + type + "' is not a HubSpot object (deal, contact, company, ticket)");
    return p;
  }

  /** The record id an action names ({@code record}), else the event's object id. */
  private static String recordId(JsonNode args, ObjectNode payload) {
    String id = args.path("record").asText("");
    if (id.isEmpty()) id = payload.path("object_id").asText("");
    if (!id.matches("\\d{1,20}")) throw new IllegalArgumentException("record id '" + id + "' is not a HubSpot id");
    return id;
  }

  /** ISO-8601 text of {@code text} (an instant or epoch milliseconds), or {@code fallback} when it is blank. */
  static String timestamp(String text, Instant fallback, String what) {
    if (text == null || text.isBlank()) return fallback.toString();
    String t = text.strip();
    if (t.matches("\\d{1,15}")) return Instant.ofEpochMilli(Long.parseLong(t)).toString();
    try {
      return Instant.parse(t).toString();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(what + " '" + text + "' is neither an ISO-8601 instant nor epoch milliseconds");
    }
  }

  /** Sends the recorded request through the connector; HubSpot's refusals become the job's outcome. */
  private static JsonNode call(JobContext ctx, Connection c, String endpointClass, JsonNode req, String position) {
    try {
      return c.connector().call(endpointClass, req.path("method").asText(), req.path("url").asText(), req.get("body"),
          Map.of(Actions.IDEMPOTENCY_HEADER, req.path("headers").path(Actions.IDEMPOTENCY_HEADER).asText("")), position);
    } catch (ConnectorException e) {
      throw ConnectorActions.outcome(ctx, e);
    }
  }

  private abstract static class Base implements ActionHandler {
    final Map<String, Connection> hubspot;
    final ActionHttp http;

    Base(Map<String, Connection> hubspot, ActionHttp http) {
      this.hubspot = hubspot;
      this.http = http;
    }

    @Override
    public Set<String> connections() {
      return hubspot.keySet();
    }

    @Override
    public String unknownConnection(String name) {
      return "no HubSpot connection '" + name + "' under connections";
    }
  }

  /** A task or a note associated to one record. */
  private static final class Engagement extends Base {
    private final String kind;
    private final String objects;
    private final Map<String, Integer> associationTypes;

    Engagement(String kind, String objects, Map<String, Integer> associationTypes, Map<String, Connection> hubspot, ActionHttp http) {
      super(hubspot, http);
      this.kind = kind;
      this.objects = objects;
      this.associationTypes = associationTypes;
    }

    @Override
    public String kind() {
      return kind;
    }

    @Override
    public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
      String connection = connectionOf(hubspot, args, payload);
      String to = plural(args.path("associate").asText(payload.path("object_type").asText("deal")), "associate");
      String record = recordId(args, payload);
      req.put("method", "POST");
      req.put("url", "/crm/v3/objects/" + objects);
      req.putObject("headers").put("Authorization", "Bearer <token of " + connection + ">").put(Actions.IDEMPOTENCY_HEADER, dedupeKey);
      ObjectNode body = req.putObject("body");
      ObjectNode props = body.putObject("properties");
      Instant now = http.clock().instant();
      if (objects.equals("tasks")) {
        props.put("hs_timestamp", timestamp(args.path("due").asText(null), now, "due"));
        props.put("hs_task_subject", args.path("subject").asText());
        if (args.hasNonNull("body")) props.put("hs_task_body", args.path("body").asText());
        props.put("hs_task_status", args.path("status").asText("NOT_STARTED"));
        if (args.hasNonNull("priority")) props.put("hs_task_priority", args.path("priority").asText());
        if (args.hasNonNull("type")) props.put("hs_task_type", args.path("type").asText());
      } else {
        props.put("hs_timestamp", timestamp(args.path("timestamp").asText(null), now, "timestamp"));
        props.put("hs_note_body", args.path("body").asText());
      }
      String owner = args.path("owner").asText("");
      if (!owner.isEmpty()) props.put("hubspot_owner_id", owner);
      props.put(DEDUPE_PROPERTY, dedupeKey);
      ArrayNode assoc = body.putArray("associations");
      ObjectNode a = assoc.addObject();
      a.putObject("to").put("id", record);
      a.putArray("types").addObject().put("associationCategory", "HUBSPOT_DEFINED").put("associationTypeId", associationTypes.get(to));
    }

    @Override
    public void send(JobContext ctx, JsonNode payload) throws Exception {
      Connection c = configured(hubspot, payload);
      // The claim does not carry progress: read what an earlier attempt of this job recorded.
      JsonNode progress = ActionHttp.parse(ctx.queue().find(ctx.job().id()).map(dev.sluice.queue.Job::progress).orElse(null));
      if (progress.has("result")) return; // created before the worker could complete the job: nothing to send
      String key = payload.path("dedupe_key").asText();
      JsonNode sentAt = progress.get("sent_at");
      if (sentAt != null) {
        // Sent before without a known outcome: HubSpot may hold it, and its search sees it only after the settle time.
        Instant searchable = Instant.parse(sentAt.asText()).plus(c.searchIndexSettle());
        Instant now = http.clock().instant();
        if (now.isBefore(searchable)) throw new JobSnooze(Duration.between(now, searchable));
        JsonNode found = call(ctx, c, "search", search(key), "search " + objects + " for " + DEDUPE_PROPERTY + " " + key);
        JsonNode hit = found.path("results").path(0);
        if (!hit.isMissingNode()) {
          ctx.progress(result(hit, true));
          return;
        }
      }
      ctx.progress(ActionHttp.JSON.createObjectNode().put("sent_at", http.clock().instant().toString()));
      JsonNode created;
      try {
        created = call(ctx, c, "write", payload.path("request"), "create " + kind + " " + key);
      } catch (JobSnooze | PermanentJobFailure refused) {
        // A 429 (or a permit not had) and a 4xx were answered before anything was created: no search next time.
        if (refused instanceof JobSnooze) ctx.progress(ActionHttp.JSON.createObjectNode());
        throw refused;
      }
      ctx.progress(result(created, false));
    }

    private ObjectNode search(String key) {
      ObjectNode req = ActionHttp.JSON.createObjectNode().put("method", "POST").put("url", "/crm/v3/objects/" + objects + "/search");
      ObjectNode body = req.putObject("body");
      body.putArray("filterGroups").addObject().putArray("filters").addObject()
          .put("propertyName", DEDUPE_PROPERTY).put("operator", "EQ").put("value", key);
      body.putArray("properties").add("hs_object_id").add(DEDUPE_PROPERTY);
      body.put("limit", 1);
      return req;
    }

    private ObjectNode result(JsonNode record, boolean foundBySearch) {
      ObjectNode p = ActionHttp.JSON.createObjectNode();
      ObjectNode r = p.putObject("result").put("id", record.path("id").asText()).put("object", objects);
      if (foundBySearch) r.put("found_by", DEDUPE_PROPERTY);
      return p;
    }
  }

  /** Sets properties of one record, by id or by a unique property. */
  private static final class Update extends Base {
    Update(Map<String, Connection> hubspot, ActionHttp http) {
      super(hubspot, http);
    }

    @Override
    public String kind() {
      return ActionSignature.HUBSPOT_UPDATE;
    }

    @Override
    public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
      String connection = connectionOf(hubspot, args, payload);
      String type = plural(args.path("object").asText(payload.path("object_type").asText("")), "object");
      JsonNode properties = args.path("properties");
      if (!properties.isObject() || properties.isEmpty()) throw new IllegalArgumentException("properties must be a mapping of property → value");
      ObjectNode props = ActionHttp.JSON.createObjectNode();
      properties.properties().forEach(p -> props.put(p.getKey(), p.getValue().isValueNode() ? p.getValue().asText() : p.getValue().toString()));
      req.putObject("headers").put("Authorization", "Bearer <token of " + connection + ">").put(Actions.IDEMPOTENCY_HEADER, dedupeKey);
      String idProperty = args.path("id_property").asText("");
      if (idProperty.isEmpty()) {
        req.put("method", "PATCH");
        req.put("url", "/crm/v3/objects/" + type + "/" + recordId(args, payload));
        req.putObject("body").set("properties", props);
      } else {
        String id = args.path("record").asText("");
        if (id.isEmpty()) throw new IllegalArgumentException("record must give the " + idProperty + " value to upsert by");
        req.put("method", "POST");
        req.put("url", "/crm/v3/objects/" + type + "/batch/upsert");
        ObjectNode input = req.putObject("body").putArray("inputs").addObject();
        input.put("idProperty", idProperty).put("id", id).put("objectWriteTraceId", dedupeKey);
        input.set("properties", props);
      }
    }

    @Override
    public void send(JobContext ctx, JsonNode payload) {
      Connection c = configured(hubspot, payload);
      JsonNode req = payload.path("request");
      JsonNode answer = call(ctx, c, "write", req, "update " + req.path("url").asText());
      JsonNode record = answer.has("results") ? answer.path("results").path(0) : answer;
      JsonNode errors = answer.path("errors");
      ObjectNode p = ActionHttp.JSON.createObjectNode();
      if (errors.isArray() && !errors.isEmpty()) {
        p.putObject("response").put("status", 207).set("body", answer);
        ctx.progress(p);
        throw new PermanentJobFailure("HubSpot refused the upsert: " + errors.path(0).path("message").asText());
      }
      p.putObject("result").put("id", record.path("id").asText()).put("updated_at", record.path("updatedAt").asText());
      ctx.progress(p);
    }
  }
}
