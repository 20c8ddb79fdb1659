package dev.sluice.connectors.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.FieldMappingException;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.ObjectSchema.Field;
import dev.sluice.connectors.ObjectSchema.FieldType;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.WriteResult;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Segment HTTP Tracking API connection (a destination only): writes {@code identify} (record
 * fields → traits) and {@code track} (field {@code event} → the event name, the others →
 * properties) through {@code /v1/batch}, packed within Segment's limits (32 KB per event, 500 KB
 * and 2,500 events per request; an event over 32 KB fails alone and is not sent). Every event
 * carries a {@code messageId} derived from its content (and the batch's idempotency key), so a
 * retried batch is dropped as a duplicate by Segment. Built by {@link
 * dev.sluice.connectors.ConnectorFactory}; thread-safe.
 */
public final class SegmentConnector implements DestinationConnector {

  /** The calls this connector writes, used as object types. */
  public static final List<String> OBJECT_TYPES = List.of("identify", "track");
  /** Fields with a meaning of their own in every event; every other field is a trait or property. */
  static final Set<String> RESERVED = Set.of("userId", "anonymousId", "event", "timestamp");
  /** Settings this connector understands in {@code connections.<name>.settings}: none yet. */
  static final Set<String> SETTINGS = Set.of();

  static final ObjectMapper JSON = new ObjectMapper();

  private final ConnectionConfig config;
  private final SegmentBatchWriter writer;

  /** Use {@link dev.sluice.connectors.ConnectorFactory}; public only across packages. */
  public SegmentConnector(ConnectionConfig config, ConnectionLimits limits, RateLimitGate gate, HttpClient client, Clock clock) {
    validate(config);
    this.config = config;
    this.writer = new SegmentBatchWriter(config, limits, gate, client, clock);
  }

  /**
   * Checks the Segment-specific parts of a config (no objects: Segment is not read).
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static void validate(ConnectionConfig config) {
    for (String s : config.settings().keySet()) {
      if (!SETTINGS.contains(s)) {
        throw new IllegalArgumentException("connection '" + config.name() + "': unknown Segment setting '" + s + "' (Segment has none)");
      }
    }
  }

  private static String checkType(String objectType) {
    if (!OBJECT_TYPES.contains(objectType)) {
      throw new IllegalArgumentException("Segment writes " + String.join(" and ", OBJECT_TYPES) + ", not '" + objectType + "'");
    }
    return objectType;
  }

  @Override
  public String connection() {
    return config.name();
  }

  @Override
  public String platform() {
    return "segment";
  }

  /**
   * The fixed fields of a call ({@code userId}, {@code anonymousId}, {@code timestamp}, and for
   * {@code track} the required {@code event}); open-ended: any other field is a trait (identify) or
   * a property (track). Costs no request.
   */
  @Override
  public ObjectSchema describe(String objectType) {
    checkType(objectType);
    List<Field> fields = new java.util.ArrayList<>();
    fields.add(new Field("userId", "User ID", FieldType.STRING, false, true, true, List.of()));
    fields.add(new Field("anonymousId", "Anonymous ID", FieldType.STRING, false, true, true, List.of()));
    fields.add(Field.of("timestamp", "Timestamp", FieldType.DATETIME));
    if (objectType.equals("track")) {
      fields.add(new Field("event", "Event", FieldType.STRING, true, false, true, List.of()));
    }
    return new ObjectSchema(objectType, fields, true);
  }

  /** {@code keyField} is {@code userId} (default) or {@code anonymousId}; its value must be present. */
  @Override
  public OutboundRecord mapFields(String objectType, String keyField, Map<String, ?> values, String traceId) throws FieldMappingException {
    String key = keyField == null ? "userId" : keyField;
    if (!key.equals("userId") && !key.equals("anonymousId")) {
      throw new FieldMappingException(objectType, List.of(new FieldMappingException.FieldError(key, null,
          "Segment identifies a person by userId or anonymousId, not by " + key)));
    }
    Map<String, String> checked = describe(objectType).check(values, true);
    String id = checked.get(key);
    if (id == null || id.isBlank()) {
      throw new FieldMappingException(objectType, List.of(new FieldMappingException.FieldError(key, id,
          "is required: every Segment call needs a userId or an anonymousId")));
    }
    Map<String, String> props = new LinkedHashMap<>(checked);
    props.remove(key);
    return new OutboundRecord(key, id, props, traceId);
  }

  /** Events per call: Segment's batch limit; the 500 KB limit may split one upload into several requests. */
  @Override
  public int maxBatchSize() {
    return SegmentBatchWriter.MAX_EVENTS;
  }

  /**
   * Sends the records as {@code objectType} events through {@code /v1/batch} (several requests when
   * they exceed 500 KB). An event over 32 KB is FAILED (permanent) and not sent. Every other record
   * is CREATED with its {@code messageId} as external id once Segment answered 200.
   *
   * @param idempotencyKey mixed into every {@code messageId}: the same records with the same key
   *     always get the same ids (null: the ids depend on the content alone)
   */
  @Override
  public WriteResult uploadBatch(String objectType, List<OutboundRecord> records, String idempotencyKey) throws ConnectorException {
    return writer.write(checkType(objectType), records, idempotencyKey);
  }

  /**
   * Sends events built whole by the caller as one {@code /v1/batch} request through the
   * connection's shared bucket (a rule action's batch of one, whose {@code messageId} is the
   * action's dedupe key). Classified like {@link #uploadBatch}; a 5xx carries its {@code
   * Retry-After} when given. An event over 32 KB is refused unsent (PERMANENT_BATCH).
   */
  public void sendEvents(List<? extends com.fasterxml.jackson.databind.JsonNode> events) throws ConnectorException {
    writer.sendEvents(events);
  }

  @Override
  public void close() {
    // The HttpClient belongs to the factory.
  }

  @Override
  public String toString() {
    return "SegmentConnector[" + config.name() + " @ " + config.baseUrl() + "]";
  }
}
