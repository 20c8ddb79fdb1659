package dev.sluice.connectors.salesforce;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.connectors.SyncMode;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one object by SOQL through {@code queryAll} (live and deleted records, {@code IsDeleted}
 * marks the deleted), ordered by {@code SystemModstamp} (set by every change, deletes included),
 * incremental from the previous run's start minus the overlap, paged by {@code nextRecordsUrl}.
 *
 * <p>Checkpoint: {@code {"v":1,"o":"Contact","since":"…Z"|null,"next":"/services/data/…/queryAll/01g…-2000","last":"…Z"}}.
 * A query locator Salesforce no longer knows ({@code INVALID_QUERY_LOCATOR}: expired, or read by a
 * process after a long pause) restarts the query at the second of the last record read: records of
 * that second are read again (the mirror upserts), none is skipped.
 */
final class SalesforceReader {

  static final String MODSTAMP = "SystemModstamp";
  /** Salesforce's REST datetime form: {@code 2026-01-15T10:30:00.000+0000}. */
  static final DateTimeFormatter REST_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx");
  /** Ids per {@code Id IN (…)} query when reading by id (keeps the URL well under Salesforce's 16,384 characters). */
  static final int IDS_PER_QUERY = 200;

  private final SalesforceHttp http;
  private final SalesforceSchema schema;
  private final Map<String, List<String>> configuredFields;
  private final Duration overlap;

  SalesforceReader(SalesforceHttp http, SalesforceSchema schema, Map<String, List<String>> configuredFields, Duration overlap) {
    this.http = http;
    this.schema = schema;
    this.configuredFields = configuredFields;
    this.overlap = overlap;
  }

  Page read(String object, StreamRequest request) throws ConnectorException {
    SalesforceSchema.Described d = schema.describe(object);
    if (request.checkpoint() == null) {
      // SOQL datetime literals have whole seconds: the query starts at the second, the page drops what is older.
      Instant since = request.mode() == SyncMode.INCREMENTAL && request.incrementalSince() != null
          ? request.incrementalSince().minus(overlap) : null;
      return page(object, d, since, "/queryAll?q=" + enc(soql(object, d, since)), "queryAll " + object);
    }
    JsonNode cp = checkpoint(object, request.checkpoint());
    Instant since = instant(cp.path("since"));
    Instant last = instant(cp.path("last"));
    String next = cp.path("next").asText();
    String position = object + " " + next;
    SalesforceHttp.Answer a = http.exchange("query", "GET", next, null, position);
    if (a.status() == 400 && "INVALID_QUERY_LOCATOR".equals(a.errorCode())) {
      Instant restart = last != null ? last.truncatedTo(ChronoUnit.SECONDS) : since;
      return page(object, d, since, "/queryAll?q=" + enc(soql(object, d, restart)), "queryAll " + object + " again from " + restart);
    }
    http.check(a, position);
    return toPage(object, d, since, a.body(), position);
  }

  private Page page(String object, SalesforceSchema.Described d, Instant since, String path, String position) throws ConnectorException {
    return toPage(object, d, since, http.send("query", "GET", path, null, position), position);
  }

  private Page toPage(String object, SalesforceSchema.Described d, Instant since, JsonNode body, String position)
      throws ConnectorException {
    if (body == null || !body.path("records").isArray()) {
      throw ConnectorException.malformed("Salesforce answered " + position + " without \"records\"", null);
    }
    List<SourceRecord> records = new ArrayList<>();
    Instant last = null;
    for (JsonNode r : body.path("records")) {
      SourceRecord rec = record(object, d, r);
      if (since == null || rec.sourceUpdatedAt() == null || !rec.sourceUpdatedAt().isBefore(since)) {
        records.add(rec);
      }
      if (rec.sourceUpdatedAt() != null && (last == null || rec.sourceUpdatedAt().isAfter(last))) {
        last = rec.sourceUpdatedAt();
      }
    }
    boolean done = body.path("done").asBoolean(true) || !body.hasNonNull("nextRecordsUrl");
    String next = null;
    if (!done) {
      ObjectNode cp = SalesforceHttp.JSON.createObjectNode().put("v", 1).put("o", object);
      cp.put("since", since == null ? null : since.toString());
      cp.put("next", body.path("nextRecordsUrl").asText());
      cp.put("last", last == null ? (since == null ? null : since.toString()) : last.toString());
      next = cp.toString();
    }
    return new Page(records, next, done, 1, position);
  }

  /** The live and deleted records with these ids (ids Salesforce does not know are left out). */
  List<SourceRecord> readByIds(String object, List<String> ids) throws ConnectorException {
    SalesforceSchema.Described d = schema.describe(object);
    List<SourceRecord> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += IDS_PER_QUERY) {
      List<String> chunk = ids.subList(i, Math.min(ids.size(), i + IDS_PER_QUERY));
      StringBuilder in = new StringBuilder();
      for (String id : chunk) {
        if (!id.matches("[A-Za-z0-9]{15,18}")) {
          throw new IllegalArgumentException("not a Salesforce id: '" + id + "'");
        }
        in.append(in.isEmpty() ? "" : ",").append('\'').append(id).append('\'');
      }
      String q = "SELECT " + String.join(", ", fields(object, d)) + " FROM " + object + " WHERE Id IN (" + in + ")";
      String path = "/queryAll?q=" + enc(q);
      while (path != null) {
        JsonNode body = http.send("query", "GET", path, null, object + " by id");
        for (JsonNode r : body.path("records")) {
          out.add(record(object, d, r));
        }
        path = body.path("done").asBoolean(true) ? null : body.path("nextRecordsUrl").asText(null);
      }
    }
    return out;
  }

  /** {@code SELECT COUNT()} of live records in the stream's range: one request. */
  long count(String object, StreamRequest first) throws ConnectorException {
    Instant since = first.mode() == SyncMode.INCREMENTAL && first.incrementalSince() != null
        ? first.incrementalSince().minus(overlap).truncatedTo(ChronoUnit.SECONDS) : null;
    String q = "SELECT COUNT() FROM " + object + (since == null ? "" : " WHERE " + MODSTAMP + " >= " + since);
    return http.send("query", "GET", "/query?q=" + enc(q), null, object + " count").path("totalSize").asLong();
  }

  String soql(String object, SalesforceSchema.Described d, Instant since) {
    return "SELECT " + String.join(", ", fields(object, d)) + " FROM " + object
        + (since == null ? "" : " WHERE " + MODSTAMP + " >= " + since.truncatedTo(ChronoUnit.SECONDS))
        + " ORDER BY " + MODSTAMP + " ASC, Id ASC";
  }

  /** The configured fields (plus Id, IsDeleted, SystemModstamp), else every selectable field. */
  private List<String> fields(String object, SalesforceSchema.Described d) {
    List<String> configured = configuredFields.get(object);
    List<String> out = new ArrayList<>(configured == null || configured.isEmpty() ? d.selectable() : configured);
    for (String must : List.of("Id", "IsDeleted", MODSTAMP)) {
      if (out.stream().noneMatch(f -> f.equalsIgnoreCase(must))) {
        out.add(0, must);
      }
    }
    return out;
  }

  static SourceRecord record(String object, SalesforceSchema.Described d, JsonNode r) throws ConnectorException {
    String id = r.path("Id").asText(null);
    if (id == null) {
      throw ConnectorException.malformed("Salesforce returned a " + object + " record without Id", null);
    }
    Map<String, String> props = new LinkedHashMap<>();
    Map<String, List<String>> assoc = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : r.properties()) {
      JsonNode v = e.getValue();
      if ("attributes".equals(e.getKey()) || v.isObject() || v.isArray()) {
        continue; // relationship objects and subqueries: their ids are in the lookup fields
      }
      String text = v.isNull() ? null : v.isNumber() ? new BigDecimal(v.asText()).stripTrailingZeros().toPlainString() : v.asText();
      props.put(e.getKey(), text);
      String target = d.lookups().get(e.getKey());
      if (target != null && text != null) {
        assoc.computeIfAbsent(target, k -> new ArrayList<>()).add(text);
      }
    }
    boolean deleted = r.path("IsDeleted").asBoolean(false);
    return new SourceRecord(object, id, props, deleted ? Map.of() : assoc, deleted, instant(r.path(MODSTAMP)));
  }

  static Instant instant(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode() || n.asText().isEmpty()) {
      return null;
    }
    String s = n.asText();
    try {
      return REST_DATETIME.parse(s, java.time.OffsetDateTime::from).toInstant();
    } catch (DateTimeParseException e) {
      return Instant.parse(s);
    }
  }

  private static JsonNode checkpoint(String object, String text) {
    try {
      JsonNode cp = SalesforceHttp.JSON.readTree(text);
      if (cp == null || cp.path("v").asInt() != 1 || !object.equals(cp.path("o").asText()) || !cp.hasNonNull("next")
          || !cp.path("next").asText().startsWith("/services/data/")) {
        throw new IllegalArgumentException("not a Salesforce checkpoint of " + object + ": " + text);
      }
      return cp;
    } catch (JacksonException e) {
      throw new IllegalArgumentException("not a Salesforce checkpoint of " + object + ": " + text, e);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String formatInstant(Instant i) {
    return REST_DATETIME.format(i.atOffset(ZoneOffset.UTC));
  }
}
