package dev.sluice.sandbox.salesforce;

import static dev.sluice.sandbox.salesforce.SalesforceWire.JSON;
import static dev.sluice.sandbox.salesforce.SalesforceWire.json;
import static dev.sluice.sandbox.salesforce.SalesforceWire.pathSchema;
import static dev.sluice.sandbox.salesforce.SalesforceWire.prefix;
import static dev.sluice.sandbox.salesforce.SalesforceWire.recordJson;
import static dev.sluice.sandbox.salesforce.SalesforceWire.restTime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The REST reads: SOQL query and queryAll with {@code nextRecordsUrl} paging, retrieve one (by id or
 * by an External ID field), retrieve many ({@code /composite/sobjects/{Obj}}), and the replication
 * calls {@code /sobjects/{Obj}/deleted} and {@code /updated}.
 */
final class SalesforceRestReads {

  /** Retrieve-many takes at most this many ids. */
  static final int MAX_RETRIEVE_IDS = 2000;
  /** getUpdated/getDeleted look back at most this far. */
  static final Duration REPLICATION_WINDOW = Duration.ofDays(30);

  private static final Pattern LOCATOR = Pattern.compile("(01g[0-9A-Za-z]{15})-(\\d{1,9})");
  private static final Pattern BATCH_SIZE = Pattern.compile("batchSize=(\\d+)");

  private final SalesforceStore store;
  private final QueryCursors cursors;
  private final SalesforceOptions options;
  private final Clock clock;

  SalesforceRestReads(SalesforceStore store, QueryCursors cursors, SalesforceOptions options, Clock clock) {
    this.store = store;
    this.cursors = cursors;
    this.options = options;
    this.clock = clock;
  }

  /** {@code GET /query} ({@code all} false) and {@code GET /queryAll} (deleted records too, {@code IsDeleted} true). */
  void query(Context ctx, boolean all) throws Exception {
    SoqlQuery q = SoqlParser.parse(ctx.queryParam("q"), clock.instant());
    Iterable<SObjectRecord> source = all ? store.scanAll(q.object().name) : store.scan(q.object().name);
    List<SObjectRecord> rows = new ArrayList<>();
    for (SObjectRecord r : source) {
      SObjectRecord row = q.joinsParents() ? joinParents(r) : r;
      if (q.where() == null || q.where().test(row)) {
        rows.add(row);
      }
    }
    Comparator<SObjectRecord> order = q.comparator();
    if (order != null) {
      rows.sort(order);
    }
    int from = q.offset() == null ? 0 : Math.min(q.offset(), rows.size());
    int to = q.limit() == null ? rows.size() : Math.min(rows.size(), from + q.limit());
    rows = new ArrayList<>(rows.subList(from, to));
    if (q.countOnly()) {
      ObjectNode body = JSON.createObjectNode();
      body.put("totalSize", rows.size());
      body.put("done", true);
      body.putArray("records");
      json(ctx, 200, body);
      return;
    }
    int pageSize = options.queryPageSize();
    String queryOptions = ctx.header("Sforce-Query-Options");
    if (queryOptions != null) {
      Matcher m = BATCH_SIZE.matcher(queryOptions);
      if (m.find()) {
        // Salesforce honours batchSize between 200 and 2,000 as a hint.
        pageSize = Math.max(200, Math.min(pageSize, Integer.parseInt(m.group(1))));
      }
    }
    QueryCursors.Cursor cursor = new QueryCursors.Cursor(q, rows, pageSize);
    String locator = rows.size() > pageSize ? cursors.open(cursor) : null;
    page(ctx, cursor, locator, 0, all);
  }

  void nextPage(Context ctx, boolean all) throws Exception {
    Matcher m = LOCATOR.matcher(ctx.pathParam("locator"));
    QueryCursors.Cursor cursor = m.matches() ? cursors.get(m.group(1)) : null;
    if (cursor == null) {
      throw new SalesforceApiException(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    }
    int offset = Integer.parseInt(m.group(2));
    if (offset >= cursor.rows().size()) {
      throw new SalesforceApiException(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    }
    page(ctx, cursor, m.group(1), offset, all);
  }

  private void page(Context ctx, QueryCursors.Cursor cursor, String locator, int offset, boolean all) throws Exception {
    List<SObjectRecord> rows = cursor.rows();
    int end = Math.min(rows.size(), offset + cursor.pageSize());
    ObjectNode body = JSON.createObjectNode();
    body.put("totalSize", rows.size());
    body.put("done", end >= rows.size());
    if (end < rows.size()) {
      body.put("nextRecordsUrl", prefix(ctx) + (all ? "/queryAll/" : "/query/") + locator + "-" + end);
    }
    ArrayNode records = body.putArray("records");
    for (SObjectRecord r : rows.subList(offset, end)) {
      records.add(recordJson(r, cursor.query().select(), prefix(ctx)));
    }
    json(ctx, 200, body);
  }

  /**
   * The record with its parents' fields added as {@code Relationship.Field} entries, and the
   * relationship name itself mapped to the parent id (null without a parent).
   */
  SObjectRecord joinParents(SObjectRecord r) {
    SObjectSchema s = SObjectSchema.of(r.type());
    Map<String, Object> values = new LinkedHashMap<>(r.fields());
    for (SObjectSchema.Field lookup : s.fields()) {
      if (lookup.relationshipName() == null) {
        continue;
      }
      Object parentId = r.get(lookup.name());
      SObjectRecord parent = parentId == null ? null : store.get(lookup.referenceTo(), parentId.toString());
      values.put(lookup.relationshipName(), parent == null ? null : parent.id());
      for (SObjectSchema.Field pf : SObjectSchema.of(lookup.referenceTo()).fields()) {
        values.put(lookup.relationshipName() + "." + pf.name(), parent == null ? null : parent.get(pf.name()));
      }
    }
    return new SObjectRecord(r.type(), r.id(), values);
  }

  /** {@code GET /sobjects/{Obj}/{id}[?fields=a,b]}. */
  void retrieve(Context ctx) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    String id = store.resolveId(s.name, ctx.pathParam("id"));
    if (id == null) {
      throw SalesforceWire.notFound();
    }
    json(ctx, 200, recordJson(store.get(s.name, id), selected(s, ctx.queryParam("fields")), prefix(ctx)));
  }

  /** {@code GET /sobjects/{Obj}/{ExtIdField}/{value}}: the one record with that value (300 when several). */
  void retrieveByExternalId(Context ctx) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    SObjectSchema.Field key = SalesforceRestWrites.upsertKey(s, ctx.pathParam("field"));
    List<String> ids = store.find(s, key, ctx.pathParam("value"));
    if (ids.isEmpty()) {
      throw SalesforceWire.notFound();
    }
    if (ids.size() > 1) {
      ArrayNode urls = JSON.createArrayNode();
      ids.forEach(id -> urls.add(prefix(ctx) + "/sobjects/" + s.name + "/" + id));
      json(ctx, 300, urls);
      return;
    }
    json(ctx, 200, recordJson(store.get(s.name, ids.get(0)), selected(s, ctx.queryParam("fields")), prefix(ctx)));
  }

  /**
   * {@code POST /composite/sobjects/{Obj}} with {@code {"ids":[…],"fields":[…]}} (or GET with
   * {@code ?ids=&fields=}): the records in the order asked, null for ids that match none.
   */
  void retrieveMany(Context ctx, boolean get) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    List<String> ids = new ArrayList<>();
    String fields;
    if (get) {
      ids.addAll(splitList(ctx.queryParam("ids")));
      fields = ctx.queryParam("fields");
    } else {
      JsonNode body = SalesforceWire.objectBody(ctx);
      body.path("ids").forEach(n -> ids.add(n.asText()));
      List<String> names = new ArrayList<>();
      body.path("fields").forEach(n -> names.add(n.asText()));
      fields = names.isEmpty() ? null : String.join(",", names);
    }
    if (ids.isEmpty()) {
      throw new SalesforceApiException(400, "MISSING_ARGUMENT", "ids: required parameter missing");
    }
    if (fields == null || fields.isBlank()) {
      throw new SalesforceApiException(400, "MISSING_ARGUMENT", "fields: required parameter missing");
    }
    if (ids.size() > MAX_RETRIEVE_IDS) {
      throw new SalesforceApiException(400, "EXCEEDED_ID_LIMIT", "The number of ids is more than " + MAX_RETRIEVE_IDS);
    }
    List<SObjectSchema.Field> select = selected(s, fields);
    ArrayNode out = JSON.createArrayNode();
    for (String raw : ids) {
      String id = store.resolveId(s.name, raw);
      if (id == null) {
        out.addNull();
      } else {
        out.add(recordJson(store.get(s.name, id), select, prefix(ctx)));
      }
    }
    json(ctx, 200, out);
  }

  /** {@code GET /sobjects/{Obj}/deleted/?start=&end=}. */
  void deleted(Context ctx) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    Instant[] range = replicationRange(ctx);
    ObjectNode body = JSON.createObjectNode();
    ArrayNode deletedRecords = body.putArray("deletedRecords");
    Instant earliest = range[0];
    for (SalesforceStore.Tombstone t : store.deletedBetween(s.name, range[0], range[1])) {
      ObjectNode d = deletedRecords.addObject();
      d.put("id", t.record().id());
      d.put("deletedDate", restTime(t.deletedDate()));
    }
    for (SalesforceStore.Tombstone t : store.deletedBetween(s.name, Instant.EPOCH, range[1])) {
      earliest = t.deletedDate().isBefore(earliest) ? t.deletedDate() : earliest;
    }
    body.put("earliestDateAvailable", restTime(earliest.truncatedTo(ChronoUnit.MINUTES)));
    body.put("latestDateCovered", restTime(range[1].truncatedTo(ChronoUnit.MINUTES)));
    json(ctx, 200, body);
  }

  /** {@code GET /sobjects/{Obj}/updated/?start=&end=}: ids created or changed in the range. */
  void updated(Context ctx) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    Instant[] range = replicationRange(ctx);
    ObjectNode body = JSON.createObjectNode();
    ArrayNode ids = body.putArray("ids");
    store.updatedBetween(s.name, range[0], range[1]).forEach(ids::add);
    body.put("latestDateCovered", restTime(range[1].truncatedTo(ChronoUnit.MINUTES)));
    json(ctx, 200, body);
  }

  /** [start, end] in whole minutes; end capped at now; start at most 30 days back. */
  private Instant[] replicationRange(Context ctx) {
    Instant start = SalesforceWire.timeParam(ctx, "start");
    Instant end = SalesforceWire.timeParam(ctx, "end");
    Instant now = clock.instant().truncatedTo(ChronoUnit.MINUTES);
    if (end.isAfter(now)) {
      end = now;
    }
    if (!start.isBefore(end) && !start.equals(end)) {
      throw new SalesforceApiException(400, "INVALID_REPLICATION_DATE", "EndDate must chronologically follow the StartDate");
    }
    if (start.isBefore(now.minus(REPLICATION_WINDOW))) {
      throw new SalesforceApiException(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago");
    }
    // The last minute is covered up to its end.
    return new Instant[] {start, end.plusSeconds(59).plusMillis(999)};
  }

  /** The fields named in a comma-separated list (all of the object's when null). */
  private static List<SObjectSchema.Field> selected(SObjectSchema s, String fields) {
    if (fields == null || fields.isBlank()) {
      return s.fields();
    }
    List<SObjectSchema.Field> out = new ArrayList<>();
    for (String name : splitList(fields)) {
      SObjectSchema.Field f = s.field(name);
      if (f == null) {
        throw new SalesforceApiException(400, "INVALID_FIELD",
            "No such column '" + name + "' on entity '" + s.name + "'. If you are attempting to use a custom field, "
                + "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
                + "describe call for the appropriate names.");
      }
      out.add(f);
    }
    return out;
  }

  private static List<String> splitList(String csv) {
    List<String> out = new ArrayList<>();
    if (csv != null) {
      for (String part : csv.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }
}
