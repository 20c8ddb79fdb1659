package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.StreamRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statuses and bodies the sandbox does not produce on demand (423, 477, Retry-After, the daily
 * policy, unsorted search answers), served by a scripted loopback server: one canned answer per test.
 */
class HubSpotStatusClassificationTest {

  /** A canned answer: status, headers, body. */
  record Answer(int status, Map<String, String> headers, String body) {}

  private static final AtomicReference<Answer> NEXT = new AtomicReference<>();
  private static HttpServer server;
  private static SourceConnector connector;

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      Answer a = NEXT.get();
      a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    server.start();
    // 2026-06-01T18:00Z: six hours to the UTC midnight the daily limit resets at.
    Clock clock = Clock.fixed(Instant.parse("2026-06-01T18:00:00Z"), ZoneOffset.UTC);
    ConnectionConfig cfg = ConnectionConfig.builder("hubspot-main", "hubspot")
        .baseUrl("http://127.0.0.1:" + server.getAddress().getPort()).token("t", "HUBSPOT_TOKEN")
        .objects(List.of("contacts")).properties("contacts", List.of("email")).build();
    connector = new ConnectorFactory(RateLimitGate.unlimited(), clock).source(cfg);
  }

  @AfterAll
  static void stop() {
    connector.close();
    server.stop(0);
  }

  private static ConnectorException fail(Answer a, StreamRequest req) {
    NEXT.set(a);
    return catchThrowableOfType(ConnectorException.class, () -> connector.fetchRecords(req));
  }

  private static ConnectorException fail(Answer a) {
    return fail(a, StreamRequest.full("contacts"));
  }

  @Test
  void retryAfterSecondsIsHonoured() {
    ConnectorException e = fail(new Answer(429, Map.of("Retry-After", "7"),
        "{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\",\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}"));
    assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void dailyLimitWaitsForTheReset() {
    ConnectorException e = fail(new Answer(429, Map.of(),
        "{\"status\":\"error\",\"message\":\"You have reached your daily limit.\",\"errorType\":\"RATE_LIMIT\",\"policyName\":\"DAILY\"}"));
    assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(6));
  }

  @Test
  void tenSecondLimitWithoutRetryAfterBacksOffAFifthOfTheWindow() {
    ConnectorException e = fail(new Answer(429, Map.of(), "{\"status\":\"error\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}"));
    assertThat(e.retryAfter()).isEqualTo(HubSpotHttp.TEN_SECONDLY_429_WAIT);
  }

  @Test
  void lockedWaitsAtLeastTwoSecondsAndMigrationHonoursRetryAfter() {
    ConnectorException locked = fail(new Answer(423, Map.of("Retry-After", "1"), "{}"));
    assertThat(locked.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
    assertThat(locked.retryAfter()).isEqualTo(Duration.ofSeconds(2));
    ConnectorException migrating = fail(new Answer(477, Map.of("Retry-After", "30"), "{}"));
    assertThat(migrating.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
    assertThat(migrating.retryAfter()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void cloudflareStatusesAreRetryable() {
    for (int status : new int[] {521, 523, 524}) {
      assertThat(fail(new Answer(status, Map.of(), "<html>origin down</html>")).kind()).isEqualTo(ConnectorException.Kind.RETRYABLE);
    }
  }

  @Test
  void forbiddenNamesTheConnectionAndTheScopes() {
    ConnectorException e = fail(new Answer(403, Map.of(),
        "{\"status\":\"error\",\"message\":\"This app hasn't been granted all required scopes\",\"category\":\"MISSING_SCOPES\"}"));
    assertThat(e.kind()).isEqualTo(ConnectorException.Kind.AUTH);
    assertThat(e.getMessage()).startsWith("HubSpot rejected the token of connection 'hubspot-main' (403): check HUBSPOT_TOKEN")
        .contains("scopes").contains("MISSING_SCOPES");
  }

  @Test
  void badRequestIsPermanentForTheBatch() {
    ConnectorException e = fail(new Answer(400, Map.of(), "{\"status\":\"error\",\"message\":\"bad\",\"category\":\"VALIDATION_ERROR\"}"));
    assertThat(e.kind()).isEqualTo(ConnectorException.Kind.PERMANENT_BATCH);
    assertThat(e.getMessage()).contains("VALIDATION_ERROR: bad");
  }

  @Test
  void searchAnswersOutOfOrderAreRefusedAsMalformed() {
    String body = """
        {"total":2,"results":[
          {"id":"2","properties":{"lastmodifieddate":"2026-05-01T00:00:02.000Z","hs_object_id":"2"},"updatedAt":"2026-05-01T00:00:02.000Z"},
          {"id":"1","properties":{"lastmodifieddate":"2026-05-01T00:00:01.000Z","hs_object_id":"1"},"updatedAt":"2026-05-01T00:00:01.000Z"}]}""";
    ConnectorException e = fail(new Answer(200, Map.of(), body),
        StreamRequest.incremental("contacts", Instant.parse("2026-04-01T00:00:00Z")));
    assertThat(e.kind()).isEqualTo(ConnectorException.Kind.MALFORMED);
    assertThat(e.getMessage()).contains("phase search").contains("ascending");
  }
}
