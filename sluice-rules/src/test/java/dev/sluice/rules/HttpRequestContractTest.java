package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code http.request} against a loopback ERP that honours {@code Idempotency-Key} as Stripe-like
 * APIs do (a repeated key answers the stored response and creates nothing), and checks the HMAC
 * signature when one is sent.
 */
class HttpRequestContractTest extends ActionContractTest {
  static final byte[] SECRET = "erp-signing-secret".getBytes(StandardCharsets.UTF_8);

  HttpServer erp;
  final Map<String, String> byKey = new ConcurrentHashMap<>();      // idempotency key → stored response
  final List<JsonNode> invoices = new CopyOnWriteArrayList<>();      // created invoices
  final List<Map<String, String>> signatures = new CopyOnWriteArrayList<>();

  @Override
  protected String kind() {
    return "http.request";
  }

  @Override
  protected void startDestination() throws IOException {
    erp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    erp.createContext("/invoices", this::invoice);
    erp.start();
  }

  private void invoice(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
    String sig = ex.getRequestHeaders().getFirst("X-Erp-Signature");
    if (sig != null) {
      signatures.add(Map.of("signature", sig, "timestamp", ex.getRequestHeaders().getFirst("X-Erp-Timestamp"), "body", body));
    }
    String answer = key == null ? null : byKey.get(key);
    if (answer == null) {
      invoices.add(json(body));
      answer = "{\"id\":" + invoices.size() + "}";
      if (key != null) byKey.put(key, answer);
    }
    byte[] out = answer.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(201, out.length);
    ex.getResponseBody().write(out);
    ex.close();
  }

  @Override
  protected void stopDestination() {
    erp.stop(0);
  }

  @Override
  protected URI destination() {
    return URI.create("http://127.0.0.1:" + erp.getAddress().getPort());
  }

  String base = "";

  @Override
  protected String action(String marker) {
    return "http.request: {url: \"" + base + "/invoices\", body: {deal: \"{{event.object_id}}\", marker: \"" + marker + "\", amount: 1200}}";
  }

  @Override
  protected RulesEngine.Builder targets(RulesEngine.Builder b, URI proxyBase) {
    return b.signingKey("erp", SECRET);
  }

  @Override
  protected Job fire(String marker, boolean shadow) throws Exception {
    base = proxy.base().toString();
    return super.fire(marker, shadow);
  }

  @Override
  protected int effects(String marker) {
    return (int) invoices.stream().filter(i -> marker.equals(i.path("marker").asText())).count();
  }

  @Test
  void aSignedRequestCarriesTheHmacOfTimestampAndBody() throws Exception {
    base = destination().toString();
    String yaml = """
        rules:
          signed:
            on: hs/deal.propertyChange
            actions:
              - http.request:
                  url: "%s/invoices"
                  headers: {X-Source: sluice}
                  body: {marker: "signed-1", amount: 10}
                  sign: {key: erp, header: X-Erp-Signature, timestamp_header: X-Erp-Timestamp, encoding: hex}
        """.formatted(base);
    RulesEngine engine = RulesEngine.builder(queue, RuleSet.parse("signed.yaml", yaml)).clock(clock).signingKey("erp", SECRET).build().migrate();
    long id = 42_000_001L;
    engine.evaluate(new dev.sluice.inbound.StoredEvent(id, "hubspot", "hs", "e-signed", "deal.propertyChange", "deal", "1", "dealstage", "x",
        clock.instant(), clock.instant(), 0, 0, null, 0, null, JSON.createObjectNode(), java.util.Optional.empty()));
    Job job = queue.find(engine.decisions(id).get(0).jobs().get(0).path("job_id").asLong()).orElseThrow();
    assertThat(job.payload()).doesNotContain("erp-signing-secret");
    dev.sluice.queue.JobWorker.Builder b = queue.worker().concurrency(1).pollInterval(java.time.Duration.ofMillis(20));
    engine.registerHandlers(b);
    try (dev.sluice.queue.JobWorker w = b.start()) {
      awaitState(job, JobState.COMPLETED);
    }
    assertThat(signatures).hasSize(1);
    Map<String, String> s = signatures.get(0);
    assertThat(s.get("timestamp")).isEqualTo(Long.toString(clock.instant().getEpochSecond()));
    String expected = HexFormat.of().formatHex(HttpRequestAction.hmacSha256(SECRET, s.get("timestamp") + "." + s.get("body")));
    assertThat(s.get("signature")).isEqualTo(expected);
    assertThat(json(s.get("body")).path("marker").asText()).isEqualTo("signed-1");
  }

  @Test
  void aSigningKeyMissingFromTheConfigRefusesTheEngine() {
    String yaml = """
        rules:
          signed:
            on: hs/deal.propertyChange
            actions:
              - http.request: {url: "http://127.0.0.1:1/x", sign: {key: nope}}
        """;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RulesEngine.builder(queue, RuleSet.parse("signed.yaml", yaml)).build())
        .isInstanceOf(RuleFileException.class)
        .hasMessageContaining("signed.yaml:5: rule 'signed': http.request: no signing key 'nope' under rules.signing_keys in sluice.yaml");
  }
}
