package dev.sluice.connectors.salesforce;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.FieldMappingException;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.connectors.WriteResult;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Salesforce REST connection: reads Contacts, Leads, Accounts and Opportunities by SOQL
 * ({@code queryAll} ordered by {@code SystemModstamp}, deleted records marked archived, paged by
 * {@code nextRecordsUrl}), writes by sObject Collections upsert on an External ID field (200 a
 * call, per-record errors), describes objects, and keeps the connection's daily allocation from
 * {@code Sforce-Limit-Info}. An expired session (401 {@code INVALID_SESSION_ID}) is an
 * {@link ConnectorException.Kind#AUTH} error naming the token to renew. Built by
 * {@link dev.sluice.connectors.ConnectorFactory}; thread-safe.
 */
public final class SalesforceConnector implements SourceConnector, DestinationConnector {

  /** The objects read when the connection names none. */
  public static final List<String> DEFAULT_OBJECTS = List.of("Contact", "Lead", "Account", "Opportunity");
  /** Settings this connector understands in {@code connections.<name>.settings}. */
  static final Set<String> SETTINGS = Set.of("api_version");

  private final ConnectionConfig config;
  private final List<String> objectTypes;
  private final SalesforceSchema schema;
  private final SalesforceReader reader;
  private final SalesforceWriter writer;

  /** Use {@link dev.sluice.connectors.ConnectorFactory}; public only across packages. */
  public SalesforceConnector(ConnectionConfig config, ConnectionLimits limits, RateLimitGate gate, HttpClient client, Clock clock) {
    validate(config);
    this.config = config;
    this.objectTypes = config.objects().isEmpty() ? DEFAULT_OBJECTS : config.objects();
    SalesforceHttp http = new SalesforceHttp(config, limits, gate, client, clock);
    this.schema = new SalesforceSchema(http);
    this.reader = new SalesforceReader(http, schema, config.properties(), config.incrementalOverlap());
    this.writer = new SalesforceWriter(http, schema);
  }

  /**
   * Checks the Salesforce-specific parts of a config.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static void validate(ConnectionConfig config) {
    for (String o : config.objects()) {
      checkName(config, o);
    }
    for (String s : config.settings().keySet()) {
      if (!SETTINGS.contains(s)) {
        throw new IllegalArgumentException("connection '" + config.name() + "': unknown Salesforce setting '" + s + "' (known: "
            + String.join(", ", SETTINGS) + ")");
      }
    }
    String v = config.setting("api_version");
    if (v != null && !v.matches("\\d{2}\\.0")) {
      throw new IllegalArgumentException("connection '" + config.name() + "': api_version '" + v + "' must look like 65.0");
    }
  }

  private static String checkName(ConnectionConfig config, String object) {
    if (object == null || !object.matches("[A-Za-z][A-Za-z0-9_]{0,79}")) {
      throw new IllegalArgumentException("connection '" + config.name() + "': '" + object + "' is not a Salesforce object name");
    }
    return object;
  }

  private String readable(String object) {
    if (!objectTypes.contains(object)) {
      throw new IllegalArgumentException("connection '" + config.name() + "' does not read '" + object + "' (it reads: "
          + String.join(", ", objectTypes) + ")");
    }
    return object;
  }

  @Override
  public String connection() {
    return config.name();
  }

  @Override
  public String platform() {
    return "salesforce";
  }

  @Override
  public List<String> objectTypes() {
    return objectTypes;
  }

  /** One {@code queryAll} page (up to 2,000 records), live and deleted. */
  @Override
  public Page fetchRecords(StreamRequest request) throws ConnectorException {
    return reader.read(readable(request.objectType()), request);
  }

  /** {@code SELECT COUNT()} of the live records in the stream's range. */
  @Override
  public OptionalLong estimateTotal(StreamRequest first) throws ConnectorException {
    return OptionalLong.of(reader.count(readable(first.objectType()), first));
  }

  /** {@code queryAll … WHERE Id IN (…)}, 200 ids a query. */
  @Override
  public List<SourceRecord> readRecords(String objectType, List<String> ids) throws ConnectorException {
    return reader.readByIds(readable(objectType), ids);
  }

  /** {@code GET /sobjects/{Obj}/describe}, read once per object. */
  @Override
  public ObjectSchema describe(String objectType) throws ConnectorException {
    return schema.describe(checkName(config, objectType)).schema();
  }

  @Override
  public OutboundRecord mapFields(String objectType, String keyField, Map<String, ?> values, String traceId)
      throws FieldMappingException, ConnectorException {
    return schema.map(checkName(config, objectType), keyField, values, traceId);
  }

  @Override
  public int maxBatchSize() {
    return SalesforceWriter.MAX_BATCH;
  }

  /** Salesforce caps concurrent long requests (20 s or more) at {@value #CONCURRENT_LONG_REQUESTS}; shorter ones have no cap. */
  @Override
  public int maxCallsInFlight() {
    return CONCURRENT_LONG_REQUESTS;
  }

  /** Salesforce's cap on concurrent long requests (docs: API request limits and allocations). */
  static final int CONCURRENT_LONG_REQUESTS = 25;

  /**
   * sObject Collections upsert by the records' key field (or create when they have none). An upsert
   * by an External ID is idempotent: the idempotency key is not needed and not sent.
   */
  @Override
  public WriteResult uploadBatch(String objectType, List<OutboundRecord> records, String idempotencyKey) throws ConnectorException {
    return writer.write(checkName(config, objectType), records);
  }

  /**
   * Upserts one record by an External ID (or idLookup) field: {@code PATCH
   * /sobjects/{objectType}/{field}/{value}} with {@code fields} as given (Salesforce converts text
   * to the fields' types). Returns {@code {id, created}}. Idempotent by the external id; a rule
   * action's write. An expired session is AUTH (401 {@code INVALID_SESSION_ID}).
   */
  public com.fasterxml.jackson.databind.JsonNode upsert(String objectType, String field, String value,
      com.fasterxml.jackson.databind.JsonNode fields) throws ConnectorException {
    checkName(config, field);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("an upsert by " + field + " needs a value");
    }
    return writer.upsertOne(checkName(config, objectType), field, value, fields);
  }

  /** The REST base a request path is relative to: {@code base_url}, with {@code /services/data/v<api_version>} unless it names one. */
  public static String apiBase(ConnectionConfig config) {
    return SalesforceHttp.apiBase(config);
  }

  @Override
  public WriteResult deleteBatch(String objectType, List<String> ids) throws ConnectorException {
    checkName(config, objectType);
    return writer.delete(ids);
  }

  @Override
  public void close() {
    // The HttpClient belongs to the factory.
  }

  @Override
  public String toString() {
    return "SalesforceConnector[" + config.name() + " @ " + config.baseUrl() + "]";
  }
}
