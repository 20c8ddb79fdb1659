package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.connectors.WriteResult;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * HubSpot CRM connection: reads contacts, companies, deals and tickets (list paging, v4
 * associations, search for incremental reads, archived records) and writes batches, tasks and
 * associations. Built by {@link dev.sluice.connectors.ConnectorFactory}. Thread-safe; every request
 * first takes a permit from the connection's shared rate-limit buckets.
 */
public final class HubSpotConnector implements SourceConnector, DestinationConnector {

  /** HubSpot's largest batch for batch create/update/upsert. */
  public static final int MAX_BATCH = 100;
  /** HubSpot-defined association type id task → contact. */
  public static final int TASK_TO_CONTACT_TYPE_ID = 204;

  private final ConnectionConfig config;
  private final List<String> objectTypes;
  private final HubSpotHttp http;
  private final HubSpotStreamReader reader;
  private final HubSpotBatchWriter writer;
  private final java.util.concurrent.ConcurrentMap<String, List<String>> discovered = new java.util.concurrent.ConcurrentHashMap<>();
  private final HubSpotReadAhead readAhead;
  private final HubSpotSchema schema;

  /** Use {@link dev.sluice.connectors.ConnectorFactory}; public only across packages. */
  public HubSpotConnector(ConnectionConfig config, ConnectionLimits limits, RateLimitGate gate, HttpClient client, Clock clock,
      java.time.Duration searchIndexSettle) {
    validate(config);
    this.config = config;
    this.objectTypes = config.objects().isEmpty() ? HubSpotObjectType.ALL : config.objects();
    this.http = new HubSpotHttp(config, limits, gate, client, clock);
    this.reader = new HubSpotStreamReader(http, config.baseUrl().toString(), config.incrementalOverlap(), searchIndexSettle, clock,
        this::propertiesFor);
    this.writer = new HubSpotBatchWriter(http);
    this.schema = new HubSpotSchema(http);
    this.readAhead = new HubSpotReadAhead(config.name(), clock);
  }

  /**
   * Checks the HubSpot-specific parts of a config.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static void validate(ConnectionConfig config) {
    for (String o : config.objects()) {
      if (!HubSpotObjectType.STANDARD.containsKey(o)) {
        throw new IllegalArgumentException("connection '" + config.name() + "': unknown HubSpot object '" + o
            + "' (supported: " + String.join(", ", HubSpotObjectType.ALL) + ")");
      }
    }
    for (String o : config.properties().keySet()) {
      if (!HubSpotObjectType.STANDARD.containsKey(o)) {
        throw new IllegalArgumentException("connection '" + config.name() + "': properties given for unknown HubSpot object '"
            + o + "' (supported: " + String.join(", ", HubSpotObjectType.ALL) + ")");
      }
    }
  }

  @Override
  public String connection() {
    return config.name();
  }

  @Override
  public String platform() {
    return "hubspot";
  }

  @Override
  public List<String> objectTypes() {
    return objectTypes;
  }

  /**
   * The properties read for {@code objectType}: the configured list, else every property HubSpot
   * listed for the type (after the first page), else the connector's defaults.
   */
  public List<String> properties(String objectType) {
    return propertiesFor(type(objectType));
  }

  private List<String> propertiesFor(HubSpotObjectType type) {
    List<String> configured = config.properties().get(type.name());
    if (configured != null && !configured.isEmpty()) {
      return configured;
    }
    List<String> fromPortal = discovered.get(type.name());
    return fromPortal != null ? fromPortal : type.defaultProperties();
  }

  /**
   * For an object without configured properties, asks HubSpot once for every property name (so the
   * mirror holds them all); a portal that does not serve the properties API gets the defaults.
   */
  private void discoverProperties(HubSpotObjectType type) throws ConnectorException {
    List<String> configured = config.properties().get(type.name());
    if ((configured != null && !configured.isEmpty()) || discovered.containsKey(type.name())) {
      return;
    }
    List<String> names = new java.util.ArrayList<>();
    try {
      JsonNode body = http.send("list", "GET", "/crm/v3/properties/" + type.name(), null, Map.of(),
          type.name() + " property list").body();
      for (JsonNode p : body.path("results")) {
        String name = p.path("name").asText("");
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
    } catch (ConnectorException e) {
      if (e.kind() != ConnectorException.Kind.PERMANENT_BATCH) {
        throw e;
      }
    }
    discovered.putIfAbsent(type.name(), names.isEmpty() ? type.defaultProperties() : List.copyOf(names));
  }

  private HubSpotObjectType type(String objectType) {
    HubSpotObjectType t = HubSpotObjectType.STANDARD.get(objectType);
    if (t == null || !objectTypes.contains(objectType)) {
      throw new IllegalArgumentException("connection '" + config.name() + "' does not read '" + objectType + "' (it reads: "
          + String.join(", ", objectTypes) + ")");
    }
    return t;
  }

  /**
   * Reads one page. In full mode the next pages (list call and association reads) are then read
   * ahead in the background, taking its rate-limit permits like any request, and handed to the
   * call for exactly that checkpoint; see {@link HubSpotReadAhead}.
   */
  @Override
  public Page fetchRecords(StreamRequest request) throws ConnectorException {
    HubSpotObjectType type = type(request.objectType());
    discoverProperties(type);
    if (request.mode() != dev.sluice.connectors.SyncMode.FULL) {
      return reader.read(type, request);
    }
    Page page = request.checkpoint() == null ? null : readAhead.take(type.name(), request.checkpoint());
    if (page == null) {
      page = reader.read(type, request);
    }
    if (!page.streamDone() && page.nextCheckpoint() != null) {
      readAhead.start(type.name(), page.nextCheckpoint(), checkpoint -> {
        StreamRequest ahead = request.resumeFrom(checkpoint);
        return (cancelled, nextKnown) ->
            reader.through(http.forReadAhead(HubSpotReadAhead.MAX_LIMITER_WAIT, cancelled)).read(type, ahead, nextKnown);
      });
    }
    return page;
  }

  /**
   * Positive while an incremental stream waits for HubSpot's search index to hold every change made
   * before its run started (between two search passes); see {@link HubSpotStreamReader}.
   */
  @Override
  public java.time.Duration waitBeforeReading(StreamRequest request) {
    type(request.objectType());
    return reader.waitBeforeReading(request);
  }

  /** How many pages are held read ahead, all streams together (tests). */
  int pagesReadAhead() {
    return readAhead.held();
  }

  /** How many read-aheads are still running (tests). */
  int readAheadsRunning() {
    return readAhead.running();
  }

  /** Batch read of up to {@value #MAX_BATCH} ids per request (then archived ones), with associations. */
  @Override
  public List<SourceRecord> readRecords(String objectType, List<String> ids) throws ConnectorException {
    HubSpotObjectType type = type(objectType);
    discoverProperties(type);
    return reader.readByIds(type, ids);
  }

  /** One search request with {@code limit=1}: HubSpot's {@code total} of matching records. */
  @Override
  public java.util.OptionalLong estimateTotal(StreamRequest first) throws ConnectorException {
    HubSpotObjectType type = type(first.objectType());
    return reader.estimate(type, first);
  }

  /** The object's properties from HubSpot's properties API (read once per object type). */
  @Override
  public dev.sluice.connectors.ObjectSchema describe(String objectType) throws ConnectorException {
    return schema.describe(checkWritable(objectType));
  }

  /**
   * Checks the values against the object's properties; {@code keyField} must be a unique property
   * ({@code email} for contacts, a custom unique one) or {@code hs_object_id} (update by record id:
   * HubSpot then never creates).
   */
  @Override
  public OutboundRecord mapFields(String objectType, String keyField, Map<String, ?> values, String traceId)
      throws dev.sluice.connectors.FieldMappingException, ConnectorException {
    return schema.map(checkWritable(objectType), keyField, values, traceId);
  }

  @Override
  public int maxBatchSize() {
    return MAX_BATCH;
  }

  /**
   * Batch upsert (records with an {@code idProperty}) or batch create (records without) of up to
   * {@link #MAX_BATCH} records; 207 answers are mapped to per-record results.
   */
  @Override
  public WriteResult uploadBatch(String objectType, List<OutboundRecord> records, String idempotencyKey) throws ConnectorException {
    return writer.write(checkWritable(objectType), records, idempotencyKey);
  }

  /** {@code POST /crm/v3/objects/{type}/batch/archive}: HubSpot answers 204 for the whole batch, archived or already gone. */
  @Override
  public WriteResult deleteBatch(String objectType, List<String> ids) throws ConnectorException {
    if (ids.isEmpty()) return new WriteResult(List.of());
    com.fasterxml.jackson.databind.node.ObjectNode body = HubSpotHttp.JSON.createObjectNode();
    com.fasterxml.jackson.databind.node.ArrayNode inputs = body.putArray("inputs");
    ids.forEach(id -> inputs.addObject().put("id", id));
    String type = checkWritable(objectType);
    http.send("write", "POST", "/crm/v3/objects/" + type + "/batch/archive", body, Map.of(), type + " batch/archive of " + ids.size());
    List<WriteResult.RecordResult> out = new java.util.ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      out.add(new WriteResult.RecordResult(Integer.toString(i), WriteResult.Status.DELETED, ids.get(i), null, null));
    }
    return new WriteResult(out);
  }

  /**
   * Creates a task associated to a contact.
   *
   * @param contactId the contact's HubSpot id
   * @param subject {@code hs_task_subject}
   * @param dueAt {@code hs_timestamp} (required by HubSpot)
   * @param extraProperties more task properties (status, priority, type, owner), may be empty
   * @param idempotencyKey sent as {@code Idempotency-Key} when not null
   * @return the new task's id
   */
  public String createTask(String contactId, String subject, Instant dueAt, Map<String, String> extraProperties,
      String idempotencyKey) throws ConnectorException {
    ObjectNode body = HubSpotHttp.JSON.createObjectNode();
    ObjectNode props = body.putObject("properties");
    props.put("hs_timestamp", dueAt.toString());
    props.put("hs_task_subject", subject);
    props.put("hs_task_status", "NOT_STARTED");
    extraProperties.forEach(props::put);
    ArrayNode assoc = body.putArray("associations");
    ObjectNode a = assoc.addObject();
    a.putObject("to").put("id", contactId);
    a.putArray("types").addObject().put("associationCategory", "HUBSPOT_DEFINED").put("associationTypeId", TASK_TO_CONTACT_TYPE_ID);
    String position = "create task for contact " + contactId;
    JsonNode resp = http.send("write", "POST", "/crm/v3/objects/tasks", body, idempotency(idempotencyKey), position).body();
    String id = HubSpotRecords.id(resp.get("id"));
    if (id == null) {
      throw ConnectorException.malformed("HubSpot answered without the new task's id at " + position, null);
    }
    return id;
  }

  /**
   * Sends one request as given (a rule action's recorded request: {@code write} or {@code search}
   * endpoint class) after taking its permit from the connection's shared rate-limit buckets, with
   * the connection's token; answers HubSpot's JSON (a null node for 204). Failures are classified
   * as for every other call ({@link ConnectorException#kind()}, {@code retryAfter}).
   */
  public JsonNode call(String endpointClass, String method, String pathAndQuery, JsonNode body, Map<String, String> headers,
      String position) throws ConnectorException {
    return http.send(endpointClass, method, pathAndQuery, body, headers, position).body();
  }

  /** Creates the default (unlabelled) association between two records; idempotent on HubSpot's side. */
  public void associateDefault(String fromType, String fromId, String toType, String toId) throws ConnectorException {
    http.send("write", "PUT", "/crm/v4/objects/" + enc(fromType) + "/" + enc(fromId) + "/associations/default/" + enc(toType) + "/"
        + enc(toId), null, Map.of(), "associate " + fromType + " " + fromId + " → " + toType + " " + toId);
  }

  private static String checkWritable(String objectType) {
    if (objectType == null || !objectType.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException("not a HubSpot object type: '" + objectType + "'");
    }
    return objectType;
  }

  static Map<String, String> idempotency(String key) {
    return key == null ? Map.of() : Map.of("Idempotency-Key", key);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    // The HttpClient belongs to the factory and is shared by its connectors.
    readAhead.close();
  }

  @Override
  public String toString() {
    return "HubSpotConnector[" + config.name() + " @ " + config.baseUrl() + "]";
  }
}
