package dev.sluice.connectors.mailchimp;

import dev.sluice.connectors.ConcurrencyGate;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Mailchimp Marketing API connection to one audience ({@code settings.list_id}): reads its members
 * by {@code last_changed} (object type {@value #MEMBERS}, id = subscriber hash, archived members
 * marked archived), writes them by batch subscribe (500 a call, {@code update_existing}, per-member
 * errors), and describes them from the audience's merge fields. Every request holds one of the
 * account's simultaneous-connection slots ({@code <connection>:connections}, 10 by default, shared
 * by every process through PostgreSQL). Built by {@link dev.sluice.connectors.ConnectorFactory};
 * thread-safe.
 */
public final class MailchimpConnector implements SourceConnector, DestinationConnector {

  /** The one object type: an audience's members. */
  public static final String MEMBERS = "members";
  /** Settings this connector understands in {@code connections.<name>.settings}. */
  static final Set<String> SETTINGS = Set.of("list_id", "default_status", "page_size", "max_connections");

  private final ConnectionConfig config;
  private final MailchimpSchema schema;
  private final MailchimpReader reader;
  private final MailchimpWriter writer;
  private final int connections;

  /** Use {@link dev.sluice.connectors.ConnectorFactory}; public only across packages. */
  public MailchimpConnector(ConnectionConfig config, ConnectionLimits limits, RateLimitGate gate, ConcurrencyGate slots,
      HttpClient client, Clock clock) {
    validate(config);
    this.config = config;
    String listId = config.setting("list_id");
    MailchimpHttp http = new MailchimpHttp(config, limits, gate, slots, client, clock);
    this.connections = limits.concurrency().getOrDefault(MailchimpHttp.CONNECTIONS, DEFAULT_CALLS_IN_FLIGHT);
    this.schema = new MailchimpSchema(http, listId);
    String pageSize = config.setting("page_size");
    this.reader = new MailchimpReader(http, listId, pageSize == null ? MailchimpReader.MAX_PAGE : Integer.parseInt(pageSize),
        config.incrementalOverlap());
    String status = config.setting("default_status");
    this.writer = new MailchimpWriter(http, schema, listId, status == null ? "subscribed" : status);
  }

  /**
   * Checks the Mailchimp-specific parts of a config: a {@code list_id}, known settings, members as
   * the only object.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static void validate(ConnectionConfig config) {
    String where = "connection '" + config.name() + "'";
    for (String s : config.settings().keySet()) {
      if (!SETTINGS.contains(s)) {
        throw new IllegalArgumentException(where + ": unknown Mailchimp setting '" + s + "' (known: " + String.join(", ", new java.util.TreeSet<>(SETTINGS)) + ")");
      }
    }
    String list = config.setting("list_id");
    if (list == null || !list.matches("[A-Za-z0-9]{1,40}")) {
      throw new IllegalArgumentException(where + ": Mailchimp needs settings.list_id, the audience id (e.g. a6b5da1054), got "
          + (list == null ? "none" : "'" + list + "'"));
    }
    String status = config.setting("default_status");
    if (status != null && !MailchimpSchema.STATUSES.contains(status)) {
      throw new IllegalArgumentException(where + ": default_status '" + status + "' is not one of " + String.join(", ", MailchimpSchema.STATUSES));
    }
    positive(config, "page_size", MailchimpReader.MAX_PAGE);
    positive(config, "max_connections", 1000);
    for (String o : config.objects()) {
      if (!MEMBERS.equals(o)) {
        throw new IllegalArgumentException(where + ": Mailchimp has no object '" + o + "' (it reads: " + MEMBERS + ")");
      }
    }
  }

  private static void positive(ConnectionConfig config, String name, int max) {
    String v = config.setting(name);
    if (v != null && (!v.matches("\\d{1,5}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > max)) {
      throw new IllegalArgumentException("connection '" + config.name() + "': " + name + " '" + v + "' must be a whole number from 1 to " + max);
    }
  }

  /** The subscriber hash Mailchimp addresses a member by: md5 of the lower-case email, in hex. */
  public static String subscriberHash(String email) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(email.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JDK", e);
    }
  }

  private static String members(String objectType) {
    if (!MEMBERS.equals(objectType)) {
      throw new IllegalArgumentException("Mailchimp has no object '" + objectType + "' (it has: " + MEMBERS + ")");
    }
    return objectType;
  }

  @Override
  public String connection() {
    return config.name();
  }

  @Override
  public String platform() {
    return "mailchimp";
  }

  @Override
  public List<String> objectTypes() {
    return List.of(MEMBERS);
  }

  /** One page of members ordered by {@code last_changed} (1,000 at most). */
  @Override
  public Page fetchRecords(StreamRequest request) throws ConnectorException {
    members(request.objectType());
    return reader.read(request);
  }

  /** {@code total_items} of the stream's query (archived members included). */
  @Override
  public OptionalLong estimateTotal(StreamRequest first) throws ConnectorException {
    members(first.objectType());
    return reader.count(first);
  }

  /** The members with these subscriber hashes, one request each (archived ones marked archived). */
  @Override
  public List<SourceRecord> readRecords(String objectType, List<String> ids) throws ConnectorException {
    members(objectType);
    return reader.readByIds(ids);
  }

  /** Member fields and the audience's merge fields ({@code GET /lists/{id}/merge-fields}, read once). */
  @Override
  public ObjectSchema describe(String objectType) throws ConnectorException {
    members(objectType);
    return schema.describe();
  }

  /** {@code keyField} must be {@code email_address} (or null): a member is addressed by its subscriber hash. */
  @Override
  public OutboundRecord mapFields(String objectType, String keyField, Map<String, ?> values, String traceId)
      throws FieldMappingException, ConnectorException {
    members(objectType);
    return schema.map(keyField, values, traceId);
  }

  @Override
  public int maxBatchSize() {
    return MailchimpWriter.MAX_BATCH;
  }

  /** The account's simultaneous connections (the registry's cap, or {@code settings.max_connections}). */
  @Override
  public int maxCallsInFlight() {
    return connections;
  }

  /**
   * Batch subscribe with {@code update_existing}: an upsert by email, so a repeated batch has one
   * effect; the idempotency key is not needed and not sent (Mailchimp takes none).
   */
  @Override
  public WriteResult uploadBatch(String objectType, List<OutboundRecord> records, String idempotencyKey) throws ConnectorException {
    members(objectType);
    return writer.write(records);
  }

  /**
   * Archives members by subscriber hash (Mailchimp's delete: the member stays readable with status
   * {@code archived}), one request each; an unknown member counts as deleted.
   */
  @Override
  public WriteResult deleteBatch(String objectType, List<String> ids) throws ConnectorException {
    members(objectType);
    return writer.archive(ids);
  }

  /**
   * Upserts one member: {@code PUT /lists/{list_id}/members/{subscriber hash of email}} with {@code
   * member} as given ({@code email_address}, {@code status_if_new}, {@code merge_fields}…), holding
   * one of the account's connection slots like every other request. Returns Mailchimp's member.
   * A rule action's write; idempotent (an upsert by email).
   */
  public com.fasterxml.jackson.databind.JsonNode putMember(String email, com.fasterxml.jackson.databind.JsonNode member) throws ConnectorException {
    return writer.putMember(email, member);
  }

  /**
   * Sets tags of one member: {@code POST /lists/{list_id}/members/{hash}/tags} with {@code tags}
   * ({@code {"tags":[{"name","status":"active|inactive"}]}}); a member the audience does not have is
   * PERMANENT_BATCH (404). Idempotent: a tag set active twice is active once.
   */
  public void postTags(String email, com.fasterxml.jackson.databind.JsonNode tags) throws ConnectorException {
    writer.postTags(email, tags);
  }

  @Override
  public void close() {
    // The HttpClient belongs to the factory.
  }

  @Override
  public String toString() {
    return "MailchimpConnector[" + config.name() + " @ " + config.baseUrl() + ", list " + config.setting("list_id") + "]";
  }
}
