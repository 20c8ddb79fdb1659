package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.server.config.ConfigException;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.ApiCalls.Answer;
import dev.sluice.server.runtime.SluiceRuntime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secure defaults of the API: headers, token rules, slowed-down guessing, TLS. */
class ApiHardeningTest {
  private static final String TOKEN = "hardening-token-0123456789abcdefghijkl";
  static TestDatabase db;
  static SluiceRuntime runtime;
  static SluiceConfig config;
  static ApiServer server;

  @BeforeAll
  static void start() {
    db = TestDatabase.create("server_hardening", 6);
    // no workers run here: a triggered run stays pending, so an event stream on it stays open
    config = SluiceConfig.parse("""
        connections:
          idle:
            platform: hubspot
            base_url: http://127.0.0.1:9
            token: ${IDLE_TOKEN}
        """, Map.of("IDLE_TOKEN", "pat-idle-token"));
    runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
    server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
        runtime.engine(), runtime.queue(), runtime.dataSource());
    // one pending run and its job from the start, so every job series exists whatever the test order
    try {
      assertThat(ApiCalls.call(server.url(), "POST", "/v1/sync-runs", "{\"connection\":\"idle\"}", TOKEN).status()).isEqualTo(202);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (db != null) db.close();
  }

  @Test
  void v1AnswersAreNeverCachedNorSniffedErrorsIncluded() throws Exception {
    for (String token : new String[] {TOKEN, null, "wrong"}) {
      Answer a = ApiCalls.call(server.url(), "GET", "/v1/jobs/stats", null, token);
      assertThat(a.header("Cache-Control")).contains("no-store");
      assertThat(a.header("X-Content-Type-Options")).contains("nosniff");
    }
    // the wrong-token call above counts toward the throttle; a success clears it
    assertThat(ApiCalls.call(server.url(), "GET", "/v1/jobs/stats", null, TOKEN).status()).isEqualTo(200);
  }

  @Test
  void theBearerSchemeIsCaseInsensitiveAndAnEmptyTokenIsRefused() throws Exception {
    Answer lower = ApiCalls.to(server.url(), "GET", "/v1/jobs/stats").header("Authorization", "bearer " + TOKEN).send();
    assertThat(lower.status()).isEqualTo(200);
    Answer empty = ApiCalls.to(server.url(), "GET", "/v1/jobs/stats").header("Authorization", "Bearer ").send();
    assertThat(empty.status()).isEqualTo(401);
    assertThat(empty.body().get("error").asText()).isNotBlank();
    assertThat(ApiCalls.call(server.url(), "GET", "/v1/jobs/stats", null, TOKEN).status()).isEqualTo(200);
  }

  @Test
  void repeatedFailuresFromOneAddressAreAnswered429WithRetryAfterEvenForTheRightToken() throws Exception {
    try (ApiServer own = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
        runtime.engine(), runtime.queue(), runtime.dataSource())) {
      for (int i = 0; i <= AuthThrottle.FREE_FAILURES; i++) {
        assertThat(ApiCalls.call(own.url(), "GET", "/v1/jobs/stats", null, "guess-" + i).status()).isEqualTo(401);
      }
      Answer throttled = ApiCalls.call(own.url(), "GET", "/v1/jobs/stats", null, "guess-next");
      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.header("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
      assertThat(throttled.body().get("error").asText()).contains("retry after");
      // the door is closed whatever the token: a guess that happens to be right learns nothing
      assertThat(ApiCalls.call(own.url(), "GET", "/v1/jobs/stats", null, TOKEN).status()).isEqualTo(429);
    }
  }

  @Test
  void eventStreamsAreCappedAndEndAfterTheirLifetimeWithoutAnEndEvent() throws Exception {
    ApiServer.Settings settings = new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test"))
        .withStreams(new ApiServer.StreamLimits(1, Duration.ofSeconds(2)));
    try (ApiServer own = ApiServer.start(settings, config, runtime.engine(), runtime.queue(), runtime.dataSource())) {
      Answer run = ApiCalls.call(own.url(), "POST", "/v1/sync-runs", "{\"connection\":\"idle\"}", TOKEN);
      assertThat(run.status()).isIn(200, 202); // the class's pending run may be joined
      String events = "/v1/sync-runs/" + run.body().get("run_id").asLong() + "/events";
      HttpRequest follow = HttpRequest.newBuilder(own.url().resolve(events)).header("Accept", "text/event-stream")
          .header("Authorization", "Bearer " + TOKEN).build();
      // the answer's head arrives once the stream holds the only place and has written its first line
      HttpResponse<java.util.stream.Stream<String>> first = HttpClient.newHttpClient()
          .sendAsync(follow, HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS);
      assertThat(first.statusCode()).isEqualTo(200);
      Answer refused = ApiCalls.to(own.url(), "GET", events).header("Accept", "text/event-stream").bearer(TOKEN).send();
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.header("Retry-After")).isPresent();
      assertThat(refused.body().get("error").asText()).contains("too many event streams");
      // the open one closes at its lifetime, without an end event: the client reconnects
      String body = java.util.concurrent.CompletableFuture.supplyAsync(() -> String.join("\n", first.body().toList()))
          .get(30, TimeUnit.SECONDS);
      assertThat(body).contains("maximum lifetime").doesNotContain("event: end");
    }
  }

  @Test
  void metricsCanHaveTheirOwnToken() throws Exception {
    String metricsToken = "metrics-token-0123456789abcdefghijklmn";
    SluiceConfig withToken = SluiceConfig.parse("server:\n  metrics_token: ${METRICS_TOKEN}\n", Map.of("METRICS_TOKEN", metricsToken));
    assertThat(withToken.server().metricsToken()).isPresent();
    try (ApiServer own = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), withToken,
        runtime.engine(), runtime.queue(), runtime.dataSource())) {
      assertThat(ApiCalls.call(own.url(), "GET", "/metrics", null, null).status()).isEqualTo(401);
      assertThat(ApiCalls.call(own.url(), "GET", "/metrics", null, TOKEN).status()).isEqualTo(401);
      Answer ok = ApiCalls.call(own.url(), "GET", "/metrics", null, metricsToken);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.raw().body()).contains("sluice_jobs");
      // the metrics token opens nothing else
      assertThat(ApiCalls.call(own.url(), "GET", "/v1/jobs/stats", null, metricsToken).status()).isEqualTo(401);
    }
    // without one, /metrics stays open
    assertThat(ApiCalls.call(server.url(), "GET", "/metrics", null, null).status()).isEqualTo(200);
  }

  @Test
  void theGrafanaDashboardOnlyQueriesSeriesTheServerExports() throws Exception {
    Path dashboard = Path.of("..", "docs", "grafana-dashboard.json");
    com.fasterxml.jackson.databind.JsonNode d = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard.toFile());
    String metrics = ApiCalls.call(server.url(), "GET", "/metrics", null, null).raw().body();
    int queries = 0;
    for (com.fasterxml.jackson.databind.JsonNode panel : d.get("panels")) {
      for (com.fasterxml.jackson.databind.JsonNode target : panel.get("targets")) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b((?:sluice|jvm)_[a-z_]+)").matcher(target.get("expr").asText());
        while (m.find()) {
          queries++;
          // a family is declared (# TYPE) even without samples; a histogram's series carry suffixes
          String family = m.group(1).replaceAll("_(bucket|sum|count)$", "");
          assertThat(metrics).as(panel.get("title").asText())
              .containsAnyOf("# TYPE " + m.group(1) + " ", "# TYPE " + family + " histogram");
        }
      }
    }
    assertThat(queries).isGreaterThanOrEqualTo(8);
  }

  @Test
  void shortTokensAreRefusedWithAGeneratedOneOffered() {
    assertThat(ApiTokenPolicy.problem(Secret.of(TOKEN, "test"))).isNull();
    String problem = ApiTokenPolicy.problem(Secret.of("short-token", "$SLUICE_API_TOKEN"));
    assertThat(problem).contains("11 characters").contains("at least 32").containsPattern("SLUICE_API_TOKEN=[A-Za-z0-9_-]{43}");
    assertThat(ApiTokenPolicy.generate()).hasSize(43).isNotEqualTo(ApiTokenPolicy.generate());
  }

  @Test
  void serveListensOnLoopbackUnlessTheConfigSaysOtherwise() {
    assertThat(SluiceConfig.parse("{}", Map.of()).server().host()).isEqualTo("127.0.0.1");
    assertThat(SluiceConfig.parse("server:\n  host: 0.0.0.0\n", Map.of()).server().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void tlsServesHttpsWithTheConfiguredCertificateAndKey(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();

    SluiceConfig withTls = SluiceConfig.parse("""
        server:
          tls:
            certificate: %s
            key: %s
        """.formatted(cert, key), Map.of());
    assertThat(withTls.server().tls()).isPresent();
    try (ApiServer tls = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test"), withTls.server().tls()),
        config, runtime.engine(), runtime.queue(), runtime.dataSource())) {
      assertThat(tls.url().getScheme()).isEqualTo("https");
      HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(10)).build();
      HttpRequest overTls = HttpRequest.newBuilder(tls.url().resolve("/v1/jobs/stats")).header("Authorization", "Bearer " + TOKEN).build();
      HttpResponse<String> r = trusting.send(overTls, HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      ApiContract.check(overTls, null, r, r.body());
      // no plain-HTTP listener beside it
      URI plain = URI.create("http://127.0.0.1:" + tls.port() + "/healthz");
      int plainStatus;
      try {
        plainStatus = HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
      } catch (IOException e) {
        plainStatus = -1; // the TLS connector hung up on a plain request
      }
      assertThat(plainStatus).isNotEqualTo(200);
    }
  }

  @Test
  void tlsConfigErrorsNameTheKey(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Files.writeString(cert, "not a certificate");
    assertThatThrownBy(() -> SluiceConfig.parse("server:\n  tls:\n    certificate: " + cert + "\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("server.tls.key");
    Path key = dir.resolve("key.pem");
    Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    SluiceConfig.Tls tls = new SluiceConfig.Tls(cert, key);
    assertThatThrownBy(() -> TlsConnector.keyStore(tls)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.tls.certificate");
  }

  private static SSLContext trusting(Path cert) throws Exception {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("sluice", CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
