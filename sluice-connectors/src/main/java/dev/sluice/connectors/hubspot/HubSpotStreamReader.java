package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.connectors.SyncMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads one page of a HubSpot stream from a {@link HubSpotCheckpoint}.
 *
 * <p>Full mode lists active records 100 at a time (the list cursor is opaque and passed back
 * unchanged), then lists {@code archived=true}. Incremental mode searches on the last-modified
 * property and then lists archived records changed since. Each search page is a fresh query
 * anchored on the last value seen ({@code lastmod >= anchor}, skipping the ids already returned at
 * exactly that value), so no query ever reaches the 10,000-result cap and a record modified while
 * the stream runs cannot shift the following records out of view, which an offset-like cursor
 * would. When a whole page shares one timestamp the reader walks that timestamp by {@code
 * hs_object_id} (phase {@code search_tie}) before moving on with {@code lastmod > anchor}. Every
 * query has exactly one sort, so this is correct even where the server honours only one.
 *
 * <p>HubSpot's search index lags its writes. When the request names its run's start S and the
 * connection has a settle time L, the search runs in passes: a pass that began before S + L may
 * have missed changes made before S, so it is followed by phase {@code settle} (the caller waits
 * until S + L, see {@link #waitBeforeReading}) and another pass from the last last-modified time
 * seen before S, or from S − L if that is earlier (a change before S that a pass beginning after S
 * could not see yet was modified after S − L). The read goes on to the archived records once a
 * pass that began after S + L has found nothing new modified before S (for the first pass: once
 * it began after S + L).
 */
final class HubSpotStreamReader {

  /** HubSpot's maximum page size for list calls. */
  static final int LIST_LIMIT = 100;
  /** HubSpot's maximum page size for search calls. */
  static final int SEARCH_LIMIT = 200;
  /** Longest request URL we send; property lists beyond it are split into several requests. */
  static final int MAX_URL_LENGTH = 2_000;

  private final HubSpotHttp http;
  private final HubSpotAssociationReader associations;
  private final String baseUrl;
  private final Duration overlap;
  /** How long after a write the search index is taken to hold it (zero: read in one pass). */
  private final Duration settle;
  private final Clock clock;
  private final Function<HubSpotObjectType, List<String>> propertiesFor;

  HubSpotStreamReader(HubSpotHttp http, String baseUrl, Duration overlap, Duration settle, Clock clock,
      Function<HubSpotObjectType, List<String>> propertiesFor) {
    this(http, baseUrl, overlap, settle, clock, propertiesFor, java.util.concurrent.ConcurrentHashMap.newKeySet());
  }

  private HubSpotStreamReader(HubSpotHttp http, String baseUrl, Duration overlap, Duration settle, Clock clock,
      Function<HubSpotObjectType, List<String>> propertiesFor, Set<String> undefinedPairs) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.overlap = overlap;
    this.settle = settle;
    this.clock = clock;
    this.propertiesFor = propertiesFor;
    this.associations = new HubSpotAssociationReader(http, undefinedPairs);
  }

  /** The same reader sending through {@code other} (read-ahead); what it learns about the portal is shared. */
  HubSpotStreamReader through(HubSpotHttp other) {
    return new HubSpotStreamReader(other, baseUrl, overlap, settle, clock, propertiesFor, associations.undefinedPairs());
  }

  /**
   * Where an incremental read starts: the previous run's start minus the overlap, or minus the
   * settle time if that is longer (the previous run only guaranteed changes older than that).
   */
  private Long floor(StreamRequest req) {
    if (req.mode() != SyncMode.INCREMENTAL || req.incrementalSince() == null) {
      return null;
    }
    Duration back = overlap.compareTo(settle) >= 0 ? overlap : settle;
    return req.incrementalSince().minus(back).toEpochMilli();
  }

  /** The read waits for the index to settle: an incremental read that knows its run's start, with a settle time. */
  private boolean settles(StreamRequest req) {
    return floor(req) != null && req.runStartedAt() != null && !settle.isZero();
  }

  /** How long until the index holds every change made before the run started (zero when it does). */
  private Duration unsettledFor(StreamRequest req) {
    Duration left = Duration.between(clock.instant(), req.runStartedAt().plus(settle));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** See {@link dev.sluice.connectors.SourceConnector#waitBeforeReading}: only a settle checkpoint waits. */
  Duration waitBeforeReading(StreamRequest req) {
    if (!settles(req) || req.checkpoint() == null) {
      return Duration.ZERO;
    }
    HubSpotCheckpoint cp = HubSpotCheckpoint.parse(req.checkpoint());
    return cp.phase() == HubSpotCheckpoint.Phase.SETTLE ? unsettledFor(req) : Duration.ZERO;
  }

  Page read(HubSpotObjectType type, StreamRequest req) throws ConnectorException {
    return read(type, req, next -> { });
  }

  /**
   * Reads one page; in the list phases {@code nextKnown} gets the next page's checkpoint as soon as
   * the list call has answered, before the association reads (so the read-ahead can go on).
   */
  Page read(HubSpotObjectType type, StreamRequest req, Consumer<String> nextKnown) throws ConnectorException {
    Long since = floor(req);
    HubSpotCheckpoint cp;
    if (req.checkpoint() == null) {
      // The first pass is settled when it begins after the index has caught up with the run's start.
      HubSpotCheckpoint.Pass first = settles(req) ? new HubSpotCheckpoint.Pass(0, unsettledFor(req).isZero(), null, null) : null;
      cp = since == null ? HubSpotCheckpoint.active(null) : HubSpotCheckpoint.search(since, false, List.of(), first);
    } else {
      cp = HubSpotCheckpoint.parse(req.checkpoint());
      boolean searchPhase = cp.phase() == HubSpotCheckpoint.Phase.SEARCH || cp.phase() == HubSpotCheckpoint.Phase.SEARCH_TIE
          || cp.phase() == HubSpotCheckpoint.Phase.SETTLE;
      if (searchPhase && since == null) {
        throw new IllegalArgumentException("checkpoint " + req.checkpoint() + " belongs to an incremental read; "
            + "resume it with mode INCREMENTAL and the same incrementalSince");
      }
      if (cp.phase() == HubSpotCheckpoint.Phase.ACTIVE && since != null) {
        throw new IllegalArgumentException("checkpoint " + req.checkpoint() + " belongs to a full read; resume it with mode FULL");
      }
    }
    RequestTally tally = new RequestTally();
    String position = cp.position(type);
    Instant readAt = http.now();
    try {
      Page page = switch (cp.phase()) {
        case ACTIVE -> active(type, cp, tally, position, nextKnown);
        case ARCHIVED -> archived(type, cp, since, tally, position, nextKnown);
        case SEARCH -> search(type, cp, req, tally, position);
        case SEARCH_TIE -> searchTie(type, cp, req, tally, position);
        case SETTLE -> settled(type, cp, req, tally, position);
      };
      return page.withReadAt(readAt);
    } catch (HubSpotRecords.ShapeException e) {
      throw ConnectorException.malformed("HubSpot answer at " + position + " is malformed: " + e.getMessage(), e);
    }
  }

  java.util.OptionalLong estimate(HubSpotObjectType type, StreamRequest first) throws ConnectorException {
    ObjectNode body = HubSpotHttp.JSON.createObjectNode();
    body.putArray("properties").add("hs_object_id");
    body.put("limit", 1);
    String position = type.name() + " count";
    if (floor(first) != null) {
      long since = floor(first);
      body.putArray("filterGroups").addObject().putArray("filters").addObject()
          .put("propertyName", type.lastModifiedProperty()).put("operator", "GTE").put("value", Long.toString(since));
      position += " since " + Instant.ofEpochMilli(since);
    }
    JsonNode resp = http.send("search", "POST", "/crm/v3/objects/" + type.name() + "/search", body, Map.of(), position).body();
    JsonNode total = resp.get("total");
    return total != null && total.canConvertToLong() ? java.util.OptionalLong.of(total.asLong()) : java.util.OptionalLong.empty();
  }

  private Page active(HubSpotObjectType type, HubSpotCheckpoint cp, RequestTally tally, String position,
      Consumer<String> nextKnown) throws ConnectorException {
    ListPage lp = list(type, cp.after(), false, tally, position);
    String next = (lp.after() != null ? HubSpotCheckpoint.active(lp.after()) : HubSpotCheckpoint.archived(null)).toJson();
    nextKnown.accept(next);
    List<SourceRecord> records = withAssociations(type, lp.records(), tally, position);
    return new Page(records, next, false, tally.requests(), position);
  }

  private Page archived(HubSpotObjectType type, HubSpotCheckpoint cp, Long since, RequestTally tally, String position,
      Consumer<String> nextKnown) throws ConnectorException {
    ListPage lp = list(type, cp.after(), true, tally, position);
    if (lp.after() != null) {
      nextKnown.accept(HubSpotCheckpoint.archived(lp.after()).toJson());
    }
    List<SourceRecord> records = new ArrayList<>();
    for (HubSpotRecords.RawRecord r : lp.records()) {
      Instant changed = r.archivedAt() != null ? r.archivedAt() : r.updatedAt();
      // An incremental run only needs archives since the previous run; unknown times are kept (safe side).
      if (since != null && changed != null && changed.toEpochMilli() < since) {
        continue;
      }
      records.add(new SourceRecord(type.name(), r.id(), r.properties(), Map.of(), true, updatedAt(type, r)));
    }
    if (lp.after() == null) {
      return new Page(records, null, true, tally.requests(), position);
    }
    return new Page(records, HubSpotCheckpoint.archived(lp.after()).toJson(), false, tally.requests(), position);
  }

  /** A settle checkpoint: once the index has settled, the next pass's first search. */
  private Page settled(HubSpotObjectType type, HubSpotCheckpoint cp, StreamRequest req, RequestTally tally, String position)
      throws ConnectorException {
    if (!settles(req)) {
      throw new IllegalArgumentException("checkpoint " + req.checkpoint() + " waits for the search index; resume it with the run's "
          + "start (StreamRequest.runStartedAt) it was read with");
    }
    Duration left = unsettledFor(req);
    if (!left.isZero()) {
      // The caller should have asked waitBeforeReading; nothing was sent.
      throw ConnectorException.rateLimited("waiting " + left.toMillis() + " ms for the search index to settle", left, 0);
    }
    HubSpotCheckpoint.Pass pass = cp.passOrFirst();
    HubSpotCheckpoint search = HubSpotCheckpoint.search(cp.anchor(), false, List.of(),
        new HubSpotCheckpoint.Pass(pass.number(), true, pass.horizon(), null));
    return search(type, search, req, tally, position);
  }

  /** The pass {@code pass} after it also returned {@code raw}. */
  private static HubSpotCheckpoint.Pass saw(HubSpotCheckpoint.Pass pass, HubSpotObjectType type, List<HubSpotRecords.RawRecord> raw,
      StreamRequest req) {
    if (pass == null) {
      return null;
    }
    long start = req.runStartedAt().toEpochMilli();
    for (HubSpotRecords.RawRecord r : raw) {
      pass = pass.saw(lastModified(type, r), start);
    }
    return pass;
  }

  /**
   * Where a read goes when a search pass has ended: to the archived records once the pass proves
   * that the index held every change made before the run started, else to another pass after the
   * index has settled.
   */
  private HubSpotCheckpoint afterPass(HubSpotCheckpoint.Pass pass, StreamRequest req) {
    if (pass == null || !settles(req)) {
      return HubSpotCheckpoint.archived(null);
    }
    boolean complete = pass.number() == 0 ? pass.settled() : pass.settled() && !pass.foundNew();
    if (complete) {
      return HubSpotCheckpoint.archived(null);
    }
    Long horizon = pass.reached();
    long start = req.runStartedAt().toEpochMilli();
    long from = Math.min(horizon == null ? Long.MAX_VALUE : horizon, start - settle.toMillis());
    return HubSpotCheckpoint.settle(Math.max(floor(req), from), new HubSpotCheckpoint.Pass(pass.number() + 1, true, horizon, null));
  }

  private Page search(HubSpotObjectType type, HubSpotCheckpoint cp, StreamRequest req, RequestTally tally, String position)
      throws ConnectorException {
    String lm = type.lastModifiedProperty();
    ObjectNode body = searchBody(type);
    body.putArray("filterGroups").addObject().putArray("filters").addObject()
        .put("propertyName", lm).put("operator", cp.strict() ? "GT" : "GTE").put("value", Long.toString(cp.anchor()));
    body.putArray("sorts").addObject().put("propertyName", lm).put("direction", "ASCENDING");
    SearchPage page = searchResults(type, body, tally, position, r -> lastModified(type, r), "by " + lm);
    List<HubSpotRecords.RawRecord> raw = page.records();
    Set<String> seen = cp.strict() ? Set.of() : new LinkedHashSet<>(cp.seen());
    List<HubSpotRecords.RawRecord> fresh = raw.stream().filter(r -> !seen.contains(r.id())).toList();
    HubSpotCheckpoint.Pass pass = saw(cp.pass(), type, raw, req);
    HubSpotCheckpoint next;
    if (!page.more()) {
      next = afterPass(pass, req);
    } else {
      long last = lastModified(type, raw.get(raw.size() - 1));
      boolean allAtAnchor = raw.stream().allMatch(r -> lastModified(type, r) == cp.anchor());
      if (allAtAnchor) {
        // A full page at one timestamp: more may share it than fit a page. Walk them by id.
        Set<String> union = new LinkedHashSet<>(seen);
        raw.forEach(r -> union.add(r.id()));
        next = HubSpotCheckpoint.searchTie(cp.anchor(), null, new ArrayList<>(union), pass);
      } else {
        List<String> atLast = new ArrayList<>();
        if (last == cp.anchor() && !cp.strict()) {
          atLast.addAll(seen);
        }
        for (HubSpotRecords.RawRecord r : raw) {
          if (lastModified(type, r) == last && !atLast.contains(r.id())) {
            atLast.add(r.id());
          }
        }
        next = HubSpotCheckpoint.search(last, false, atLast, pass);
      }
    }
    List<SourceRecord> records = withAssociations(type, fresh, tally, position);
    return new Page(records, next.toJson(), false, tally.requests(), position);
  }

  private Page searchTie(HubSpotObjectType type, HubSpotCheckpoint cp, StreamRequest req, RequestTally tally, String position)
      throws ConnectorException {
    String lm = type.lastModifiedProperty();
    ObjectNode body = searchBody(type);
    ArrayNode filters = body.putArray("filterGroups").addObject().putArray("filters");
    filters.addObject().put("propertyName", lm).put("operator", "EQ").put("value", Long.toString(cp.anchor()));
    if (cp.tieAfter() != null) {
      filters.addObject().put("propertyName", "hs_object_id").put("operator", "GT").put("value", cp.tieAfter());
    }
    body.putArray("sorts").addObject().put("propertyName", "hs_object_id").put("direction", "ASCENDING");
    SearchPage page = searchResults(type, body, tally, position, HubSpotStreamReader::numericId, "by hs_object_id");
    List<HubSpotRecords.RawRecord> raw = page.records();
    Set<String> seen = new LinkedHashSet<>(cp.seen());
    List<HubSpotRecords.RawRecord> fresh = raw.stream().filter(r -> !seen.contains(r.id())).toList();
    HubSpotCheckpoint.Pass pass = saw(cp.pass(), type, raw, req);
    HubSpotCheckpoint next = !page.more()
        ? HubSpotCheckpoint.search(cp.anchor(), true, List.of(), pass)
        : HubSpotCheckpoint.searchTie(cp.anchor(), raw.get(raw.size() - 1).id(), cp.seen(), pass);
    List<SourceRecord> records = withAssociations(type, fresh, tally, position);
    return new Page(records, next.toJson(), false, tally.requests(), position);
  }

  private ObjectNode searchBody(HubSpotObjectType type) {
    ObjectNode body = HubSpotHttp.JSON.createObjectNode();
    ArrayNode props = body.putArray("properties");
    searchProperties(type).forEach(props::add);
    body.put("limit", SEARCH_LIMIT);
    return body;
  }

  private List<String> searchProperties(HubSpotObjectType type) {
    LinkedHashSet<String> props = new LinkedHashSet<>(propertiesFor.apply(type));
    props.add(type.lastModifiedProperty());
    props.add("hs_object_id");
    return new ArrayList<>(props);
  }

  /** One search answer: its records and whether the query matched more than it returned. */
  private record SearchPage(List<HubSpotRecords.RawRecord> records, boolean more) {}

  /**
   * Runs one search query. The re-anchoring is only sound on results in ascending order of the
   * sort key, so an answer out of order is refused as malformed rather than risking a gap.
   */
  private SearchPage searchResults(HubSpotObjectType type, ObjectNode body, RequestTally tally, String position,
      java.util.function.ToLongFunction<HubSpotRecords.RawRecord> sortKey, String order) throws ConnectorException {
    tally.add();
    JsonNode resp = http.send("search", "POST", "/crm/v3/objects/" + type.name() + "/search", body, Map.of(), position).body();
    List<HubSpotRecords.RawRecord> out = new ArrayList<>();
    long previous = Long.MIN_VALUE;
    for (JsonNode r : HubSpotRecords.results(resp)) {
      HubSpotRecords.RawRecord rec = HubSpotRecords.record(r);
      long key = sortKey.applyAsLong(rec);
      if (key < previous) {
        throw new HubSpotRecords.ShapeException("search results are not in ascending order " + order + " (at record " + rec.id() + ")");
      }
      previous = key;
      out.add(rec);
    }
    // Fewer results than asked for means the end, unless the server says there is a next page.
    boolean more = out.size() >= SEARCH_LIMIT || HubSpotRecords.nextAfter(resp) != null;
    return new SearchPage(out, more && !out.isEmpty());
  }

  private static long numericId(HubSpotRecords.RawRecord r) {
    try {
      return Long.parseLong(r.id());
    } catch (NumberFormatException e) {
      throw new HubSpotRecords.ShapeException("search result id '" + r.id() + "' is not a number");
    }
  }

  private static long lastModified(HubSpotObjectType type, HubSpotRecords.RawRecord r) {
    Instant t = HubSpotRecords.instant(r.properties().get(type.lastModifiedProperty()));
    if (t == null) {
      t = r.updatedAt();
    }
    if (t == null) {
      throw new HubSpotRecords.ShapeException("search result " + r.id() + " has no readable " + type.lastModifiedProperty());
    }
    return t.toEpochMilli();
  }

  private static Instant updatedAt(HubSpotObjectType type, HubSpotRecords.RawRecord r) {
    return r.updatedAt() != null ? r.updatedAt() : HubSpotRecords.instant(r.properties().get(type.lastModifiedProperty()));
  }

  /** One list page, its properties merged from every chunk request. */
  private record ListPage(List<HubSpotRecords.RawRecord> records, String after) {}

  private ListPage list(HubSpotObjectType type, String after, boolean archivedOnly, RequestTally tally, String position)
      throws ConnectorException {
    String prefix = "/crm/v3/objects/" + type.name() + "?limit=" + LIST_LIMIT + "&archived=" + archivedOnly
        + (after == null ? "" : "&after=" + encode(after));
    List<List<String>> chunks = propertyChunks(propertiesFor.apply(type), MAX_URL_LENGTH - baseUrl.length() - prefix.length());
    ListPage first = null;
    Map<String, Map<String, String>> merged = new LinkedHashMap<>();
    for (List<String> chunk : chunks) {
      tally.add();
      String path = prefix + (chunk.isEmpty() ? "" : "&properties=" + encode(String.join(",", chunk)));
      JsonNode body = http.send("list", "GET", path, null, Map.of(), position).body();
      List<HubSpotRecords.RawRecord> recs = new ArrayList<>();
      for (JsonNode r : HubSpotRecords.results(body)) {
        recs.add(HubSpotRecords.record(r));
      }
      if (first == null) {
        first = new ListPage(recs, HubSpotRecords.nextAfter(body));
        recs.forEach(r -> merged.put(r.id(), new LinkedHashMap<>(r.properties())));
      } else {
        Map<String, HubSpotRecords.RawRecord> byId = new HashMap<>();
        recs.forEach(r -> byId.put(r.id(), r));
        for (HubSpotRecords.RawRecord r : first.records()) {
          HubSpotRecords.RawRecord other = byId.get(r.id());
          if (other == null) {
            // The page changed between the chunk requests (a record created or deleted inside it):
            // reading it again gives a consistent page.
            throw ConnectorException.retryable("records changed while reading the property chunks of " + position, 0, null);
          }
          merged.get(r.id()).putAll(other.properties());
        }
      }
    }
    List<HubSpotRecords.RawRecord> out = new ArrayList<>();
    for (HubSpotRecords.RawRecord r : first.records()) {
      out.add(new HubSpotRecords.RawRecord(r.id(), merged.get(r.id()), r.archived(), r.updatedAt(), r.archivedAt()));
    }
    return new ListPage(out, first.after());
  }

  /**
   * The given records by id: the batch read endpoint ({@value HubSpotConnector#MAX_BATCH} ids per
   * request), then the ids it did not find read again with {@code archived=true} (deleted or merged
   * away: answered as archived records), each batch with its associations as a page has them.
   */
  List<SourceRecord> readByIds(HubSpotObjectType type, List<String> ids) throws ConnectorException {
    List<SourceRecord> out = new ArrayList<>();
    List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(ids));
    for (int i = 0; i < distinct.size(); i += HubSpotConnector.MAX_BATCH) {
      List<String> chunk = distinct.subList(i, Math.min(distinct.size(), i + HubSpotConnector.MAX_BATCH));
      String position = type.name() + " by id";
      RequestTally tally = new RequestTally();
      List<HubSpotRecords.RawRecord> live = batchRead(type, chunk, false, tally, position);
      Set<String> found = new java.util.HashSet<>();
      live.forEach(r -> found.add(r.id()));
      List<String> missing = chunk.stream().filter(id -> !found.contains(id)).toList();
      List<HubSpotRecords.RawRecord> gone = missing.isEmpty() ? List.of() : batchRead(type, missing, true, tally, position);
      out.addAll(withAssociations(type, live, tally, position));
      for (HubSpotRecords.RawRecord r : gone) {
        out.add(new SourceRecord(type.name(), r.id(), r.properties(), Map.of(), true, updatedAt(type, r)));
      }
    }
    return out;
  }

  private List<HubSpotRecords.RawRecord> batchRead(HubSpotObjectType type, List<String> ids, boolean archived, RequestTally tally,
      String position) throws ConnectorException {
    ObjectNode body = HubSpotHttp.JSON.createObjectNode();
    var props = body.putArray("properties");
    propertiesFor.apply(type).forEach(props::add);
    var inputs = body.putArray("inputs");
    ids.forEach(id -> inputs.addObject().put("id", id));
    tally.add();
    JsonNode resp = http.send("list", "POST", "/crm/v3/objects/" + type.name() + "/batch/read?archived=" + archived,
        body, Map.of(), position).body();
    List<HubSpotRecords.RawRecord> out = new ArrayList<>();
    for (JsonNode r : HubSpotRecords.results(resp)) {
      HubSpotRecords.RawRecord rec = HubSpotRecords.record(r);
      out.add(archived ? new HubSpotRecords.RawRecord(rec.id(), rec.properties(), true, rec.updatedAt(), rec.archivedAt()) : rec);
    }
    return out;
  }

  /** Splits property names so each request's encoded list fits {@code budget} characters; at least one chunk. */
  static List<List<String>> propertyChunks(List<String> properties, int budget) {
    int room = Math.max(budget - "&properties=".length(), 200);
    List<List<String>> chunks = new ArrayList<>();
    List<String> current = new ArrayList<>();
    int used = 0;
    for (String p : properties) {
      int len = encode(p).length() + (current.isEmpty() ? 0 : 3); // "%2C"
      if (!current.isEmpty() && used + len > room) {
        chunks.add(current);
        current = new ArrayList<>();
        used = 0;
        len = encode(p).length();
      }
      current.add(p);
      used += len;
    }
    chunks.add(current);
    return chunks;
  }

  /** The records as source records, each with its associations (read for the whole page at once). */
  private List<SourceRecord> withAssociations(HubSpotObjectType type, List<HubSpotRecords.RawRecord> raws, RequestTally tally,
      String position) throws ConnectorException {
    Map<String, Map<String, List<String>>> assoc =
        associations.of(type, raws.stream().map(HubSpotRecords.RawRecord::id).toList(), tally, position);
    List<SourceRecord> out = new ArrayList<>(raws.size());
    for (HubSpotRecords.RawRecord r : raws) {
      out.add(new SourceRecord(type.name(), r.id(), r.properties(), assoc.getOrDefault(r.id(), Map.of()), r.archived(),
          updatedAt(type, r)));
    }
    return out;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
