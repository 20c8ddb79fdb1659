package dev.sluice.sandbox.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code POST /crm/v3/objects/{type}/search}: filter groups (OR of ANDs), sorts, paging by offset
 * up to HubSpot's 10,000-result cap, free-text {@code query}. Search sees the index, not the store:
 * archived records never, and records changed within the index lag as they were before.
 */
final class SearchEngine {
  static final int LIMIT_DEFAULT = 10;
  static final int LIMIT_MAX = 200;
  static final int RESULT_CAP = 10_000;
  private static final List<String> TEXT_PROPERTIES = List.of(
      "email", "firstname", "lastname", "phone", "company", "name", "domain", "dealname", "subject", "content", "hs_task_subject");

  /** Whether searches may use the last-modified index; tests turn it off to compare with a full scan. */
  static volatile boolean useModifiedIndex = true;

  private final HubSpotSandbox portal;

  SearchEngine(HubSpotSandbox portal) {
    this.portal = portal;
  }

  enum Op { EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN }

  /** One parsed filter; the comparison values are pre-parsed once per query. */
  static final class Filter {
    final String property;
    final Op op;
    final String value;
    final String highValue;
    final List<String> values;
    final Pattern token;
    final Long valueMillis;
    final Long highMillis;

    Filter(String property, Op op, String value, String highValue, List<String> values) {
      this.property = property;
      this.op = op;
      this.value = value;
      this.highValue = highValue;
      this.values = values;
      this.token = value == null ? null : tokenPattern(value);
      this.valueMillis = value == null ? null : millis(value);
      this.highMillis = highValue == null ? null : millis(highValue);
    }
  }

  record Sort(String property, boolean descending) {}

  record Hit(PortalStore.Rec rec, String[] values, long updatedAt) {}

  void handle(Context ctx) {
    HubSpotObjectType type = HubSpotObjectType.fromPath(ctx.pathParam("type"));
    if (type == null) {
      HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.pathParam("type"));
      return;
    }
    JsonNode in = HubSpotWire.bodyObject(ctx);
    if (in == null) return;
    HubSpotOptions o = portal.options();
    List<List<Filter>> groups = new ArrayList<>();
    JsonNode fg = in.get("filterGroups");
    int total = 0;
    if (fg != null && !fg.isNull()) {
      if (!fg.isArray()) {
        HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "'filterGroups' must be an array");
        return;
      }
      if (fg.size() > o.maxFilterGroups) {
        HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "Too many filter groups: " + fg.size() + " given, at most " + o.maxFilterGroups + " allowed");
        return;
      }
      for (JsonNode g : fg) {
        JsonNode filters = g.path("filters");
        if (!filters.isArray()) {
          HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "each filter group needs a 'filters' array");
          return;
        }
        if (filters.size() > o.maxFiltersPerGroup) {
          HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "Too many filters in a group: " + filters.size() + " given, at most " + o.maxFiltersPerGroup + " allowed");
          return;
        }
        total += filters.size();
        List<Filter> group = new ArrayList<>();
        for (JsonNode f : filters) {
          String problem = parseFilter(f, group);
          if (problem != null) {
            HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", problem);
            return;
          }
        }
        if (!group.isEmpty()) groups.add(group);
      }
      if (total > o.maxFiltersTotal) {
        HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "Too many filters: " + total + " given, at most " + o.maxFiltersTotal + " allowed in all groups");
        return;
      }
    }
    List<Sort> sorts = new ArrayList<>();
    JsonNode s = in.get("sorts");
    if (s != null && s.isArray()) {
      for (JsonNode sort : s) {
        if (sort.isTextual()) {
          String text = sort.asText().trim();
          boolean desc = text.startsWith("-");
          sorts.add(new Sort(desc ? text.substring(1) : text, desc));
        } else if (sort.isObject() && sort.hasNonNull("propertyName")) {
          sorts.add(new Sort(sort.get("propertyName").asText(), "DESCENDING".equalsIgnoreCase(sort.path("direction").asText("ASCENDING"))));
        } else {
          HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "each sort is a property name (\"-name\" for descending) or {\"propertyName\",\"direction\"}");
          return;
        }
      }
    }
    List<String> properties = new ArrayList<>();
    JsonNode p = in.get("properties");
    if (p != null && p.isArray()) p.forEach(n -> properties.add(n.asText()));
    else if (p != null && p.isTextual()) for (String part : p.asText().split(",")) if (!part.isBlank()) properties.add(part.trim());
    int limit = LIMIT_DEFAULT;
    if (in.hasNonNull("limit")) {
      if (!in.get("limit").canConvertToInt()) {
        HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "'limit' must be an integer");
        return;
      }
      limit = in.get("limit").asInt();
      if (limit < 1 || limit > LIMIT_MAX) {
        HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "'limit' must be between 1 and " + LIMIT_MAX + ", got " + limit);
        return;
      }
    }
    int offset = 0;
    if (in.hasNonNull("after")) {
      String after = in.get("after").asText().trim();
      try {
        offset = after.isEmpty() ? 0 : Integer.parseInt(after);
      } catch (NumberFormatException e) {
        HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "'after' is not a paging token this endpoint issued: " + after);
        return;
      }
      if (offset < 0) {
        HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "'after' must not be negative");
        return;
      }
    }
    if (offset >= RESULT_CAP) {
      HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", "Search can page through at most " + RESULT_CAP
          + " results; 'after' " + offset + " is beyond that. Narrow the query (e.g. filter on a value greater than the last one seen) and page again.");
      return;
    }
    String query = in.hasNonNull("query") ? in.get("query").asText().toLowerCase(Locale.ROOT) : null;
    ObjectNode body = run(type, groups, sorts, properties, limit, offset, query);
    HubSpotWire.send(ctx, 200, body);
  }

  private static String parseFilter(JsonNode f, List<Filter> group) {
    String property = f.path("propertyName").asText(null);
    if (property == null || property.isBlank()) return "each filter needs a 'propertyName'";
    Op op;
    try {
      op = Op.valueOf(f.path("operator").asText("EQ").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return "Unknown filter operator '" + f.path("operator").asText() + "'; use one of EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, "
          + "HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN";
    }
    String value = f.hasNonNull("value") ? f.get("value").asText() : null;
    String high = f.hasNonNull("highValue") ? f.get("highValue").asText() : null;
    List<String> values = new ArrayList<>();
    if (f.path("values").isArray()) f.get("values").forEach(v -> values.add(v.asText()));
    switch (op) {
      case IN, NOT_IN -> {
        if (values.isEmpty()) return op + " on " + property + " needs a non-empty 'values' array";
      }
      case BETWEEN -> {
        if (value == null || high == null) return "BETWEEN on " + property + " needs 'value' and 'highValue'";
      }
      case HAS_PROPERTY, NOT_HAS_PROPERTY -> { }
      default -> {
        if (value == null) return op + " on " + property + " needs a 'value'";
      }
    }
    group.add(new Filter(property, op, value, high, values));
    return null;
  }

  private ObjectNode run(HubSpotObjectType type, List<List<Filter>> groups, List<Sort> sorts, List<String> properties,
      int limit, int offset, String query) {
    return portal.read(() -> {
      PortalStore store = portal.store();
      PortalStore.Table t = store.table(type);
      long now = store.clock.millis();
      List<Hit> page = new ArrayList<>();
      // Sorted queries keep only the best offset+limit hits (a bounded max-heap), not every match:
      // the incremental-sync query over a million contacts must not sort a million records.
      Iterable<PortalStore.Rec> candidates = t.live.values();
      boolean idOrder = true;
      Long from = useModifiedIndex && groups.size() == 1 ? lowerBoundOnLastModified(type, groups.get(0)) : null;
      if (from != null) {
        // Only records modified at or after the bound can match; a version hidden by the index
        // lag is older than the current one, so the current updatedAt bounds it as well.
        candidates = t.byModified.tailSet(new PortalStore.Rec(Long.MIN_VALUE, null, 0, from), true);
        idOrder = false;
      }
      Comparator<Hit> order = sorts.isEmpty() && idOrder ? null : comparator(t, sorts);
      int keep = offset + limit;
      java.util.PriorityQueue<Hit> best = order == null ? null : new java.util.PriorityQueue<>(Math.min(keep, 1024) + 1, order.reversed());
      int matched = 0;
      for (PortalStore.Rec r : candidates) {
        String[] values = store.searchableValues(r, now);
        if (values == null) continue; // created within the index lag: not indexed yet
        long updatedAt = store.searchableUpdatedAt(r, now);
        if (!matches(t, r, values, updatedAt, groups, query)) continue;
        if (best != null) {
          Hit hit = new Hit(r, values, updatedAt);
          if (best.size() < keep) {
            best.add(hit);
          } else if (order.compare(hit, best.peek()) < 0) {
            best.poll();
            best.add(hit);
          }
        } else if (matched >= offset && matched < offset + limit) {
          page.add(new Hit(r, values, updatedAt));
        }
        matched++;
      }
      if (best != null) {
        List<Hit> sorted = new ArrayList<>(best);
        sorted.sort(order);
        page = sorted.subList(Math.min(offset, sorted.size()), Math.min(offset + limit, sorted.size()));
      }
      ObjectNode out = HubSpotWire.NODES.objectNode();
      out.put("total", matched);
      ArrayNode results = out.putArray("results");
      for (Hit h : page) results.add(HubSpotWire.recordJson(t, h.rec, h.values, h.updatedAt, properties, null, false));
      int next = offset + limit;
      if (next < matched) out.putObject("paging").putObject("next").put("after", Integer.toString(next));
      return out;
    });
  }

  /** The smallest last-modified value a group's filters allow, or null when they allow any. */
  private static Long lowerBoundOnLastModified(HubSpotObjectType type, List<Filter> group) {
    Long bound = null;
    for (Filter f : group) {
      if (!f.property.equals(type.lastModifiedProperty()) || f.valueMillis == null) continue;
      switch (f.op) {
        case GT, GTE, EQ, BETWEEN -> bound = bound == null ? f.valueMillis : Math.max(bound, f.valueMillis);
        default -> { }
      }
    }
    return bound;
  }

  private static boolean matches(PortalStore.Table t, PortalStore.Rec r, String[] values, long updatedAt,
      List<List<Filter>> groups, String query) {
    if (query != null && !query.isEmpty()) {
      boolean any = false;
      for (String p : TEXT_PROPERTIES) {
        String v = PortalStore.value(t, r, values, updatedAt, p);
        if (v != null && v.toLowerCase(Locale.ROOT).contains(query)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    if (groups.isEmpty()) return true;
    for (List<Filter> group : groups) {
      boolean all = true;
      for (Filter f : group) {
        long computed = computedLong(t, r, updatedAt, f.property);
        int fast = computed == Long.MIN_VALUE ? -1 : fastTest(f, computed);
        if (fast == 1) continue;
        if (fast == 0) {
          all = false;
          break;
        }
        if (!test(f, PortalStore.value(t, r, values, updatedAt, f.property))) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
    return false;
  }

  /**
   * The numeric value of a computed property (id or a date kept as epoch ms), so filters and sorts
   * on them do not format and re-parse a date per record; {@code Long.MIN_VALUE} for others.
   */
  static long computedLong(PortalStore.Table t, PortalStore.Rec r, long updatedAt, String property) {
    if (property.equals(t.type.lastModifiedProperty())) return updatedAt;
    if (property.equals("createdate") || (property.equals("hs_createdate") && t.type.engagement())) return r.createdAt;
    if (property.equals("hs_object_id")) return r.id;
    return Long.MIN_VALUE;
  }

  /** A comparison filter on a computed value without string work: 1 passes, 0 fails, -1 undecided. */
  private static int fastTest(Filter f, long v) {
    if (f.valueMillis == null) return -1;
    long x = f.valueMillis;
    Boolean pass = switch (f.op) {
      case EQ -> v == x;
      case NEQ -> v != x;
      case LT -> v < x;
      case LTE -> v <= x;
      case GT -> v > x;
      case GTE -> v >= x;
      case BETWEEN -> f.highMillis == null ? null : v >= x && v <= f.highMillis;
      case HAS_PROPERTY -> true;
      default -> null;
    };
    return pass == null ? -1 : pass ? 1 : 0;
  }

  static boolean test(Filter f, String v) {
    boolean has = v != null && !v.isEmpty();
    return switch (f.op) {
      case HAS_PROPERTY -> has;
      case NOT_HAS_PROPERTY -> !has;
      case EQ -> has && compare(v, f.value) == 0;
      case NEQ -> !has || compare(v, f.value) != 0;
      case LT -> has && compare(v, f.value) < 0;
      case LTE -> has && compare(v, f.value) <= 0;
      case GT -> has && compare(v, f.value) > 0;
      case GTE -> has && compare(v, f.value) >= 0;
      case BETWEEN -> has && compare(v, f.value) >= 0 && compare(v, f.highValue) <= 0;
      case IN -> has && f.values.stream().anyMatch(x -> compare(v, x) == 0);
      case NOT_IN -> !has || f.values.stream().noneMatch(x -> compare(v, x) == 0);
      case CONTAINS_TOKEN -> has && containsToken(v, f.token);
      case NOT_CONTAINS_TOKEN -> !has || !containsToken(v, f.token);
    };
  }

  /**
   * Compares a stored value with a filter value the way HubSpot's typed properties do: numbers as
   * numbers, dates as instants (a filter may give epoch milliseconds for an ISO date, or the
   * reverse), anything else as text ignoring case.
   */
  static int compare(String a, String b) {
    BigDecimal na = number(a);
    BigDecimal nb = number(b);
    if (na != null && nb != null) return na.compareTo(nb);
    Long ma = millis(a);
    Long mb = millis(b);
    if (ma != null && mb != null) return Long.compare(ma, mb);
    return a.compareToIgnoreCase(b);
  }

  private static BigDecimal number(String s) {
    int n = s.length();
    if (n == 0 || n > 40) return null;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') return null;
    }
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Long millis(String s) {
    if (s.length() < 10 || s.charAt(4) != '-') {
      BigDecimal n = number(s);
      return n == null ? null : n.longValue();
    }
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (RuntimeException e) {
      try {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      } catch (RuntimeException e2) {
        return null;
      }
    }
  }

  private static Pattern tokenPattern(String token) {
    // '*' is a wildcard inside a token; everything else matches literally.
    String[] parts = token.toLowerCase(Locale.ROOT).split("\\*", -1);
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) re.append(".*");
      re.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(re.toString());
  }

  private static boolean containsToken(String value, Pattern token) {
    String v = value.toLowerCase(Locale.ROOT);
    if (token.matcher(v).matches()) return true;
    for (String part : v.split("[\\s,;]+")) if (!part.isEmpty() && token.matcher(part).matches()) return true;
    for (String part : v.split("[^\\p{L}\\p{N}]+")) if (!part.isEmpty() && token.matcher(part).matches()) return true;
    return false;
  }

  private static Comparator<Hit> comparator(PortalStore.Table t, List<Sort> sorts) {
    Comparator<Hit> c = null;
    for (Sort s : sorts) {
      Comparator<Hit> one = (x, y) -> {
        long ca = computedLong(t, x.rec, x.updatedAt, s.property);
        if (ca != Long.MIN_VALUE) {
          int r = Long.compare(ca, computedLong(t, y.rec, y.updatedAt, s.property));
          return s.descending ? -r : r;
        }
        String a = PortalStore.value(t, x.rec, x.values, x.updatedAt, s.property);
        String b = PortalStore.value(t, y.rec, y.values, y.updatedAt, s.property);
        if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1; // missing values last
        int r = compare(a, b);
        return s.descending ? -r : r;
      };
      c = c == null ? one : c.thenComparing(one);
    }
    Comparator<Hit> byId = Comparator.comparingLong(h -> h.rec.id);
    return c == null ? byId : c.thenComparing(byId);
  }
}
