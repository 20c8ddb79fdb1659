package dev.sluice.connectors.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ConnectorHttp;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.WriteResult;
import dev.sluice.connectors.WriteResult.RecordResult;
import dev.sluice.connectors.WriteResult.Status;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Packs events into {@code POST /v1/batch} requests within Segment's limits and classifies the
 * answers. Segment answers 200 {@code {"success":true}} for a well-formed request; events it drops
 * later (e.g. a wrong write key on the real service) are not reported back, so a 200 counts every
 * event of the request as delivered.
 */
final class SegmentBatchWriter {

  /** Segment's largest event. */
  static final int MAX_EVENT_BYTES = 32 * 1024;
  /** Segment's largest batch request: "500 KB", read as 500,000 bytes (the lower reading; the sandbox allows 512,000). */
  static final int MAX_REQUEST_BYTES = 500_000;
  /** Segment's most events per batch request. */
  static final int MAX_EVENTS = 2_500;
  /** Room kept for {@code {"batch":[…]}} and the commas between events. */
  private static final int ENVELOPE_BYTES = 64;
  /** Wait after a 429 that names none. */
  static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofSeconds(1);

  private final ConnectionConfig config;
  private final ConnectionLimits limits;
  private final ConnectorHttp http;
  private final Clock clock;
  private final String authorization;

  SegmentBatchWriter(ConnectionConfig config, ConnectionLimits limits, RateLimitGate gate, HttpClient client, Clock clock) {
    this.config = config;
    this.limits = limits;
    this.clock = clock;
    this.http = new ConnectorHttp("Segment", gate, null, null, client);
    this.authorization = "Basic " + Base64.getEncoder().encodeToString((config.token() + ":").getBytes(StandardCharsets.UTF_8));
  }

  WriteResult write(String type, List<OutboundRecord> records, String idempotencyKey) throws ConnectorException {
    if (records.size() > MAX_EVENTS) {
      throw new IllegalArgumentException("a Segment upload holds at most " + MAX_EVENTS + " events, got " + records.size());
    }
    RecordResult[] out = new RecordResult[records.size()];
    List<byte[]> chunk = new ArrayList<>();
    List<Integer> chunkIndexes = new ArrayList<>();
    String[] messageIds = new String[records.size()];
    int chunkBytes = ENVELOPE_BYTES;
    for (int i = 0; i < records.size(); i++) {
      OutboundRecord r = records.get(i);
      messageIds[i] = messageId(type, r, idempotencyKey);
      byte[] event = event(type, r, messageIds[i]);
      if (event.length > MAX_EVENT_BYTES) {
        out[i] = new RecordResult(trace(r, i), Status.FAILED, null, ConnectorException.Kind.PERMANENT_RECORD,
            "the " + type + " event is " + event.length + " bytes, over Segment's limit of " + MAX_EVENT_BYTES + " bytes per event");
        continue;
      }
      if (chunkBytes + event.length + 1 > MAX_REQUEST_BYTES) {
        send(chunk, chunkIndexes.size(), type);
        chunkIndexes.forEach(k -> out[k] = delivered(records.get(k), k, messageIds[k]));
        chunk.clear();
        chunkIndexes.clear();
        chunkBytes = ENVELOPE_BYTES;
      }
      chunk.add(event);
      chunkIndexes.add(i);
      chunkBytes += event.length + 1;
    }
    if (!chunk.isEmpty()) {
      send(chunk, chunkIndexes.size(), type);
      chunkIndexes.forEach(k -> out[k] = delivered(records.get(k), k, messageIds[k]));
    }
    return new WriteResult(List.of(out));
  }

  /**
   * Sends events the caller built whole (each with its own {@code messageId}) as one request: a
   * rule action's batch of one. Refused before sending: an event over 32 KB, a request over 500 KB.
   */
  void sendEvents(List<? extends com.fasterxml.jackson.databind.JsonNode> events) throws ConnectorException {
    if (events.isEmpty() || events.size() > MAX_EVENTS) {
      throw new IllegalArgumentException("a Segment request holds 1 to " + MAX_EVENTS + " events, got " + events.size());
    }
    List<byte[]> chunk = new ArrayList<>();
    java.util.Set<String> types = new java.util.TreeSet<>();
    int bytes = ENVELOPE_BYTES;
    for (com.fasterxml.jackson.databind.JsonNode e : events) {
      byte[] event;
      try {
        event = SegmentConnector.JSON.writeValueAsBytes(e);
      } catch (JsonProcessingException ex) {
        throw new IllegalStateException("a JSON tree always serializes", ex);
      }
      String type = e.path("type").asText("event");
      if (event.length > MAX_EVENT_BYTES) {
        throw ConnectorException.permanentBatch("the " + type + " event is " + event.length + " bytes, over Segment's limit of "
            + MAX_EVENT_BYTES + " bytes per event (not sent)", 0);
      }
      bytes += event.length + 1;
      chunk.add(event);
      types.add(type);
    }
    if (bytes > MAX_REQUEST_BYTES) {
      throw ConnectorException.permanentBatch("the events are " + bytes + " bytes, over Segment's limit of " + MAX_REQUEST_BYTES
          + " bytes per request (not sent)", 0);
    }
    send(chunk, chunk.size(), String.join("/", types));
  }

  private static RecordResult delivered(OutboundRecord r, int i, String messageId) {
    return new RecordResult(trace(r, i), Status.CREATED, messageId, null, null);
  }

  private void send(List<byte[]> events, int count, String type) throws ConnectorException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes("{\"batch\":[".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        body.write(',');
      }
      body.writeBytes(events.get(i));
    }
    body.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
    String position = "batch of " + count + " " + type + " events (" + body.size() + " bytes)";
    HttpRequest request = ConnectorHttp.request(config.baseUrl() + "/batch")
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
        .build();
    ConnectorHttp.Response resp = http.send(limits.bucketsFor(config.name(), "write"), request, position);
    int status = resp.status();
    if (status >= 200 && status < 300) {
      return;
    }
    String detail = detail(resp);
    if (status == 401 || status == 403) {
      throw ConnectorException.auth("Segment rejected the write key of connection '" + config.name() + "' (" + status + " " + detail
          + "): check " + (config.tokenSource() == null ? "the connection's token (the source's write key)" : config.tokenSource()), status);
    }
    if (status == 429) {
      Duration wait = ConnectorHttp.retryAfter(resp, clock.instant()).orElse(DEFAULT_RATE_LIMIT_WAIT);
      throw ConnectorException.rateLimited("Segment answered 429 at " + position, wait, status);
    }
    if (status >= 500) {
      throw ConnectorException.serverError("Segment answered " + status + " at " + position + ": " + detail, status,
          ConnectorHttp.retryAfter(resp, clock.instant()));
    }
    throw ConnectorException.permanentBatch("Segment refused " + position + " (" + status + " " + detail + ")", status);
  }

  private static String detail(ConnectorHttp.Response resp) {
    try {
      com.fasterxml.jackson.databind.JsonNode n = SegmentConnector.JSON.readTree(resp.body());
      if (n != null && n.hasNonNull("message")) {
        return n.get("message").asText();
      }
    } catch (JsonProcessingException e) {
      // not JSON: show the start of the body
    }
    return ConnectorHttp.excerpt(resp.body());
  }

  /** One event's compact JSON. */
  static byte[] event(String type, OutboundRecord r, String messageId) {
    ObjectNode e = SegmentConnector.JSON.createObjectNode();
    e.put("type", type);
    e.put(r.idProperty(), r.id());
    ObjectNode data = SegmentConnector.JSON.createObjectNode();
    for (Map.Entry<String, String> p : r.properties().entrySet()) {
      switch (p.getKey()) {
        case "event", "timestamp", "userId", "anonymousId" -> {
          if (p.getValue() != null) {
            e.put(p.getKey(), p.getValue());
          }
        }
        default -> data.put(p.getKey(), p.getValue());
      }
    }
    e.set(type.equals("identify") ? "traits" : "properties", data);
    e.put("messageId", messageId);
    e.putObject("context").putObject("library").put("name", "sluice");
    try {
      return SegmentConnector.JSON.writeValueAsBytes(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("an event of text fields always serializes", ex);
    }
  }

  /**
   * {@code "sluice-"} and 40 hex digits of SHA-256 over the call type, the person's key and the
   * record's fields in name order (and the idempotency key when given): the same version of a
   * record always gets the same id, a changed one a new id.
   */
  static String messageId(String type, OutboundRecord r, String idempotencyKey) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      update(d, type);
      update(d, r.idProperty());
      update(d, r.id());
      for (Map.Entry<String, String> p : new TreeMap<>(r.properties()).entrySet()) {
        update(d, p.getKey());
        update(d, p.getValue() == null ? "\u0000null" : p.getValue());
      }
      if (idempotencyKey != null) {
        update(d, "\u0000key");
        update(d, idempotencyKey);
      }
      return "sluice-" + HexFormat.of().formatHex(d.digest()).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Length-prefixed, so that ("ab","c") and ("a","bc") differ. */
  private static void update(MessageDigest d, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.update((b.length + ":").getBytes(StandardCharsets.UTF_8));
    d.update(b);
  }

  private static String trace(OutboundRecord r, int i) {
    return r.traceId() != null ? r.traceId() : Integer.toString(i);
  }
}
