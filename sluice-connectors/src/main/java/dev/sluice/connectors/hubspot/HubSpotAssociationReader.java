package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectorException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the associations of a page of HubSpot records through the v4 batch read, following the
 * per-record pages a result names. Association pairs the portal rejects as undefined (e.g.
 * "deals/tickets") are remembered and not asked again, shared by every reader of one connection.
 */
final class HubSpotAssociationReader {
  /** Page size for the per-record association follow-up when a batch result says there are more. */
  static final int ASSOCIATION_PAGE_LIMIT = 500;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HubSpotAssociationReader.class);

  private final HubSpotHttp http;
  private final Set<String> undefinedPairs;

  HubSpotAssociationReader(HubSpotHttp http, Set<String> undefinedPairs) {
    this.http = http;
    this.undefinedPairs = undefinedPairs;
  }

  Set<String> undefinedPairs() {
    return undefinedPairs;
  }

  /**
   * The associations of the records {@code ids} of {@code type}, by record id and target type: one
   * v4 batch read per target type, all at once, each followed by the per-record pages it names.
   */
  Map<String, Map<String, List<String>>> of(HubSpotObjectType type, List<String> ids, RequestTally tally, String position)
      throws ConnectorException {
    Map<String, Map<String, List<String>>> assoc = new HashMap<>();
    if (!ids.isEmpty()) {
      // The association reads of one page are independent: run them at once, so a page costs one
      // round trip for them instead of one per target type (a stream's pages are sequential).
      List<String> targets = type.associationTargets();
      long defined = targets.stream().filter(t -> !undefinedPairs.contains(type.name() + "/" + t)).count();
      http.prepay("associations", (int) defined, position);
      List<java.util.concurrent.Future<Map<String, List<String>>>> reads = new ArrayList<>();
      try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        for (String target : targets) {
          reads.add(pool.submit(() -> associations(type.name(), target, ids, tally, position)));
        }
        for (int i = 0; i < targets.size(); i++) {
          String target = targets.get(i);
          awaitRead(reads.get(i)).forEach((from, to) -> {
            if (!to.isEmpty()) {
              assoc.computeIfAbsent(from, k -> new LinkedHashMap<>()).put(target, to);
            }
          });
        }
      }
    }
    return assoc;
  }

  private static Map<String, List<String>> awaitRead(java.util.concurrent.Future<Map<String, List<String>>> read)
      throws ConnectorException {
    try {
      return read.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ConnectorException.retryable("interrupted while reading associations", 0, e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof ConnectorException ce) {
        throw ce;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private Map<String, List<String>> associations(String from, String to, List<String> ids, RequestTally tally, String position)
      throws ConnectorException {
    String where = position + ", associations " + from + "→" + to;
    ObjectNode body = HubSpotHttp.JSON.createObjectNode();
    ArrayNode inputs = body.putArray("inputs");
    ids.forEach(id -> inputs.addObject().put("id", id));
    String pair = from + "/" + to;
    if (undefinedPairs.contains(pair)) {
      return Map.of();
    }
    tally.add();
    HubSpotHttp.Response resp;
    try {
      resp = http.sendPrepaid("associations", "POST", "/crm/v4/associations/" + from + "/" + to + "/batch/read", body, Map.of(),
          where);
    } catch (ConnectorException e) {
      if (e.kind() == ConnectorException.Kind.PERMANENT_BATCH && e.httpStatus() == 400) {
        // The portal defines no association between these types: there can be none to read.
        LOG.warn("{}: skipping associations {} → {} from now on: {}", position, from, to, e.getMessage());
        undefinedPairs.add(pair);
        return Map.of();
      }
      throw e;
    }
    if (resp.status() == 207 && !HubSpotRecords.onlyMissingAssociations(resp.body())) {
      throw ConnectorException.retryable("HubSpot failed part of the association read at " + where + ": "
          + HubSpotHttp.errorDetail(resp.body().path("errors").path(0), null), 207, null);
    }
    Map<String, String> paged = new LinkedHashMap<>();
    Map<String, List<String>> out = HubSpotRecords.associations(resp.body(), paged);
    for (Map.Entry<String, String> e : paged.entrySet()) {
      String after = e.getValue();
      while (after != null) {
        tally.add();
        // The per-record association read is an ordinary v4 call: it takes the 10-second limit too.
        JsonNode more = http.send("list", "GET", "/crm/v4/objects/" + from + "/" + encode(e.getKey()) + "/associations/"
            + to + "?limit=" + ASSOCIATION_PAGE_LIMIT + "&after=" + encode(after), null, Map.of(), where).body();
        List<String> target = out.get(e.getKey());
        HubSpotRecords.results(more); // checks the shape
        target.addAll(HubSpotRecords.targetIds(more.get("results")));
        after = HubSpotRecords.nextAfter(more);
      }
    }
    return out;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
