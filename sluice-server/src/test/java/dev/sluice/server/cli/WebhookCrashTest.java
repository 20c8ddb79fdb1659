package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotWebhooks;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice serve} killed with SIGKILL in the middle of a webhook burst: every request it
 * answered 2xx has its events stored, the sandbox retries the ones that got no answer against the
 * restarted server, and in the end every event is stored exactly once.
 */
class WebhookCrashTest {
  @TempDir Path dir;
  TestDatabase db;
  Sandbox sandbox;
  Process serve;
  int port;
  Path config;

  @BeforeEach
  void setUp() throws IOException {
    db = TestDatabase.create("webhook_crash", 4);
    // An hour of HubSpot's retry schedule per two seconds: its 9 retries span about 48 s here.
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().webhookTimeScale(1800).build()).start();
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        connections:
          hubspot-main:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            webhooks:
              app_secret: ${HUBSPOT_APP_SECRET}
        database:
          url: %s
        workers:
          concurrency: 2
        """.formatted(sandbox.baseUrl(), db.jdbcUrl()));
  }

  @AfterEach
  void tearDown() {
    if (serve != null) serve.destroyForcibly();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  Process startServe(String name) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), SluiceCommand.class.getName(), "serve", "--config", config.toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(port)));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().remove("SLUICE_CONFIG");
    pb.environment().remove("SLUICE_DATABASE_URL");
    pb.environment().putAll(Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token(), "HUBSPOT_APP_SECRET", sandbox.hubspot().appSecret(),
        "SLUICE_API_TOKEN", "crash-test-token-0123456789abcdef-0123456789"));
    pb.redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
    Process p = pb.start();
    HttpClient http = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      if (!p.isAlive()) throw new AssertionError("serve exited: " + Files.readString(dir.resolve(name + ".err")));
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    });
    return p;
  }

  long count(String sql) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void killedMidBurstEveryEventEndsStoredExactlyOnce() throws Exception {
    serve = startServe("first");
    HubSpotWebhooks hooks = sandbox.hubspot().webhooks();
    hooks.setSubscriptions(List.of("contact.creation"));
    hooks.setTargetUrl("http://127.0.0.1:" + port + "/hooks/hubspot/hubspot-main");
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 600; i++) {
      created.add(sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "k" + i + "@example.com")).id());
      if (i == 300) {
        // mid-burst: some requests are answered, some in flight, some not yet sent
        await().atMost(Duration.ofSeconds(30)).until(() -> hooks.deliveries().stream().anyMatch(HubSpotWebhooks.Delivery::succeeded));
        serve.destroyForcibly().waitFor();
      }
    }
    long answeredBeforeKill = hooks.deliveries().stream().filter(HubSpotWebhooks.Delivery::succeeded).count();
    // the kill costs the sender some requests: the events created after it are sent to a dead port
    // (the sender delivers on its own schedule, so wait for the first such attempt)
    await().atMost(Duration.ofSeconds(30)).until(() -> hooks.deliveries().stream().anyMatch(d -> !d.succeeded()));
    serve = startServe("second");
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> hooks.backlog() == 0);

    assertThat(answeredBeforeKill).isPositive();
    long sent = hooks.deliveries().stream().filter(d -> d.attemptNumber() == 0 && !d.duplicate())
        .mapToLong(HubSpotWebhooks.Delivery::eventCount).sum();
    assertThat(sent).isEqualTo(600);
    assertThat(count("SELECT count(*) FROM sluice.inbound_event")).isEqualTo(600);
    assertThat(count("SELECT count(DISTINCT provider_event_id) FROM sluice.inbound_event")).isEqualTo(600);
    Set<String> stored = new HashSet<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT object_id FROM sluice.inbound_event")) {
      while (rs.next()) stored.add(rs.getString(1));
    }
    assertThat(stored).isEqualTo(created);
  }
}
