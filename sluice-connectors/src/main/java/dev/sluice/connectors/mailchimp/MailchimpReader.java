package dev.sluice.connectors.mailchimp;

import com.fasterxml.jackson.core.JacksonException;
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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads an audience's members ordered by {@code last_changed}, {@code count} at a time.
 *
 * <p>Paging: each page asks for members changed since a lower bound, sorted by {@code
 * last_changed} ascending. After a full page the bound moves to one second before the page's last
 * {@code last_changed} (Mailchimp's timestamps have whole seconds, and its docs say "after" where
 * the sandbox is inclusive: one second earlier is right under both), and the members already
 * returned at or after the new bound are remembered in the checkpoint and skipped. So a member
 * that changes during the read moves past the bound and is read again, and nothing shifts under an
 * offset. Only when a whole page shares one second does the bound stay and {@code offset} move on.
 */
final class MailchimpReader {

  /** Mailchimp's largest {@code count}. */
  static final int MAX_PAGE = 1000;
  static final String FIELDS = "members.id,members.email_address,members.status,members.email_type,members.merge_fields,"
      + "members.timestamp_signup,members.last_changed,total_items";
  private static final DateTimeFormatter PARAM = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

  private final MailchimpHttp http;
  private final String listId;
  private final int pageSize;
  private final Duration overlap;

  MailchimpReader(MailchimpHttp http, String listId, int pageSize, Duration overlap) {
    this.http = http;
    this.listId = listId;
    this.pageSize = pageSize;
    this.overlap = overlap;
  }

  /** Where a stream stands: the lower bound, the offset within it, the members returned at or after it. */
  record Checkpoint(Instant since, int offset, Set<String> seen) {
    String json() {
      ObjectNode n = MailchimpHttp.JSON.createObjectNode().put("mc", 1);
      if (since != null) {
        n.put("since", since.toString());
      }
      n.put("offset", offset);
      ArrayNode s = n.putArray("seen");
      seen.forEach(s::add);
      return n.toString();
    }

    static Checkpoint parse(String text) {
      try {
        JsonNode n = MailchimpHttp.JSON.readTree(text);
        if (n == null || n.path("mc").asInt(0) != 1 || !n.path("seen").isArray() || !n.path("offset").canConvertToInt()) {
          throw new IllegalArgumentException("not a Mailchimp members checkpoint: " + text);
        }
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode v : n.path("seen")) {
          if (!v.asText().matches("[0-9a-f]{1,16}@-?\\d{1,12}")) {
            throw new IllegalArgumentException("not a Mailchimp members checkpoint: " + text);
          }
          seen.add(v.asText());
        }
        Instant since = n.hasNonNull("since") ? Instant.parse(n.get("since").asText()) : null;
        return new Checkpoint(since, n.path("offset").asInt(), seen);
      } catch (JacksonException | DateTimeParseException e) {
        throw new IllegalArgumentException("not a Mailchimp members checkpoint: " + text, e);
      }
    }
  }

  /** The first lower bound of a stream: none for a full read; for an incremental one its since minus the overlap, one second early. */
  Instant firstBound(StreamRequest request) {
    if (request.mode() == SyncMode.FULL || request.incrementalSince() == null) {
      return null;
    }
    return request.incrementalSince().minus(overlap).truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
  }

  Page read(StreamRequest request) throws ConnectorException {
    Checkpoint at = request.checkpoint() == null ? new Checkpoint(firstBound(request), 0, Set.of()) : Checkpoint.parse(request.checkpoint());
    String position = "members of list " + listId + (at.since() == null ? "" : " changed since " + at.since()) + " from " + at.offset();
    JsonNode resp = http.send("read", "GET", query(at, pageSize), null, position);
    JsonNode members = resp.path("members");
    if (!members.isArray()) {
      throw ConnectorException.malformed("Mailchimp answered " + position + " without \"members\"", null);
    }
    List<SourceRecord> records = new ArrayList<>();
    List<Instant> changed = new ArrayList<>();
    for (JsonNode m : members) {
      SourceRecord r = record(m, position);
      changed.add(r.sourceUpdatedAt());
      if (!at.seen().contains(seenKey(r))) {
        records.add(r);
      }
    }
    if (members.size() < pageSize) {
      return new Page(records, null, true, 1, position);
    }
    Instant last = changed.get(changed.size() - 1);
    Instant bound = last.minusSeconds(1);
    Checkpoint next;
    if (at.since() == null || bound.isAfter(at.since())) {
      next = new Checkpoint(bound, 0, seenFrom(members, changed, bound, at.seen()));
    } else {
      next = new Checkpoint(at.since(), at.offset() + members.size(), seenFrom(members, changed, at.since(), at.seen()));
    }
    return new Page(records, next.json(), false, 1, position);
  }

  private static Set<String> seenFrom(JsonNode members, List<Instant> changed, Instant bound, Set<String> before) {
    Set<String> seen = new LinkedHashSet<>();
    for (String k : before) {
      // members of earlier pages still at or after the bound are returned again: keep skipping them
      if (Long.parseLong(k.substring(k.indexOf('@') + 1)) >= bound.getEpochSecond()) {
        seen.add(k);
      }
    }
    for (int i = 0; i < members.size(); i++) {
      if (!changed.get(i).isBefore(bound)) {
        seen.add(seenKey(members.get(i).path("id").asText(), changed.get(i)));
      }
    }
    return seen;
  }

  private static String seenKey(SourceRecord r) {
    return seenKey(r.externalId(), r.sourceUpdatedAt());
  }

  /** A member at one version: 16 hex digits of its hash and its last change in epoch seconds. */
  private static String seenKey(String hash, Instant changed) {
    return (hash.length() > 16 ? hash.substring(0, 16) : hash) + "@" + changed.getEpochSecond();
  }

  private String query(Checkpoint at, int count) {
    StringBuilder q = new StringBuilder("/lists/").append(listId).append("/members?count=").append(count)
        .append("&offset=").append(at.offset())
        .append("&sort_field=last_changed&sort_dir=ASC&fields=").append(URLEncoder.encode(FIELDS, StandardCharsets.UTF_8));
    if (at.since() != null) {
      q.append("&since_last_changed=").append(URLEncoder.encode(PARAM.format(at.since()), StandardCharsets.UTF_8));
    }
    return q.toString();
  }

  /**
   * The members with these subscriber hashes now, one {@code GET /lists/{id}/members/{hash}} each
   * (Mailchimp has no read by several ids); a hash Mailchimp does not know is left out.
   */
  List<SourceRecord> readByIds(List<String> hashes) throws ConnectorException {
    List<SourceRecord> out = new ArrayList<>();
    String fields = URLEncoder.encode(FIELDS.replace("members.", "").replace(",total_items", ""), StandardCharsets.UTF_8);
    for (String hash : new LinkedHashSet<>(hashes)) {
      if (!hash.matches("[0-9a-f]{32}")) {
        throw new IllegalArgumentException("'" + hash + "' is not a Mailchimp subscriber hash (md5 of the lower-case email)");
      }
      String position = "member " + hash + " of list " + listId;
      try {
        out.add(record(http.send("read", "GET", "/lists/" + listId + "/members/" + hash + "?fields=" + fields, null, position), position));
      } catch (ConnectorException e) {
        if (e.httpStatus() != 404) {
          throw e;
        }
      }
    }
    return out;
  }

  /** {@code total_items} of the stream's first query, one member asked for. */
  OptionalLong count(StreamRequest first) throws ConnectorException {
    String path = query(new Checkpoint(firstBound(first), 0, Set.of()), 1).replaceFirst("&fields=[^&]*", "&fields=total_items");
    JsonNode resp = http.send("read", "GET", path, null, "count of members of list " + listId);
    return resp.path("total_items").canConvertToLong() ? OptionalLong.of(resp.path("total_items").asLong()) : OptionalLong.empty();
  }

  /**
   * One member as a mirror record: id = subscriber hash; properties {@code email_address}, {@code
   * status}, {@code email_type}, {@code timestamp_signup}, {@code last_changed} and each merge field
   * by its tag (an address as its JSON text); archived when Mailchimp's status is {@code archived}.
   */
  static SourceRecord record(JsonNode m, String position) throws ConnectorException {
    String id = m.path("id").asText("");
    if (id.isEmpty()) {
      throw ConnectorException.malformed("Mailchimp sent a member without an id at " + position, null);
    }
    Map<String, String> props = new LinkedHashMap<>();
    for (String f : List.of("email_address", "status", "email_type", "timestamp_signup", "last_changed")) {
      JsonNode v = m.get(f);
      props.put(f, v == null || v.isNull() ? null : v.asText());
    }
    m.path("merge_fields").properties().forEach(e -> {
      JsonNode v = e.getValue();
      props.put(e.getKey(), v.isNull() ? null : v.isContainerNode() ? v.toString() : v.asText());
    });
    Instant changed;
    try {
      changed = OffsetDateTime.parse(m.path("last_changed").asText()).toInstant();
    } catch (DateTimeParseException e) {
      throw ConnectorException.malformed("Mailchimp sent member " + id + " with last_changed '" + m.path("last_changed").asText()
          + "' at " + position, e);
    }
    boolean archived = "archived".equals(m.path("status").asText());
    return new SourceRecord(MailchimpConnector.MEMBERS, id, props, Map.of(), archived, changed);
  }
}
